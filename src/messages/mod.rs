//! Everything banto says. Each message is a struct rendered through one English and one
//! Japanese template in `templates/`; nothing else in the code writes user-facing prose.

use crate::commands::BantoCommand;
use crate::locale::Locale;
use askama::Template;
use std::fmt::{self, Write};

pub mod deploy;
pub mod failure;
pub mod plan;
pub mod terraform;

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

pub trait Message {
    fn render(&self, locale: Locale) -> String;
}

macro_rules! bilingual {
    ($($ty:ident => $en:literal, $ja:literal;)*) => {
        mod en {
            #[allow(unused_imports)]
            use super::terraform::{TfReply as Reply, TfStatus as Status, Why};
            #[allow(unused_imports)]
            use super::deploy::{DeployReply as DReply, DeployStatus as DStatus, DeployWhy};
            #[allow(unused_imports)]
            use super::failure::FailureNotice as Notice;
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
            use super::terraform::{TfReply as Reply, TfStatus as Status, Why};
            #[allow(unused_imports)]
            use super::deploy::{DeployReply as DReply, DeployStatus as DStatus, DeployWhy};
            #[allow(unused_imports)]
            use super::failure::FailureNotice as Notice;
            $(
                #[derive(askama::Template)]
                #[template(path = $ja)]
                pub struct $ty<'a> {
                    pub m: &'a super::$ty,
                }
            )*
        }
        $(
            impl Message for $ty {
                fn render(&self, locale: Locale) -> String {
                    let rendered = match locale {
                        Locale::En => en::$ty { m: self }.render(),
                        Locale::Ja => ja::$ty { m: self }.render(),
                    };
                    rendered.expect("templates only read fields").trim_end().to_owned()
                }
            }
        )*
    };
}

bilingual! {
    Help => "en/help.mrkdwn", "ja/help.mrkdwn";
    Pong => "en/pong.mrkdwn", "ja/pong.mrkdwn";
    UnknownInput => "en/unknown_input.mrkdwn", "ja/unknown_input.mrkdwn";
    UnknownCommand => "en/unknown_command.mrkdwn", "ja/unknown_command.mrkdwn";
    TfStatus => "en/tf_status.mrkdwn", "ja/tf_status.mrkdwn";
    TfReply => "en/tf_reply.mrkdwn", "ja/tf_reply.mrkdwn";
    DeployStatus => "en/deploy_status.mrkdwn", "ja/deploy_status.mrkdwn";
    DeployProgress => "en/deploy_progress.mrkdwn", "ja/deploy_progress.mrkdwn";
    DeployReply => "en/deploy_reply.mrkdwn", "ja/deploy_reply.mrkdwn";
    FailureNotice => "en/failure.mrkdwn", "ja/failure.mrkdwn";
}

pub struct HelpLine {
    pub usage: &'static str,
    pub summary_en: &'static str,
    pub summary_ja: &'static str,
}

pub struct Help {
    pub lines: Vec<HelpLine>,
}

impl Help {
    /// One line per command, generated from the command enum.
    pub fn new() -> Self {
        Self {
            lines: BantoCommand::ALL.into_iter().map(help_line).collect(),
        }
    }
}

impl Default for Help {
    fn default() -> Self {
        Self::new()
    }
}

fn help_line(c: BantoCommand) -> HelpLine {
    let (summary_en, summary_ja) = match c {
        BantoCommand::Help => ("show this list", "この一覧を表示"),
        BantoCommand::Ping => (
            "check that banto is up and its inbox is healthy",
            "banto の稼働と受信箱の状態を確認",
        ),
    };
    HelpLine {
        usage: c.usage(),
        summary_en,
        summary_ja,
    }
}

pub struct Pong {
    pub pending: i64,
    pub parked: i64,
}

pub struct UnknownInput {
    pub command: String,
    pub input: String,
    pub suggestion: Option<&'static str>,
}

pub struct UnknownCommand {
    pub command: String,
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
    fn help() {
        insta::assert_snapshot!(both(&Help::new()));
        let ja = Help::new().render(Locale::Ja);
        for c in BantoCommand::ALL {
            assert!(ja.contains(c.usage()), "help lists {c:?}: {ja}");
        }
    }

    #[test]
    fn pong() {
        insta::assert_snapshot!(both(&Pong {
            pending: 2,
            parked: 1
        }));
    }

    #[test]
    fn unknown_input_escapes_user_text() {
        let m = UnknownInput {
            command: "/banto".into(),
            input: "<!channel> & <@U1>".into(),
            suggestion: Some("/banto ping"),
        };
        let en = m.render(Locale::En);
        assert!(en.contains("&lt;!channel&gt; &amp; &lt;@U1&gt;"), "{en}");
        assert!(
            !en.contains("<!channel>"),
            "a user cannot make banto ping @channel: {en}"
        );
        insta::assert_snapshot!(both(&m));
    }

    #[test]
    fn unknown_command() {
        insta::assert_snapshot!(both(&UnknownCommand {
            command: "/tf".into()
        }));
    }
}
