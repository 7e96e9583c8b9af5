//! Translation replies (`translation.mrkdwn`): the translation labelled as machine
//! translation with its author and a link to the original, or why there is none.

use super::Message;
use crate::domain::translate::Lang;

super::bilingual! {
    use { TranslationReply as Reply };
    TranslationReply => "en/translation.mrkdwn", "ja/translation.mrkdwn";
}

pub enum TranslationReply {
    Translated {
        from: Lang,
        to: Lang,
        /// The author's name (not a mention: nobody is pinged by a translation).
        author: String,
        link: String,
        /// Slack markup already, mentions shown as names.
        text: String,
    },
    /// The translator dropped `lost` protected parts: no broken message is posted.
    Lost {
        lost: usize,
    },
    /// `/translate` or the shortcut: for the asker only.
    ForYou {
        from: Lang,
        to: Lang,
        text: String,
    },
    NothingToTranslate,
    AlreadyIn {
        lang: Lang,
    },
    /// No translator is configured.
    Off,
    /// Said once in the ops channel.
    QuotaExceeded,
    Usage,
}

impl TranslationReply {
    /// Said in the language the message was translated into.
    pub fn language(&self) -> crate::locale::Locale {
        match self {
            TranslationReply::Translated { to: Lang::Ja, .. } => crate::locale::Locale::Ja,
            _ => crate::locale::Locale::En,
        }
    }

    pub fn text(&self) -> String {
        self.render(self.language())
    }
}

pub fn lang_word(l: &Lang) -> &'static str {
    match l {
        Lang::En => "EN",
        Lang::Ja => "JA",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::both;

    #[test]
    fn replies_in_both_languages() {
        let all = [
            both(&TranslationReply::Translated {
                from: Lang::En,
                to: Lang::Ja,
                author: "alice".into(),
                link: "https://acme.slack.com/archives/C1/p1".into(),
                text: "@kenji ロールバック 開始しました".into(),
            }),
            both(&TranslationReply::Lost { lost: 2 }),
        ];
        insta::assert_snapshot!(all.join("\n\n"));
    }
}
