//! `/banto`: help and ping; a typo gets a suggestion.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BantoCommand {
    Help,
    Ping,
}

impl BantoCommand {
    pub const ALL: [BantoCommand; 2] = [BantoCommand::Help, BantoCommand::Ping];

    /// Position in `ALL`; exhaustive, so a new variant must be placed (checked by a test).
    #[cfg(test)]
    fn ordinal(self) -> usize {
        match self {
            BantoCommand::Help => 0,
            BantoCommand::Ping => 1,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            BantoCommand::Help => "help",
            BantoCommand::Ping => "ping",
        }
    }

    pub fn usage(self) -> &'static str {
        match self {
            BantoCommand::Help => "/banto help",
            BantoCommand::Ping => "/banto ping",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct UnknownInput {
    pub input: String,
    pub suggestion: Option<&'static str>,
}

pub fn parse_banto(text: &str) -> Result<BantoCommand, UnknownInput> {
    let word = text.split_whitespace().next().unwrap_or("").to_lowercase();
    if word.is_empty() {
        return Ok(BantoCommand::Help);
    }
    BantoCommand::ALL
        .into_iter()
        .find(|c| c.word() == word)
        .ok_or_else(|| UnknownInput {
            input: text.trim().to_owned(),
            suggestion: BantoCommand::ALL
                .into_iter()
                .map(|c| (strsim::levenshtein(&word, c.word()), c))
                .filter(|(d, c)| *d <= 2.max(c.word().len() / 3))
                .min_by_key(|(d, _)| *d)
                .map(|(_, c)| c.usage()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_command_once_in_order() {
        for (i, c) in BantoCommand::ALL.into_iter().enumerate() {
            assert_eq!(c.ordinal(), i, "{c:?} is out of place in ALL");
        }
    }

    #[test]
    fn parses_words_case_insensitively() {
        assert_eq!(parse_banto("PING"), Ok(BantoCommand::Ping));
        assert_eq!(parse_banto("  "), Ok(BantoCommand::Help));
        assert_eq!(parse_banto("help me"), Ok(BantoCommand::Help));
    }

    #[test]
    fn typo_gets_a_suggestion_and_nonsense_does_not() {
        let e = parse_banto("pnig").unwrap_err();
        assert_eq!(e.suggestion, Some("/banto ping"));
        let e = parse_banto("deploy everything").unwrap_err();
        assert_eq!(e.input, "deploy everything");
        assert_eq!(e.suggestion, None);
    }
}
