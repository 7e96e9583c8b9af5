//! Everything banto says. Each message is a struct rendered through one English and one
//! Japanese template in `templates/`; nothing else in the code writes user-facing prose.

use crate::locale::Locale;
use std::fmt::{self, Write};

/// Declares messages rendered through one English and one Japanese template each. `use`
/// names what the templates refer to (e.g. `TfReply as Reply`), from the invoking module.
macro_rules! bilingual {
    (use { $($names:tt)* }; $($ty:ident => $en:literal, $ja:literal;)*) => {
        mod en {
            #[allow(unused_imports)]
            use super::{$($names)*};
            $(
                #[derive(askama::Template)]
                #[template(path = $en)]
                pub struct $ty<'a> {
                    pub m: &'a super::$ty,
                }
            )*
        }
        mod ja {
            #[allow(unused_imports)]
            use super::{$($names)*};
            $(
                #[derive(askama::Template)]
                #[template(path = $ja)]
                pub struct $ty<'a> {
                    pub m: &'a super::$ty,
                }
            )*
        }
        $(
            impl $crate::messages::Message for $ty {
                fn render(&self, locale: $crate::locale::Locale) -> String {
                    let rendered = match locale {
                        $crate::locale::Locale::En => askama::Template::render(&en::$ty { m: self }),
                        $crate::locale::Locale::Ja => askama::Template::render(&ja::$ty { m: self }),
                    };
                    rendered.expect("templates only read fields").trim_end().to_owned()
                }
            }
        )*
    };
}
pub(crate) use bilingual;

pub mod approval;
pub mod banto;
pub mod common;
pub mod cost;
pub mod deploy;
pub mod failure;
pub mod gitops;
pub mod incident;
pub mod plan;
pub mod policy;
pub mod postmortem;
pub mod terraform;
pub mod translate;

pub use banto::{Help, Pong, UnknownCommand, UnknownInput};
pub use deploy::{DeployProgress, DeployReply, DeployStatus};
pub use failure::FailureNotice;
pub use terraform::{TfReply, TfStatus};

/// `&`, `<` and `>` escaped, so user text cannot become a mention or a link in Slack.
pub fn escape_mrkdwn(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    askama::filters::Escaper::write_escaped_str(&Mrkdwn, &mut out, s).expect("String writes");
    out
}

/// Slack mrkdwn escaper for `.mrkdwn` templates (see `askama.toml`).
#[derive(Clone, Copy, Debug)]
pub struct Mrkdwn;

impl askama::filters::Escaper for Mrkdwn {
    fn write_escaped_str<W: Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        for c in s.chars() {
            match c {
                '&' => dest.write_str("&amp;")?,
                '<' => dest.write_str("&lt;")?,
                '>' => dest.write_str("&gt;")?,
                c => dest.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// Escaper for the postmortem document (`escape = "markdown_cells"`, not every `.md`): `|`
/// cannot end a table cell, a newline becomes `<br>` (cells are one line), `<` cannot open
/// raw HTML.
#[derive(Clone, Copy, Debug)]
pub struct MarkdownText;

impl askama::filters::Escaper for MarkdownText {
    fn write_escaped_str<W: Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        if !s
            .bytes()
            .any(|b| matches!(b, b'|' | b'\\' | b'\n' | b'\r' | b'<'))
        {
            return dest.write_str(s);
        }
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '|' => dest.write_str("\\|")?,
                // `\|` written by a person must not become an escaped backslash and a cell end.
                '\\' => dest.write_str("\\\\")?,
                '\n' => dest.write_str("<br>")?,
                '\r' => {}
                // Only where it could open a tag or a comment: `<1m` stays readable.
                '<' if chars
                    .peek()
                    .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) =>
                {
                    dest.write_str("&lt;")?
                }
                c => dest.write_char(c)?,
            }
        }
        Ok(())
    }
}

pub trait Message {
    fn render(&self, locale: Locale) -> String;
}

/// A message in both languages, for snapshots.
#[cfg(test)]
pub(crate) fn both(m: &dyn Message) -> String {
    format!(
        "--- en\n{}\n--- ja\n{}",
        m.render(Locale::En),
        m.render(Locale::Ja)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_break_a_markdown_table_cell() {
        let mut out = String::new();
        let text = "a | b \\| c\nd <script> <1m";
        askama::filters::Escaper::write_escaped_str(&MarkdownText, &mut out, text).unwrap();
        assert_eq!(out, "a \\| b \\\\\\| c<br>d &lt;script> <1m");
    }
}
