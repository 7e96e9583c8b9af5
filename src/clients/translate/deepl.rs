//! DeepL's `POST /v2/translate` (free and pro endpoints are the same API at different hosts):
//! `Authorization: DeepL-Auth-Key …`, Slack markup protected as XML tags DeepL ignores
//! (`tag_handling=xml`, `ignore_tags=x`), the shared retry policy for 429 and 5xx, and 456
//! (quota exceeded) as its own error so it can be reported once, not per message.

use super::TranslateError;
use crate::clients::retry::RetryPolicy;
use crate::config::Secret;
use crate::domain::translate::{Glossary, Lang};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `(glossary fingerprint, from, to)`.
type GlossaryKey = (String, Lang, Lang);

#[derive(Clone)]
pub struct DeeplApi {
    base_url: String,
    key: Secret,
    http: reqwest::Client,
    retry: RetryPolicy,
    /// Glossary ids by `(fingerprint, from, to)`, found or made once per process.
    glossaries: Arc<Mutex<HashMap<GlossaryKey, String>>>,
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

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "EN",
        Lang::Ja => "JA",
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
            retry: retry.for_service("deepl"),
            glossaries: Arc::default(),
        })
    }

    /// The DeepL glossary holding `g`'s pairs for `from → to`: found by its name (which carries
    /// the content's fingerprint) or made, once per process; `None` when there are no terms.
    pub async fn glossary(
        &self,
        g: &Glossary,
        from: Lang,
        to: Lang,
    ) -> Result<Option<String>, TranslateError> {
        if g.terms.is_empty() {
            return Ok(None);
        }
        let key = (g.fingerprint(), from, to);
        if let Some(id) = self.glossaries.lock().expect("glossaries").get(&key) {
            return Ok(Some(id.clone()));
        }
        let name = format!("banto-{}-{}-{}", code(from), code(to), key.0);
        let listed = self
            .call(reqwest::Method::GET, "/v2/glossaries", None)
            .await?;
        let found = listed["glossaries"].as_array().and_then(|all| {
            all.iter()
                .find(|x| x["name"] == name.as_str() && x["ready"] != false)
                .and_then(|x| x["glossary_id"].as_str().map(str::to_owned))
        });
        let id = match found {
            Some(id) => id,
            None => {
                let entries: Vec<String> = g
                    .pairs(from, to)
                    .iter()
                    .map(|(a, b)| format!("{a}\t{b}"))
                    .collect();
                let body = json!({ "name": name, "source_lang": code(from).to_lowercase(),
                    "target_lang": code(to).to_lowercase(), "entries": entries.join("\n"),
                    "entries_format": "tsv" });
                let made = self
                    .call(reqwest::Method::POST, "/v2/glossaries", Some(&body))
                    .await?;
                made["glossary_id"]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| TranslateError::Unavailable("glossary without an id".into()))?
            }
        };
        self.glossaries
            .lock()
            .expect("glossaries")
            .insert(key, id.clone());
        Ok(Some(id))
    }

    /// One DeepL call with the key, under the retry policy; the answer as JSON.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, TranslateError> {
        let url = format!("{}{path}", self.base_url);
        let request = || {
            let req = self.http.request(method.clone(), &url).header(
                "authorization",
                format!("DeepL-Auth-Key {}", self.key.expose()),
            );
            match body {
                Some(body) => req.json(body),
                None => req,
            }
        };
        let quota = |status| (status == 456).then_some(TranslateError::Quota);
        super::call_json(&self.retry, request, quota, "/message").await
    }

    /// Translate XML-protected `texts` (see `domain::translate::Style::Xml`) into `to`, with a
    /// glossary if one is given.
    pub async fn translate(
        &self,
        texts: &[String],
        from: Option<Lang>,
        to: Lang,
        glossary: Option<&str>,
    ) -> Result<Vec<String>, TranslateError> {
        let mut body = json!({
            "text": texts, "target_lang": target(to),
            "tag_handling": "xml", "ignore_tags": ["x"], "preserve_formatting": true,
        });
        if let Some(from) = from {
            body["source_lang"] = json!(code(from));
        }
        if let Some(g) = glossary {
            body["glossary_id"] = json!(g);
        }
        let answer = self
            .call(reqwest::Method::POST, "/v2/translate", Some(&body))
            .await?;
        let answer: Answer = serde_json::from_value(answer)
            .map_err(|e| TranslateError::Unavailable(format!("unreadable answer: {e}")))?;
        Ok(answer.translations.into_iter().map(|t| t.text).collect())
    }
}
