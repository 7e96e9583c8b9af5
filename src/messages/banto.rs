//! Replies of `/banto`: help, ping, and what banto says to a command it does not know.

use crate::commands::BantoCommand;

super::bilingual! {
    use { BantoCommand as Cmd };
    Help => "en/help.mrkdwn", "ja/help.mrkdwn";
    Pong => "en/pong.mrkdwn", "ja/pong.mrkdwn";
    UnknownInput => "en/unknown_input.mrkdwn", "ja/unknown_input.mrkdwn";
    UnknownCommand => "en/unknown_command.mrkdwn", "ja/unknown_command.mrkdwn";
}

/// One line per command, described in the template (a `match`, so a new command must be).
pub struct Help {
    pub commands: [BantoCommand; 2],
}

impl Help {
    pub fn new() -> Self {
        Self {
            commands: BantoCommand::ALL,
        }
    }
}

impl Default for Help {
    fn default() -> Self {
        Self::new()
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
