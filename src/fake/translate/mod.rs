//! Fake translators, one per provider, each speaking its wire format (DeepL's JSON, Amazon
//! Translate's RPC v2 CBOR, OpenAI's chat completions) with its errors, and translating the
//! same deterministic way so tests and the console need no key: a small phrase table plus the
//! glossary the request carried; anything else is marked with its target (`[JA] …`). Markup
//! a provider is told to keep (tags, spans, placeholders) is never touched.

pub mod amazon;
pub mod deepl;
pub mod llm;
pub mod samples;

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Words an ops channel says, both ways.
const PHRASES: &[(&str, &str)] = &[
    ("rollback", "ロールバック"),
    ("deploy", "デプロイ"),
    ("started", "開始しました"),
    ("finished", "完了しました"),
    ("the runbook", "手順書"),
];

/// `text` "translated": `pairs` (source → target, a glossary) first, then the phrase table
/// in the direction of `to_japanese`; unchanged text is marked `[{marker}] `.
pub fn translate(
    text: &str,
    to_japanese: bool,
    pairs: &[(String, String)],
    marker: &str,
) -> String {
    let mut out = text.to_owned();
    for (from, to) in pairs {
        out = out.replace(from.as_str(), to);
    }
    for (en, ja) in PHRASES {
        out = if to_japanese {
            out.replace(en, ja)
        } else {
            out.replace(ja, en)
        };
    }
    if out == text {
        format!("[{marker}] {text}")
    } else {
        out
    }
}

/// A fake's answer time, shared with its handlers (the benchmark sets it to a provider's).
#[derive(Clone, Default)]
pub struct Latency(Arc<Mutex<Duration>>);

impl Latency {
    pub fn set(&self, d: Duration) {
        *self.0.lock().expect("latency") = d;
    }

    pub async fn wait(&self) {
        let d = *self.0.lock().expect("latency");
        crate::fake::latency::wait(d).await;
    }
}
