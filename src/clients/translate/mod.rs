//! The translators behind one interface: DeepL, Amazon Translate and an OpenAI-compatible
//! chat-completions endpoint. Each takes text already protected in its own `Style` and gives
//! back the provider's answer; what the tokens mean stays in `domain::translate`.

pub mod amazon;
pub mod deepl;
pub mod llm;

use super::aws::AwsTarget;
use super::retry::RetryPolicy;
use crate::config::{Config, Secrets};
use crate::domain::translate::{Glossary, Lang, Provider};

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
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<std::time::Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .map(std::time::Duration::from_secs)
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
