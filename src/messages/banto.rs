//! Replies of `/banto`: help, ping, and what banto says to a command it does not know.

use crate::commands::BantoCommand;

super::bilingual! {
    use {};
    Help => "en/help.mrkdwn", "ja/help.mrkdwn";
    Pong => "en/pong.mrkdwn", "ja/pong.mrkdwn";
    UnknownInput => "en/unknown_input.mrkdwn", "ja/unknown_input.mrkdwn";
    UnknownCommand => "en/unknown_command.mrkdwn", "ja/unknown_command.mrkdwn";
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Locale;
    use crate::messages::{Message, both};

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
