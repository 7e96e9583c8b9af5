//! `[translate]`: machine translation between English and Japanese, by DeepL, Amazon Translate
//! or a self-hosted OpenAI-compatible model, chosen per channel.

use crate::domain::translate::{Glossary, Provider};
use crate::ids::ChannelId;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslateConfig {
    /// Who translates unless `channels` says otherwise.
    #[serde(default)]
    pub provider: Provider,
    /// Channel id → provider, e.g. a private security channel kept on the self-hosted model.
    #[serde(default)]
    pub channels: BTreeMap<ChannelId, Provider>,
    /// Channels (ids) where every person's message gets the other language in its thread;
    /// incident channels whose playbook says `translate = true` do too.
    #[serde(default)]
    pub auto_channels: Vec<ChannelId>,
    #[serde(default)]
    pub glossary: GlossaryConfig,
    #[serde(default)]
    pub deepl: DeeplConfig,
    /// Present: Amazon Translate is on, with the AWS credentials CodeBuild uses.
    pub amazon: Option<AmazonConfig>,
    /// Present: the OpenAI-compatible endpoint is on.
    pub llm: Option<LlmConfig>,
}

/// Team terms: `keep` is never translated (service names), `terms` maps English to Japanese
/// both ways (`rollback = "ロールバック"`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryConfig {
    #[serde(default)]
    pub keep: Vec<String>,
    #[serde(default)]
    pub terms: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeeplConfig {
    /// `https://api-free.deepl.com` for free keys, `https://api.deepl.com` for pro. DeepL is on
    /// when `DEEPL_API_KEY` is set.
    #[serde(default = "default_deepl_url")]
    pub url: String,
    /// Whether private channels' text may go to DeepL.
    #[serde(default)]
    pub private_ok: bool,
    /// Characters sent per calendar month (UTC) before banto stops; 0: no budget.
    #[serde(default)]
    pub monthly_characters: u64,
}

impl Default for DeeplConfig {
    fn default() -> Self {
        Self {
            url: default_deepl_url(),
            private_ok: false,
            monthly_characters: 0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmazonConfig {
    /// Defaults to `[aws] region`; its endpoint is `[aws.endpoints] translate`.
    pub region: Option<String>,
    #[serde(default)]
    pub private_ok: bool,
    #[serde(default)]
    pub monthly_characters: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// The API base, e.g. `http://vllm.internal:8000/v1` (`/chat/completions` is added); a key,
    /// if the gateway wants one, is `TRANSLATE_LLM_API_KEY`.
    pub url: String,
    pub model: String,
    /// Self-hosted: private channels may use it unless said otherwise.
    #[serde(default = "yes")]
    pub private_ok: bool,
    #[serde(default)]
    pub monthly_characters: u64,
}

fn yes() -> bool {
    true
}

fn default_deepl_url() -> String {
    "https://api-free.deepl.com".into()
}

impl TranslateConfig {
    /// The provider for a channel.
    pub fn provider_for(&self, channel: &ChannelId) -> Provider {
        self.channels.get(channel).copied().unwrap_or(self.provider)
    }

    pub fn glossary(&self) -> Glossary {
        Glossary {
            keep: self.glossary.keep.clone(),
            terms: self
                .glossary
                .terms
                .iter()
                .map(|(en, ja)| (en.clone(), ja.clone()))
                .collect(),
        }
    }

    /// `(private_ok, monthly_characters)` of a provider.
    pub fn limits(&self, p: Provider) -> (bool, u64) {
        match p {
            Provider::Deepl => (self.deepl.private_ok, self.deepl.monthly_characters),
            Provider::Amazon => self
                .amazon
                .as_ref()
                .map_or((false, 0), |a| (a.private_ok, a.monthly_characters)),
            Provider::Llm => self
                .llm
                .as_ref()
                .map_or((false, 0), |l| (l.private_ok, l.monthly_characters)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::domain::translate::Provider;
    use std::path::Path;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("config.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_channel_gets_its_own_provider_and_private_ok_defaults_to_the_self_hosted_one() {
        let c = parse(
            "[translate]\nprovider = \"amazon\"\nchannels = { C0SECURITY0 = \"llm\" }\n\
             [translate.glossary]\nkeep = [\"payments-api\"]\nterms = { rollback = \"ロールバック\" }\n\
             [translate.amazon]\nmonthly_characters = 1000\n\
             [translate.llm]\nurl = \"http://vllm.internal:8000/v1\"\nmodel = \"qwen\"\n",
        )
        .unwrap();
        let t = &c.translate;
        assert_eq!(t.provider_for(&"C0SECURITY0".into()), Provider::Llm);
        assert_eq!(t.provider_for(&"C0OPS00000".into()), Provider::Amazon);
        assert_eq!(t.limits(Provider::Amazon), (false, 1000));
        assert_eq!(t.limits(Provider::Llm), (true, 0));
        assert_eq!(t.limits(Provider::Deepl), (false, 0));
        assert_eq!(
            t.glossary().terms,
            [("rollback".to_owned(), "ロールバック".to_owned())]
        );
    }

    #[test]
    fn a_provider_chosen_but_not_set_up_is_an_error_at_its_line() {
        let e = parse("[translate]\nauto_channels = []\nchannels = { C0SECURITY0 = \"llm\" }\n")
            .unwrap_err();
        assert!(e.contains("config.toml:3:"), "{e}");
        assert!(e.contains("[translate.llm]"), "{e}");
        let e = parse("[translate.deepl]\nurl = \"https://api.deepl.com\"\nglossary = \"x\"\n")
            .unwrap_err();
        assert!(
            e.contains("config.toml:3:") && e.contains("glossary"),
            "{e}"
        );
        let e = parse("[translate.llm]\nurl = \"vllm:8000\"\nmodel = \"m\"\n").unwrap_err();
        assert!(e.contains("config.toml:2:") && e.contains("http(s)"), "{e}");
    }
}
