//! Amazon Translate through aws-sdk-translate (the same AWS set-up and credentials chain as
//! CodeBuild): `TranslateText` with markup protected as `translate="no"` spans, the team's
//! terms imported once as a custom terminology, long messages sent in pieces under the
//! 10,000-byte limit, and throttling or 5xx through the shared retry policy.

use super::TranslateError;
use crate::clients::aws::AwsTarget;
use crate::clients::retry::{RetryPolicy, Verdict};
use crate::domain::translate::{Glossary, Lang};
use aws_sdk_translate::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_translate::primitives::Blob;
use aws_sdk_translate::types::{
    Directionality, MergeStrategy, TerminologyData, TerminologyDataFormat,
};
use std::sync::{Arc, Mutex};

/// `TranslateText` takes at most 10,000 bytes; pieces stay below with room for the spans.
const PIECE_BYTES: usize = 9_000;

#[derive(Clone, Debug)]
pub struct AmazonTranslateApi {
    client: aws_sdk_translate::Client,
    retry: RetryPolicy,
    /// The fingerprint of the terminology imported by this process.
    imported: Arc<Mutex<Option<String>>>,
}

fn code(l: Lang) -> &'static str {
    match l {
        Lang::En => "en",
        Lang::Ja => "ja",
    }
}

fn convert<E: ProvideErrorMetadata + std::fmt::Debug>(e: SdkError<E>) -> TranslateError {
    match &e {
        SdkError::ServiceError(s) => {
            let code = s.err().code().unwrap_or("Unknown");
            let message = s.err().message().unwrap_or("").to_owned();
            let status = s.raw().status().as_u16();
            match code {
                "ThrottlingException"
                | "TooManyRequestsException"
                | "ServiceUnavailableException" => {
                    TranslateError::Unavailable(format!("{code} (HTTP {status})"))
                }
                _ if status >= 500 => {
                    TranslateError::Unavailable(format!("{code} (HTTP {status})"))
                }
                "TextSizeLimitExceededException" => TranslateError::TooLong,
                "AccessDeniedException"
                | "UnrecognizedClientException"
                | "InvalidSignatureException" => TranslateError::Auth,
                _ => TranslateError::Api {
                    status,
                    message: format!("{code}: {message}"),
                },
            }
        }
        other => TranslateError::Unavailable(format!("{other:?}").chars().take(300).collect()),
    }
}

fn classify(e: &TranslateError) -> Verdict {
    match e {
        TranslateError::Unavailable(_) => Verdict::Retry(None),
        _ => Verdict::Fatal,
    }
}

/// `text` cut at line ends into pieces of at most `max` bytes (a longer line is one piece).
fn pieces(text: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for (i, _) in text.match_indices('\n') {
        if i + 1 - start > max && end > start {
            out.push(&text[start..end]);
            start = end;
        }
        end = i + 1;
    }
    if text.len() - start > max && end > start {
        out.push(&text[start..end]);
        start = end;
    }
    out.push(&text[start..]);
    out
}

impl AmazonTranslateApi {
    pub async fn new(target: &AwsTarget, retry: RetryPolicy) -> Self {
        let conf = target.sdk_config().await;
        Self {
            client: aws_sdk_translate::Client::new(&conf),
            retry: retry.for_service("amazon_translate"),
            imported: Arc::default(),
        }
    }

    /// The custom terminology holding `g`'s terms (both ways), imported once per process and
    /// glossary; `None` when there are no terms.
    pub async fn terminology(&self, g: &Glossary) -> Result<Option<String>, TranslateError> {
        if g.terms.is_empty() {
            return Ok(None);
        }
        let fingerprint = g.fingerprint();
        let name = format!("banto-{fingerprint}");
        if self.imported.lock().expect("terminology").as_deref() == Some(fingerprint.as_str()) {
            return Ok(Some(name));
        }
        let mut csv = String::from("en,ja\n");
        for (en, ja) in &g.terms {
            csv.push_str(&format!("{},{}\n", csv_field(en), csv_field(ja)));
        }
        let data = TerminologyData::builder()
            .file(Blob::new(csv.into_bytes()))
            .format(TerminologyDataFormat::Csv)
            .directionality(Directionality::Multi)
            .build()
            .map_err(|e| TranslateError::Unavailable(e.to_string()))?;
        self.retry
            .run(
                || async {
                    self.client
                        .import_terminology()
                        .name(&name)
                        .merge_strategy(MergeStrategy::Overwrite)
                        .description("banto [translate.glossary] terms")
                        .terminology_data(data.clone())
                        .send()
                        .await
                        .map_err(convert)
                },
                classify,
            )
            .await?;
        *self.imported.lock().expect("terminology") = Some(fingerprint);
        Ok(Some(name))
    }

    /// Span-protected `text` (see `domain::translate::Style::Span`) translated into `to`.
    pub async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        glossary: &Glossary,
    ) -> Result<String, TranslateError> {
        let terminology = self.terminology(glossary).await?;
        let mut out = String::with_capacity(text.len() * 2);
        for piece in pieces(text, PIECE_BYTES) {
            let (lead, body, trail) = trim_lines(piece);
            out.push_str(lead);
            if !body.is_empty() {
                let translated = self
                    .retry
                    .run(
                        || async {
                            self.client
                                .translate_text()
                                .text(body)
                                .source_language_code(code(from))
                                .target_language_code(code(to))
                                .set_terminology_names(terminology.clone().map(|t| vec![t]))
                                .send()
                                .await
                                .map_err(convert)
                        },
                        classify,
                    )
                    .await?;
                out.push_str(translated.translated_text());
            }
            out.push_str(trail);
        }
        Ok(out)
    }
}

/// A piece's leading and trailing line breaks, kept out of the request (the service trims them).
fn trim_lines(s: &str) -> (&str, &str, &str) {
    let body = s.trim_matches('\n');
    let lead = &s[..s.len() - s.trim_start_matches('\n').len()];
    let trail = &s[s.trim_end_matches('\n').len()..];
    if body.is_empty() {
        (s, "", "")
    } else {
        (lead, body, trail)
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_line_ends_and_put_back_whole() {
        let text = "aaaa\nbbbb\ncccc\ndd";
        let p = pieces(text, 10);
        assert_eq!(p, ["aaaa\nbbbb\n", "cccc\ndd"]);
        assert_eq!(p.concat(), text);
        assert_eq!(pieces("short", 10), ["short"]);
        assert_eq!(
            pieces("a-very-long-line\nx", 5),
            ["a-very-long-line\n", "x"]
        );
        assert_eq!(trim_lines("\n\nhi\n"), ("\n\n", "hi", "\n"));
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
