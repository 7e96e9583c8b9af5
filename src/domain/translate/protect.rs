//! What a translation must not touch: mentions (user, channel, group, `@here`), link URLs (the
//! label is translated), inline code and code blocks, emoji, bold/italic/strike markers and
//! bare URLs. A message is split into text to translate and kept tokens; the tokens travel
//! as markup the provider leaves alone (DeepL XML tags, Amazon `translate="no"` spans,
//! placeholders an LLM is told to keep) and are put back exactly, each once. Mentions come back
//! as names, so a translation never pings anyone again.

/// One piece of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Keep(Kept),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    /// As written in the source message.
    pub original: String,
    /// As the translation shows it: the same, except mentions, which become plain names.
    pub shown: String,
}

/// How tokens travel through a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// DeepL with `tag_handling=xml` and `ignore_tags=x`: `<x i="3"/>`; text XML-escaped.
    Xml,
    /// Amazon Translate (HTML): `<span translate="no">⟦3⟧</span>`; text HTML-escaped.
    Span,
    /// An LLM told to copy every `⟦3⟧` unchanged.
    Placeholder,
}

/// Tokens that did not come back from the provider exactly once (by index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lost(pub Vec<usize>);

fn keep(original: &str, shown: String) -> Piece {
    Piece::Keep(Kept {
        original: original.to_owned(),
        shown,
    })
}

fn same(original: &str) -> Piece {
    keep(original, original.to_owned())
}

/// What `<…>` markup shows in a translation: `<@U1|alice>` → `@alice` (no ping),
/// `<!here>` → `@here`, `<!subteam^S1|@sre>` → `@sre`; channels, dates and URLs as written.
fn markup(inner: &str, name: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let (id, label) = match inner.split_once('|') {
        Some((id, label)) => (id, Some(label)),
        None => (inner, None),
    };
    // A channel keeps its label as written (`<#C1|general>`): it is the channel's name.
    if id.starts_with('#') {
        return Some(format!("<{inner}>"));
    }
    if let Some(user) = id.strip_prefix('@') {
        let n = label.map(str::to_owned).or_else(|| name(user));
        return Some(format!("@{}", n.unwrap_or_else(|| user.to_owned())));
    }
    if let Some(special) = id.strip_prefix('!') {
        return Some(match special {
            "here" | "channel" | "everyone" => format!("@{special}"),
            s if s.starts_with("subteam^") => label
                .map(|l| format!("@{}", l.trim_start_matches('@')))
                .unwrap_or_else(|| "@group".into()),
            // `<!date^…|fallback>` and the like: shown by Slack, ping nobody.
            _ => format!("<{inner}>"),
        });
    }
    None
}

/// Split `text` into pieces; `name` gives a user's display name for a mention without one.
pub fn split(text: &str, name: &dyn Fn(&str) -> Option<String>) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut words = String::new();
    let flush = |pieces: &mut Vec<Piece>, words: &mut String| {
        if !words.is_empty() {
            pieces.push(Piece::Text(std::mem::take(words)));
        }
    };
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let token: Option<(usize, Piece)> = if let Some(code) = rest.strip_prefix("```") {
            let end = code.find("```").map_or(rest.len(), |i| i + 6);
            Some((end, same(&rest[..end])))
        } else if c == '`' {
            rest[1..].find('`').map(|i| (i + 2, same(&rest[..i + 2])))
        } else if c == '<' {
            rest.find('>').map(|end| {
                let inner = &rest[1..end];
                let whole = &rest[..=end];
                match markup(inner, name) {
                    Some(shown) => (end + 1, keep(whole, shown)),
                    None => match inner.split_once('|') {
                        // A link: its URL is kept, its label is words.
                        Some((url, label)) if !label.is_empty() => {
                            pieces_of_link(&mut pieces, &mut words, url, label);
                            (end + 1, Piece::Text(String::new()))
                        }
                        _ => (end + 1, same(whole)),
                    },
                }
            })
        } else if c == ':' {
            let after = &rest[1..];
            let len = after
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '+')))
                .unwrap_or(after.len());
            (len > 0 && after[len..].starts_with(':')).then(|| (len + 2, same(&rest[..len + 2])))
        } else if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            Some((end, same(&rest[..end])))
        } else if matches!(c, '*' | '_' | '~') && is_marker(prev, rest) {
            Some((1, same(&rest[..1])))
        } else {
            None
        };
        match token {
            Some((len, Piece::Text(t))) if t.is_empty() => rest = &rest[len..],
            Some((len, piece)) => {
                flush(&mut pieces, &mut words);
                pieces.push(piece);
                rest = &rest[len..];
            }
            None => {
                words.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        prev = text[..text.len() - rest.len()].chars().next_back();
    }
    flush(&mut pieces, &mut words);
    pieces
}

