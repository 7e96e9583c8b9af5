//! Which language a message is written in, without a dependency: Slack markup, code, emoji
//! and URLs are not words; what is left is Japanese if it has any kana or kanji (mixed lines
//! like `rollbackしました` are Japanese), English if it has Latin letters, and nothing if
//! neither is left (no translation).

use super::Lang;

fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{309F}'   // hiragana
        | '\u{30A0}'..='\u{30FF}' // katakana
        | '\u{31F0}'..='\u{31FF}' // katakana extensions
        | '\u{FF66}'..='\u{FF9F}' // half-width katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
    )
}

/// The words of a message: code, `<…>` markup (a link's label stays), `:emoji:` and bare URLs
/// removed.
pub fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("```") {
            rest = after.find("```").map_or("", |i| &after[i + 3..]);
            out.push(' ');
            continue;
        }
        match c {
            '`' => {
                let after = &rest[1..];
                rest = after.find('`').map_or("", |i| &after[i + 1..]);
                out.push(' ');
            }
            '<' => {
                let after = &rest[1..];
                match after.find('>') {
                    Some(end) => {
                        let inner = &after[..end];
                        // `<url|label>`: the label is words; mentions and the rest are not.
                        if !inner.starts_with(['@', '#', '!'])
                            && let Some((_, label)) = inner.split_once('|')
                        {
                            out.push_str(label);
                        }
                        out.push(' ');
                        rest = &after[end + 1..];
                    }
                    None => {
                        out.push('<');
                        rest = after;
                    }
                }
            }
            ':' => {
                let after = &rest[1..];
                let name_len = after
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '+')))
                    .unwrap_or(after.len());
                if name_len > 0 && after[name_len..].starts_with(':') {
                    rest = &after[name_len + 1..];
                    out.push(' ');
                } else {
                    out.push(':');
                    rest = after;
                }
            }
            'h' if rest.starts_with("http://") || rest.starts_with("https://") => {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                rest = &rest[end..];
                out.push(' ');
            }
            c => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// The message's language, or `None` when no words are left.
pub fn detect(text: &str) -> Option<Lang> {
    let words = words(text);
    if words.chars().any(is_japanese) {
        Some(Lang::Ja)
    } else if words.chars().any(|c| c.is_alphabetic()) {
        Some(Lang::En)
    } else {
        None
    }
}
