//! Any OpenAI-compatible `POST {base}/chat/completions` (vLLM, Ollama, a company gateway), so
//! incident text can stay in-house: the instructions demand every `⟦n⟧` placeholder back and
//! carry the team's terms; temperature 0; a key only if the gateway wants one.

use super::TranslateError;
use crate::clients::retry::{RetryPolicy, Verdict};
use crate::config::Secret;
use crate::domain::translate::{Glossary, Lang, instructions};
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Clone)]
pub struct LlmApi {
    base_url: String,
    model: String,
    key: Option<Secret>,
    http: reqwest::Client,
    retry: RetryPolicy,
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

impl LlmApi {
    pub fn new(
        base_url: &str,
        model: &str,
        key: Option<Secret>,
        retry: RetryPolicy,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            model: model.to_owned(),
            key,
            // A local model on a busy GPU is slow; still, an incident cannot wait forever.
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?,
            retry,
        })
    }

    /// Placeholder-protected `text` (see `domain::translate::Style::Placeholder`) into `to`.
    pub async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        glossary: &Glossary,
    ) -> Result<String, TranslateError> {
        let body = json!({
            "model": self.model,
            "temperature": 0,
            "messages": [
                { "role": "system", "content": instructions(from, to, glossary) },
                { "role": "user", "content": text },
            ],
        });
        let url = format!("{}/chat/completions", self.base_url);
        let answer: Value = self
            .retry
            .run(
                || async {
                    let mut req = self.http.post(&url).json(&body);
                    if let Some(key) = &self.key {
                        req = req.bearer_auth(key.expose());
                    }
                    let r = req.send().await.map_err(|e| {
                        (
                            TranslateError::Unavailable(e.without_url().to_string()),
                            None,
                        )
                    })?;
                    let status = r.status().as_u16();
                    let after = super::retry_after(r.headers());
                    let text = r.text().await.unwrap_or_default();
                    match status {
                        200 => serde_json::from_str(&text).map_err(|e| {
                            (
                                TranslateError::Unavailable(format!("unreadable answer: {e}")),
                                None,
                            )
                        }),
                        401 | 403 => Err((TranslateError::Auth, None)),
                        status => {
                            let message = serde_json::from_str::<Value>(&text)
                                .ok()
                                .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
                                .unwrap_or_default();
                            Err((TranslateError::Api { status, message }, after))
                        }
                    }
                },
                classify,
            )
            .await
            .map_err(|(e, _)| match e {
                TranslateError::Api { status, message } if status == 429 || status >= 500 => {
                    TranslateError::Unavailable(format!("answered {status} {message}"))
                }
                e => e,
            })?;
        let choice = &answer["choices"][0];
        if choice["finish_reason"] == "length" {
            return Err(TranslateError::TooLong);
        }
        choice["message"]["content"]
            .as_str()
            .map(|s| s.trim().to_owned())
            .ok_or_else(|| TranslateError::Unavailable("an answer without a message".into()))
    }
}
