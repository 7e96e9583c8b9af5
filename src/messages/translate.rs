//! Translation replies (`translation.mrkdwn`): the translation labelled as machine
//! translation with its author and a link to the original, or why there is none.

use super::Message;
use crate::domain::translate::{Lang, Provider};

super::bilingual! {
    use { TranslationReply as Reply };
    TranslationReply => "en/translation.mrkdwn", "ja/translation.mrkdwn";
}

pub enum TranslationReply {
    Translated {
        from: Lang,
        to: Lang,
        /// The author's name (not a mention: nobody is pinged by a translation), if Slack
        /// says it.
        author: Option<String>,
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
    /// The channel is private and its provider is not trusted with private text.
    NotHere {
        provider: Provider,
    },
    /// Down or throttled, after retries.
    Unavailable {
        provider: Provider,
    },
    TooLong,
    /// The provider refused banto's request (credentials, configuration).
    Refused {
        provider: Provider,
    },
    /// The provider's own quota (DeepL 456); said once a month in the ops channel too.
    QuotaExceeded {
        provider: Provider,
    },
    /// banto's monthly character budget for the provider; said once in the ops channel too.
    BudgetUsedUp {
        provider: Provider,
    },
    /// Said once a month in the ops channel at 80 % of the budget.
    BudgetWarning {
        provider: Provider,
        used: i64,
        budget: i64,
    },
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

    /// Whether asking again later may work (the provider was down, not refusing).
    pub fn worth_retrying(&self) -> bool {
        matches!(
            self,
            TranslationReply::Unavailable { .. } | TranslationReply::TooLong
        )
    }
}

pub fn provider_name(p: &Provider) -> &'static str {
    match p {
        Provider::Deepl => "DeepL",
        Provider::Amazon => "Amazon Translate",
        Provider::Llm => "the self-hosted model",
    }
}

pub fn provider_name_ja(p: &Provider) -> &'static str {
    match p {
        Provider::Llm => "社内モデル",
        p => provider_name(p),
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
                author: Some("alice".into()),
                link: "https://acme.slack.com/archives/C1/p1".into(),
                text: "@kenji ロールバック 開始しました".into(),
            }),
            both(&TranslationReply::Lost { lost: 2 }),
            both(&TranslationReply::NotHere {
                provider: Provider::Deepl,
            }),
            both(&TranslationReply::Unavailable {
                provider: Provider::Amazon,
            }),
            both(&TranslationReply::TooLong),
            both(&TranslationReply::Refused {
                provider: Provider::Llm,
            }),
            both(&TranslationReply::QuotaExceeded {
                provider: Provider::Deepl,
            }),
            both(&TranslationReply::BudgetUsedUp {
                provider: Provider::Amazon,
            }),
            both(&TranslationReply::BudgetWarning {
                provider: Provider::Deepl,
                used: 400_000,
                budget: 500_000,
            }),
        ];
        insta::assert_snapshot!(all.join("\n\n"));
    }
}
