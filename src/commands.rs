//! Slash-command grammar. Help is generated from these enums through exhaustive matches, so a
//! new command cannot be added without its usage and description.

/// Every slash command banto registers with Slack (the app manifest is checked against this).
pub const SLASH_COMMANDS: &[&str] = &["/banto", "/tf"];

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

/// `/tf …`: Terraform by approval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TfCommand {
    Help,
    Plan {
        project: String,
        git_ref: Option<String>,
    },
    Status {
        project: Option<String>,
    },
    Unlock {
        project: String,
        reason: String,
    },
    Cancel {
        run: i64,
    },
}

impl TfCommand {
    /// Usage lines, in help order, with their English and Japanese descriptions.
    pub const USAGE: [(&'static str, &'static str, &'static str); 5] = [
        (
            "/tf plan <project> [ref]",
            "plan a project at a branch, tag or commit (default: the default branch)",
            "プロジェクトを plan する (ref 省略時はデフォルトブランチ)",
        ),
        (
            "/tf status [project]",
            "runs in progress and who holds each lock",
            "実行中の run とロックの保持者",
        ),
        (
            "/tf unlock <project> <reason>",
            "force-release a project lock (approvers only, audited)",
            "ロックを強制解除 (承認者のみ・監査ログに記録)",
        ),
        (
            "/tf cancel <run>",
            "cancel a run that has not started applying",
            "apply 前の run を取り消す",
        ),
        ("/tf help", "show this list", "この一覧を表示"),
    ];
}

/// `/tf` input that does not parse: what was wrong and the usage to show.
#[derive(Debug, PartialEq, Eq)]
pub struct TfUsage {
    pub input: String,
    pub usage: &'static str,
}

pub fn parse_tf(text: &str) -> Result<TfCommand, TfUsage> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let usage = |i: usize| TfUsage {
        input: text.trim().to_owned(),
        usage: TfCommand::USAGE[i].0,
    };
    match words.first().map(|w| w.to_lowercase()).as_deref() {
        None | Some("help") => Ok(TfCommand::Help),
        Some("plan") => match words[1..] {
            [project] => Ok(TfCommand::Plan {
                project: project.to_owned(),
                git_ref: None,
            }),
            [project, git_ref] => Ok(TfCommand::Plan {
                project: project.to_owned(),
                git_ref: Some(git_ref.to_owned()),
            }),
            _ => Err(usage(0)),
        },
        Some("status") => match words[1..] {
            [] => Ok(TfCommand::Status { project: None }),
            [project] => Ok(TfCommand::Status {
                project: Some(project.to_owned()),
            }),
            _ => Err(usage(1)),
        },
        Some("unlock") => match words[1..] {
            [project, ref reason @ ..] if !reason.is_empty() => Ok(TfCommand::Unlock {
                project: project.to_owned(),
                reason: reason.join(" "),
            }),
            _ => Err(usage(2)),
        },
        Some("cancel") => match words[1..] {
            [run] => run
                .trim_start_matches('#')
                .parse()
                .map(|run| TfCommand::Cancel { run })
                .map_err(|_| usage(3)),
            _ => Err(usage(3)),
        },
        Some(_) => Err(usage(4)),
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
                .map(|c| (edit_distance(&word, c.word()), c))
                .filter(|(d, c)| *d <= 2.max(c.word().len() / 3))
                .min_by_key(|(d, _)| *d)
                .map(|(_, c)| c.usage()),
        })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
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
    fn tf_grammar() {
        assert_eq!(
            parse_tf("plan network feature/x"),
            Ok(TfCommand::Plan {
                project: "network".into(),
                git_ref: Some("feature/x".into())
            })
        );
        assert_eq!(
            parse_tf("unlock network stuck after CodeBuild outage"),
            Ok(TfCommand::Unlock {
                project: "network".into(),
                reason: "stuck after CodeBuild outage".into()
            })
        );
        assert_eq!(parse_tf("cancel #12"), Ok(TfCommand::Cancel { run: 12 }));
        assert_eq!(parse_tf(""), Ok(TfCommand::Help));
        let e = parse_tf("unlock network").unwrap_err();
        assert_eq!(
            e.usage, "/tf unlock <project> <reason>",
            "a reason is required"
        );
        assert_eq!(
            parse_tf("cancel twelve").unwrap_err().usage,
            "/tf cancel <run>"
        );
        assert_eq!(parse_tf("apply now").unwrap_err().usage, "/tf help");
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