fn pieces_of_link(pieces: &mut Vec<Piece>, words: &mut String, url: &str, label: &str) {
    if !words.is_empty() {
        pieces.push(Piece::Text(std::mem::take(words)));
    }
    pieces.push(same(&format!("<{url}|")));
    pieces.push(Piece::Text(label.to_owned()));
    pieces.push(same(">"));
}

/// `*`, `_` or `~` opening (after a space or the start, before a non-space) or closing (after
/// a non-space, before a space, punctuation or the end) a span.
fn is_marker(prev: Option<char>, rest: &str) -> bool {
    let next = rest[1..].chars().next();
    let opens = prev.is_none_or(|p| p.is_whitespace() || "([{「（".contains(p))
        && next.is_some_and(|n| !n.is_whitespace());
    let closes = prev.is_some_and(|p| !p.is_whitespace())
        && next.is_none_or(|n| {
            n.is_whitespace() || n.is_ascii_punctuation() || "。、」）".contains(n)
        });
    opens || closes
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text sent to the provider, and the tokens to put back.
pub fn encode(pieces: &[Piece], style: Style) -> (String, Vec<Kept>) {
    let mut out = String::new();
    let mut kept = Vec::new();
    for p in pieces {
        match p {
            Piece::Text(t) => match style {
                Style::Placeholder => out.push_str(t),
                Style::Xml | Style::Span => out.push_str(&escape_xml(t)),
            },
            Piece::Keep(k) => {
                let n = kept.len();
                match style {
                    Style::Xml => out.push_str(&format!("<x i=\"{n}\"/>")),
                    Style::Span => out.push_str(&format!("<span translate=\"no\">⟦{n}⟧</span>")),
                    Style::Placeholder => out.push_str(&format!("⟦{n}⟧")),
                }
                kept.push(k.clone());
            }
        }
    }
    (out, kept)
}

/// The translation with every token put back as it is shown; `Lost` names any token that did
/// not come back exactly once.
pub fn restore(translated: &str, kept: &[Kept], style: Style) -> Result<String, Lost> {
    let (open, close) = match style {
        Style::Xml => ("<x i=\"", "\"/>"),
        Style::Span => ("<span translate=\"no\">⟦", "⟧</span>"),
        Style::Placeholder => ("⟦", "⟧"),
    };
    let mut seen = vec![0u32; kept.len()];
    let mut out = String::with_capacity(translated.len());
    let mut rest = translated;
    let text = |s: &str| match style {
        Style::Placeholder => s.to_owned(),
        Style::Xml | Style::Span => unescape_xml(s),
    };
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let Some(end) = after.find(close) else {
            break;
        };
        match after[..end]
            .parse::<usize>()
            .ok()
            .filter(|n| *n < kept.len())
        {
            Some(n) => {
                out.push_str(&text(&rest[..i]));
                out.push_str(&kept[n].shown);
                seen[n] += 1;
                rest = &after[end + close.len()..];
            }
            None => {
                out.push_str(&text(&rest[..i + open.len()]));
                rest = after;
            }
        }
    }
    out.push_str(&text(rest));
    let lost: Vec<usize> = (0..kept.len()).filter(|n| seen[*n] != 1).collect();
    if lost.is_empty() {
        Ok(out)
    } else {
        Err(Lost(lost))
    }
}
