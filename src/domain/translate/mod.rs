//! Pure translation logic: which language a message is in (`detect`), and what a translation
//! must carry through untouched (`protect`).

mod detect;
mod glossary;
mod protect;

pub use detect::{detect, words};
pub use glossary::{Glossary, instructions};
pub use protect::{Kept, Lost, Piece, Style, encode, restore, split};

/// Who translates.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    #[default]
    Deepl,
    Amazon,
    /// An OpenAI-compatible chat-completions endpoint (self-hosted).
    Llm,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Deepl => "deepl",
            Provider::Amazon => "amazon",
            Provider::Llm => "llm",
        }
    }

    /// How protected tokens travel through this provider.
    pub fn style(self) -> Style {
        match self {
            Provider::Deepl => Style::Xml,
            Provider::Amazon => Style::Span,
            Provider::Llm => Style::Placeholder,
        }
    }
}

/// English or Japanese: the two languages banto translates between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ja,
            Lang::Ja => Lang::En,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::translate::samples::{OPS_MESSAGES, names};

    /// A provider that translates (here: upper-cases) only the text between tokens and moves
    /// the first token to the end, as a real one may reorder them.
    fn provider(encoded: &str, style: Style) -> String {
        let (open, close) = match style {
            Style::Xml => ("<x i=\"", "\"/>"),
            Style::Span => ("<span translate=\"no\">⟦", "⟧</span>"),
            Style::Placeholder => ("⟦", "⟧"),
        };
        let mut parts: Vec<String> = Vec::new();
        let mut rest = encoded;
        while let Some(i) = rest.find(open) {
            let end = rest[i..].find(close).unwrap() + i + close.len();
            parts.push(
                rest[..i]
                    .to_uppercase()
                    .replace("&AMP;", "&amp;")
                    .replace("&LT;", "&lt;")
                    .replace("&GT;", "&gt;"),
            );
            parts.push(rest[i..end].to_owned());
            rest = &rest[end..];
        }
        parts.push(
            rest.to_uppercase()
                .replace("&AMP;", "&amp;")
                .replace("&LT;", "&lt;")
                .replace("&GT;", "&gt;"),
        );
        if let Some(first) = parts.iter().position(|p| p.starts_with(open)) {
            let token = parts.remove(first);
            parts.push(token);
        }
        parts.concat()
    }

    #[test]
    fn forty_ops_messages_keep_every_token_and_ping_nobody() {
        assert!(OPS_MESSAGES.len() >= 40);
        for (text, lang, kept) in OPS_MESSAGES {
            assert_eq!(detect(text), *lang, "{text:?}");
            for style in [Style::Xml, Style::Span, Style::Placeholder] {
                let pieces = split(text, &names);
                let (encoded, tokens) = encode(&pieces, style);
                let back = restore(&provider(&encoded, style), &tokens, style)
                    .unwrap_or_else(|e| panic!("{text:?} {style:?}: lost {e:?}"));
                for k in *kept {
                    assert!(
                        back.contains(k),
                        "{text:?} {style:?}: {k:?} missing in {back:?}"
                    );
                }
                assert!(
                    !back.contains("<@")
                        && !back.contains("<!here")
                        && !back.contains("<!channel")
                        && !back.contains("<!subteam"),
                    "{text:?} {style:?} would ping: {back:?}"
                );
            }
        }
    }

    #[test]
    fn a_token_the_provider_dropped_or_doubled_is_named() {
        let pieces = split("ask <@U0ALICE> about `db-1`", &names);
        let (encoded, tokens) = encode(&pieces, Style::Placeholder);
        assert_eq!(encoded, "ask ⟦0⟧ about ⟦1⟧");
        assert_eq!(
            restore("⟦0⟧に聞いて", &tokens, Style::Placeholder),
            Err(Lost(vec![1]))
        );
        assert_eq!(
            restore("⟦0⟧ ⟦0⟧ に ⟦1⟧ を聞いて", &tokens, Style::Placeholder),
            Err(Lost(vec![0]))
        );
        assert_eq!(
            restore("⟦1⟧ について ⟦0⟧ に聞いて", &tokens, Style::Placeholder).as_deref(),
            Ok("`db-1` について @alice に聞いて")
        );
    }

    #[test]
    fn a_channel_mention_keeps_its_label() {
        let pieces = split("move to <#C0123|general> now", &names);
        let (encoded, tokens) = encode(&pieces, Style::Placeholder);
        assert_eq!(encoded, "move to ⟦0⟧ now");
        let back = restore("⟦0⟧ に移動", &tokens, Style::Placeholder).unwrap();
        assert_eq!(back, "<#C0123|general> に移動");
    }

    #[test]
    fn a_link_label_is_translated_and_its_url_kept() {
        let pieces = split("see <https://x.example/a?b=1&c=2|the runbook> now", &names);
        let (encoded, tokens) = encode(&pieces, Style::Xml);
        assert_eq!(encoded, "see <x i=\"0\"/>the runbook<x i=\"1\"/> now");
        let back = restore("<x i=\"0\"/>手順書<x i=\"1\"/>を見て", &tokens, Style::Xml).unwrap();
        assert_eq!(back, "<https://x.example/a?b=1&c=2|手順書>を見て");
    }
}
