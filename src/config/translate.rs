//! `[translate]`: machine translation between English and Japanese.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslateConfig {
    /// DeepL's API: `https://api-free.deepl.com` for free keys, `https://api.deepl.com` for pro.
    /// Translation is on when `DEEPL_API_KEY` is set.
    #[serde(default = "default_deepl_url")]
    pub deepl_url: String,
    /// A DeepL glossary (team terms: service names kept, `rollback` ↔ `ロールバック`).
    pub deepl_glossary_id: Option<String>,
    /// Channels (ids) where every person's message gets the other language in its thread;
    /// incident channels whose playbook says `translate = true` do too.
    #[serde(default)]
    pub auto_channels: Vec<String>,
}

impl Default for TranslateConfig {
    fn default() -> Self {
        Self {
            deepl_url: default_deepl_url(),
            deepl_glossary_id: None,
            auto_channels: Vec::new(),
        }
    }
}

fn default_deepl_url() -> String {
    "https://api-free.deepl.com".into()
}
