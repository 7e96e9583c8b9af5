//! A team's terms: words never translated (service names), kept like code by every provider,
//! and English ⇄ Japanese pairs, sent as a DeepL glossary, an Amazon custom terminology, or in
//! the LLM's instructions.

use super::{Lang, Piece, protect::Kept};
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Glossary {
    pub keep: Vec<String>,
    /// `(English, Japanese)`.
    pub terms: Vec<(String, String)>,
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
}

impl Glossary {
    pub fn is_empty(&self) -> bool {
        self.keep.is_empty() && self.terms.is_empty()
    }

    /// Names this glossary's content: a changed glossary is a new one (and a new cache key).
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for k in &self.keep {
            h.update(format!("k\0{k}\0"));
        }
        for (en, ja) in &self.terms {
            h.update(format!("t\0{en}\0{ja}\0"));
        }
        hex::encode(&h.finalize()[..8])
    }

    /// `(source, target)` pairs for one direction.
    pub fn pairs(&self, from: Lang, to: Lang) -> Vec<(&str, &str)> {
        self.terms
            .iter()
            .map(|(en, ja)| match (from, to) {
                (Lang::Ja, Lang::En) => (ja.as_str(), en.as_str()),
                _ => (en.as_str(), ja.as_str()),
            })
            .collect()
    }

    /// The kept words of `pieces`' text cut out as tokens, matched whole (not inside a longer
    /// name: `api` does not match `payments-api`).
    pub fn keep_words(&self, pieces: Vec<Piece>) -> Vec<Piece> {
        if self.keep.is_empty() {
            return pieces;
        }
        let mut out = Vec::new();
        for piece in pieces {
            let Piece::Text(text) = piece else {
                out.push(piece);
                continue;
            };
            let mut rest = text.as_str();
            'scan: while !rest.is_empty() {
                for (i, _) in rest.char_indices() {
                    let before = rest[..i].chars().next_back();
                    if before.is_some_and(word_char) {
                        continue;
                    }
                    for k in &self.keep {
                        let after = rest[i..].strip_prefix(k.as_str());
                        if after.is_some_and(|a| !a.chars().next().is_some_and(word_char)) {
                            if i > 0 {
                                out.push(Piece::Text(rest[..i].to_owned()));
                            }
                            out.push(Piece::Keep(Kept {
                                original: k.clone(),
                                shown: k.clone(),
                            }));
                            rest = &rest[i + k.len()..];
                            continue 'scan;
                        }
                    }
                }
                out.push(Piece::Text(rest.to_owned()));
                break;
            }
        }
        out
    }
}

/// What an LLM is told: translate, keep every `⟦n⟧` exactly once, use the team's terms, answer
/// with the translation only.
pub fn instructions(from: Lang, to: Lang, glossary: &Glossary) -> String {
    let name = |l: Lang| match l {
        Lang::En => "English",
        Lang::Ja => "Japanese",
    };
    let mut s = format!(
        "You translate chat messages between engineers from {} into {}. \
         Tokens like ⟦0⟧ stand for mentions, links and code: copy each one into the translation \
         exactly once and unchanged. Keep line breaks. Answer with the translation only, no \
         quotes and no notes.",
        name(from),
        name(to)
    );
    let pairs = glossary.pairs(from, to);
    if !pairs.is_empty() {
        s.push_str("\nAlways translate these terms as given:");
        for (a, b) in pairs {
            s.push_str(&format!("\n{a} → {b}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::translate::{Style, encode, restore, split};

    fn team() -> Glossary {
        Glossary {
            keep: vec!["payments-api".into(), "Aurora".into()],
            terms: vec![("rollback".into(), "ロールバック".into())],
        }
    }

    #[test]
    fn kept_words_travel_as_tokens_and_only_whole() {
        let pieces = team().keep_words(split(
            "payments-api rollback on Aurora; payments-api-v2 stays text",
            &|_| None,
        ));
        let (encoded, kept) = encode(&pieces, Style::Placeholder);
        assert_eq!(encoded, "⟦0⟧ rollback on ⟦1⟧; payments-api-v2 stays text");
        assert_eq!(
            restore("⟦1⟧ で ⟦0⟧ をロールバック", &kept, Style::Placeholder).unwrap(),
            "Aurora で payments-api をロールバック"
        );
        let ja = team().keep_words(split("payments-apiをロールバック", &|_| None));
        assert_eq!(encode(&ja, Style::Placeholder).0, "⟦0⟧をロールバック");
    }

    #[test]
    fn terms_go_both_ways_and_a_changed_glossary_is_a_new_one() {
        let g = team();
        assert_eq!(g.pairs(Lang::Ja, Lang::En), [("ロールバック", "rollback")]);
        assert!(instructions(Lang::En, Lang::Ja, &g).contains("rollback → ロールバック"));
        let mut other = g.clone();
        other.terms.push(("on-call".into(), "オンコール".into()));
        assert_ne!(g.fingerprint(), other.fingerprint());
        assert_eq!(g.fingerprint(), team().fingerprint());
    }
}
