//! Any OpenAI-compatible `POST {base}/chat/completions` (vLLM, Ollama, a company gateway), so
//! incident text can stay in-house: the instructions demand every `⟦n⟧` placeholder back and
//! carry the team's terms; temperature 0; a key only if the gateway wants one.

use super::TranslateError;
use crate::clients::retry::RetryPolicy;
use crate::config::Secret;
use crate::domain::translate::{Glossary, Lang, instructions};
use serde_json::json;
use std::time::Duration;

#[derive(Clone)]
pub struct LlmApi {
    base_url: String,
    model: String,
    key: Option<Secret>,
    http: reqwest::Client,
    retry: RetryPolicy,
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
            retry: retry.for_service("llm"),
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
        let request = || {
            let req = self.http.post(&url).json(&body);
            match &self.key {
                Some(key) => req.bearer_auth(key.expose()),
                None => req,
            }
        };
        let answer = super::call_json(&self.retry, request, |_| None, "/error/message").await?;
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
