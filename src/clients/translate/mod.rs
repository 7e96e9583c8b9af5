//! The translators behind one interface: DeepL, Amazon Translate and an OpenAI-compatible
//! chat-completions endpoint. Each takes text already protected in its own `Style` and gives
//! back the provider's answer; what the tokens mean stays in `domain::translate`.

pub mod amazon;
pub mod deepl;
pub mod llm;

use super::aws::AwsTarget;
use super::retry::{RetryPolicy, Verdict};
use crate::config::{Config, Secrets};
use crate::domain::translate::{Glossary, Lang, Provider};
use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TranslateError {
    /// DeepL 456: the account's character quota is used up.
    #[error("the translator's quota is used up")]
    Quota,
    #[error("the translator refused banto's credentials")]
    Auth,
    #[error("the message is too long for the translator")]
    TooLong,
    #[error("the translator answered {status}: {message}")]
    Api { status: u16, message: String },
    /// Down, throttled or unreadable, after the retry policy gave up.
    #[error("the translator is unavailable: {0}")]
    Unavailable(String),
}

/// The `Retry-After` header in seconds, if any.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .map(Duration::from_secs)
}

fn classify(e: &(TranslateError, Option<Duration>)) -> Verdict {
    match &e.0 {
        TranslateError::Api { status, .. } if *status == 429 || *status >= 500 => {
            Verdict::Retry(e.1)
        }
        TranslateError::Unavailable(_) => Verdict::Retry(None),
        _ => Verdict::Fatal,
    }
}

/// One JSON call over HTTP under the retry policy: a 2xx answer as JSON, 401/403 as `Auth`,
/// `own` for a provider's own statuses (DeepL's 456), any other status as `Api` with the
/// message found at the JSON pointer `message_at`. 429 and 5xx are retried; still failing after
/// the retries, they are an outage.
async fn call_json(
    retry: &RetryPolicy,
    request: impl Fn() -> reqwest::RequestBuilder,
    own: fn(u16) -> Option<TranslateError>,
    message_at: &str,
) -> Result<serde_json::Value, TranslateError> {
    let unavailable = |e: String| (TranslateError::Unavailable(e), None);
    let method = request()
        .build()
        .map_or_else(|_| "call".to_owned(), |r| r.url().path().to_owned());
    retry
        .run_as(
            &method,
            || async {
                let r = request()
                    .send()
                    .await
                    .map_err(|e| unavailable(e.without_url().to_string()))?;
                let status = r.status().as_u16();
                let after = retry_after(r.headers());
                let text = r.text().await.unwrap_or_default();
                if (200..300).contains(&status) {
                    return serde_json::from_str(&text)
                        .map_err(|e| unavailable(format!("unreadable answer: {e}")));
                }
                if let Some(e) = own(status) {
                    return Err((e, None));
                }
                if status == 401 || status == 403 {
                    return Err((TranslateError::Auth, None));
                }
                let message = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.pointer(message_at)?.as_str().map(str::to_owned))
                    .unwrap_or_default();
                Err((TranslateError::Api { status, message }, after))
            },
            classify,
        )
        .await
        .map_err(|(e, _)| match e {
            TranslateError::Api { status, message } if status == 429 || status >= 500 => {
                TranslateError::Unavailable(format!("answered {status} {message}"))
            }
            e => e,
        })
}

/// The configured translators; a provider is on when its key or section is set.
#[derive(Clone, Default)]
pub struct Translators {
    pub deepl: Option<deepl::DeeplApi>,
    pub amazon: Option<amazon::AmazonTranslateApi>,
    pub llm: Option<llm::LlmApi>,
}

impl Translators {
    pub async fn new(
        config: &Config,
        secrets: &Secrets,
        aws: &AwsTarget,
        retry: RetryPolicy,
    ) -> anyhow::Result<Self> {
        let t = &config.translate;
        Ok(Self {
            deepl: match &secrets.deepl_api_key {
                Some(key) => Some(deepl::DeeplApi::new(&t.deepl.url, key.clone(), retry)?),
                None => None,
            },
            amazon: match &t.amazon {
                Some(_) => Some(amazon::AmazonTranslateApi::new(aws, retry).await),
                None => None,
            },
            llm: match &t.llm {
                Some(l) => Some(llm::LlmApi::new(
                    &l.url,
                    &l.model,
                    secrets.translate_llm_api_key.clone(),
                    retry,
                )?),
                None => None,
            },
        })
    }

    pub fn has(&self, p: Provider) -> bool {
        match p {
            Provider::Deepl => self.deepl.is_some(),
            Provider::Amazon => self.amazon.is_some(),
            Provider::Llm => self.llm.is_some(),
        }
    }

    pub fn any(&self) -> bool {
        [Provider::Deepl, Provider::Amazon, Provider::Llm]
            .into_iter()
            .any(|p| self.has(p))
    }

    /// `text`, protected in `p.style()`, translated by `p`.
    pub async fn translate(
        &self,
        p: Provider,
        text: &str,
        from: Lang,
        to: Lang,
        glossary: &Glossary,
    ) -> Result<String, TranslateError> {
        let off = || TranslateError::Unavailable(format!("{} is not configured", p.name()));
        match p {
            Provider::Deepl => {
                let api = self.deepl.as_ref().ok_or_else(off)?;
                let glossary = api.glossary(glossary, from, to).await?;
                let out = api
                    .translate(&[text.to_owned()], Some(from), to, glossary.as_deref())
                    .await?;
                Ok(out.into_iter().next().unwrap_or_default())
            }
            Provider::Amazon => {
                let api = self.amazon.as_ref().ok_or_else(off)?;
                api.translate(text, from, to, glossary).await
            }
            Provider::Llm => {
                let api = self.llm.as_ref().ok_or_else(off)?;
                api.translate(text, from, to, glossary).await
            }
        }
    }
}
