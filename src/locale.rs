//! The two languages banto speaks.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    Ja,
}

impl Locale {
    /// From a Slack user locale such as `ja-JP` or `en-US`; anything not Japanese is English.
    pub fn from_slack(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("ja") {
            Locale::Ja
        } else {
            Locale::En
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Locale;

    #[test]
    fn slack_locales() {
        assert_eq!(Locale::from_slack("ja-JP"), Locale::Ja);
        assert_eq!(Locale::from_slack("en-GB"), Locale::En);
        assert_eq!(Locale::from_slack("fr-FR"), Locale::En);
    }
}
