//! DeepL's `POST /v2/translate` (free and pro endpoints are the same API at different hosts):
//! `Authorization: DeepL-Auth-Key …`, Slack markup protected as XML tags DeepL ignores
//! (`tag_handling=xml`, `ignore_tags=x`), the shared retry policy for 429 and 5xx, and 456
//! (quota exceeded) as its own error so it can be reported once, not per message.

use super::retry::{RetryPolicy, Verdict};
use crate::config::Secret;
use crate::domain::translate::Lang;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeeplError {
    /// 456: the account's character quota is used up.
    #[error("DeepL quota exceeded")]
    Quota,
    /// 403: the key was refused.
    #[error("DeepL refused the API key")]
    Auth,
    #[error("DeepL answered {status}: {message}")]
    Api { status: u16, message: String },
    #[error("DeepL unavailable: {0}")]
    Unavailable(String),
}

#[derive(Clone)]
pub struct DeeplApi {
    base_url: String,
    key: Secret,
    http: reqwest::Client,
    retry: RetryPolicy,
}

#[derive(Deserialize)]
struct Answer {
    translations: Vec<Translation>,
}

#[derive(Deserialize)]
struct Translation {
    text: String,
}

/// DeepL's code for a target language (English needs a variant).
fn target(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "EN-US",
        Lang::Ja => "JA",
    }
}

fn classify(e: &(DeeplError, Option<Duration>)) -> Verdict {
    match &e.0 {
        DeeplError::Api { status, .. } if *status == 429 || *status >= 500 => Verdict::Retry(e.1),
        DeeplError::Unavailable(_) => Verdict::Retry(None),
        _ => Verdict::Fatal,
    }
}

impl DeeplApi {
    /// `base_url`: `https://api-free.deepl.com` (free keys end in `:fx`), `https://api.deepl.com`,
    /// or a fake's.
    pub fn new(base_url: &str, key: Secret, retry: RetryPolicy) -> anyhow::Result<Self> {
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            key,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()?,
            retry,
        })
    }

    /// Translate XML-protected `texts` (see `domain::translate::Style::Xml`) into `to`, with a
    /// glossary if one is given.
    pub async fn translate(
        &self,
        texts: &[String],
        from: Option<Lang>,
        to: Lang,
        glossary: Option<&str>,
    ) -> Result<Vec<String>, DeeplError> {
        let mut body = json!({
            "text": texts, "target_lang": target(to),
            "tag_handling": "xml", "ignore_tags": ["x"], "preserve_formatting": true,
        });
        if let Some(from) = from {
            body["source_lang"] = json!(match from {
                Lang::En => "EN",
                Lang::Ja => "JA",
            });
        }
        if let Some(g) = glossary {
            body["glossary_id"] = json!(g);
        }
        let url = format!("{}/v2/translate", self.base_url);
        let answer: Answer = self
            .retry
            .run(
                || async {
                    let r = self
                        .http
                        .post(&url)
                        .header(
                            "authorization",
                            format!("DeepL-Auth-Key {}", self.key.expose()),
                        )
                        .json(&body)
                        .send()
                        .await
                        .map_err(|e| {
                            (DeeplError::Unavailable(e.without_url().to_string()), None)
                        })?;
                    let status = r.status().as_u16();
                    let after = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .map(Duration::from_secs);
                    let text = r.text().await.unwrap_or_default();
                    match status {
                        200 => serde_json::from_str(&text).map_err(|e| {
                            (
                                DeeplError::Unavailable(format!("unreadable answer: {e}")),
                                None,
                            )
                        }),
                        456 => Err((DeeplError::Quota, None)),
                        403 => Err((DeeplError::Auth, None)),
                        status => {
                            let message = serde_json::from_str::<serde_json::Value>(&text)
                                .ok()
                                .and_then(|v| v["message"].as_str().map(str::to_owned))
                                .unwrap_or_default();
                            Err((DeeplError::Api { status, message }, after))
                        }
                    }
                },
                classify,
            )
            .await
            .map_err(|(e, _)| e)?;
        Ok(answer.translations.into_iter().map(|t| t.text).collect())
    }
}
