//! Slash-command grammar. Help is generated from these enums through exhaustive matches, so a
//! new command cannot be added without its usage and description.

/// Every slash command banto registers with Slack (the app manifest is checked against this).
pub const SLASH_COMMANDS: &[&str] = &["/banto", "/tf", "/deploy", "/promote", "/rollback"];

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

/// `/deploy …`, `/promote …`, `/rollback …`: GitOps deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeployCommand {
    Help,
    Deploy {
        app: String,
        tag: String,
        env: Option<String>,
        break_glass: Option<String>,
    },
    Promote {
        app: String,
        from: String,
        to: String,
    },
    Rollback {
        app: String,
        env: String,
        tag: Option<String>,
    },
    Lock {
        app: String,
        env: String,
        reason: String,
    },
    Unlock {
        app: String,
        env: String,
    },
    Status {
        app: Option<String>,
    },
    History {
        app: String,
        env: String,
    },
}

impl DeployCommand {
    pub const USAGE: [(&'static str, &'static str, &'static str); 8] = [
        (
            "/deploy <app> <tag> [env] [--break-glass <reason>]",
            "deploy a tag (default env: the first listed); in a freeze, break-glass needs a reason and one more approver",
            "タグをデプロイ (env 省略時は最初の env)。凍結期間中は理由付きの break-glass と追加の承認者が必要",
        ),
        (
            "/promote <app> <from-env> <to-env>",
            "deploy exactly the tag running in the lower environment",
            "下位環境で動いているタグをそのまま昇格",
        ),
        (
            "/rollback <app> <env> [tag]",
            "go back to the previous tag (or the one given) and hold automatic bumps",
            "前のタグ (または指定タグ) に戻し、自動更新を保留",
        ),
        (
            "/deploy lock <app> <env> <reason>",
            "hold automatic bumps of an environment",
            "環境の自動更新を保留",
        ),
        (
            "/deploy unlock <app> <env>",
            "release a hold or rollback hold",
            "保留を解除",
        ),
        (
            "/deploy status [app]",
            "what runs where, open deploys and holds",
            "各環境のタグ、進行中のデプロイと保留",
        ),
        (
            "/deploy history <app> <env>",
            "the last deploys of an environment",
            "環境の最近のデプロイ",
        ),
        ("/deploy help", "show this list", "この一覧を表示"),
    ];
}

/// `/deploy`, `/promote` or `/rollback` input, read as one grammar.
pub fn parse_deploy(command: &str, text: &str) -> Result<DeployCommand, TfUsage> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let usage = |i: usize| TfUsage {
        input: text.trim().to_owned(),
        usage: DeployCommand::USAGE[i].0,
    };
    let own = |w: &&str| (*w).to_owned();
    match command {
        "/promote" => {
            return match words[..] {
                [app, from, to] => Ok(DeployCommand::Promote {
                    app: app.to_owned(),
                    from: from.to_owned(),
                    to: to.to_owned(),
                }),
                _ => Err(usage(1)),
            };
        }
        "/rollback" => {
            return match words[..] {
                [app, env] => Ok(DeployCommand::Rollback {
                    app: app.to_owned(),
                    env: env.to_owned(),
                    tag: None,
                }),
                [app, env, tag] => Ok(DeployCommand::Rollback {
                    app: app.to_owned(),
                    env: env.to_owned(),
                    tag: Some(tag.to_owned()),
                }),
                _ => Err(usage(2)),
            };
        }
        _ => {}
    }
    match words.first().map(|w| w.to_lowercase()).as_deref() {
        None | Some("help") => Ok(DeployCommand::Help),
        Some("lock") => match words[1..] {
            [app, env, ref reason @ ..] if !reason.is_empty() => Ok(DeployCommand::Lock {
                app: app.to_owned(),
                env: env.to_owned(),
                reason: reason.join(" "),
            }),
            _ => Err(usage(3)),
        },
        Some("unlock") => match words[1..] {
            [app, env] => Ok(DeployCommand::Unlock {
                app: app.to_owned(),
                env: env.to_owned(),
            }),
            _ => Err(usage(4)),
        },
        Some("status") => match words[1..] {
            [] => Ok(DeployCommand::Status { app: None }),
            [app] => Ok(DeployCommand::Status {
                app: Some(app.to_owned()),
            }),
            _ => Err(usage(5)),
        },
        Some("history") => match words[1..] {
            [app, env] => Ok(DeployCommand::History {
                app: app.to_owned(),
                env: env.to_owned(),
            }),
            _ => Err(usage(6)),
        },
        Some(_) => {
            let glass = words.iter().position(|w| *w == "--break-glass");
            let (args, reason) = match glass {
                Some(i) => (&words[..i], Some(words[i + 1..].join(" "))),
                None => (&words[..], None),
            };
            if reason.as_deref() == Some("") {
                return Err(usage(0));
            }
            match args {
                [app, tag] | [app, tag, _] => Ok(DeployCommand::Deploy {
                    app: own(app),
                    tag: own(tag),
                    env: args.get(2).map(own),
                    break_glass: reason,
                }),
                _ => Err(usage(0)),
            }
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
    fn deploy_grammar() {
        assert_eq!(
            parse_deploy(
                "/deploy",
                "web v1.4.3 production --break-glass fix for INC-42"
            ),
            Ok(DeployCommand::Deploy {
                app: "web".into(),
                tag: "v1.4.3".into(),
                env: Some("production".into()),
                break_glass: Some("fix for INC-42".into()),
            })
        );
        assert_eq!(
            parse_deploy("/deploy", "web v2").unwrap(),
            DeployCommand::Deploy {
                app: "web".into(),
                tag: "v2".into(),
                env: None,
                break_glass: None,
            }
        );
        assert_eq!(
            parse_deploy("/deploy", "web v2 production --break-glass")
                .unwrap_err()
                .usage,
            DeployCommand::USAGE[0].0,
            "break-glass needs a reason"
        );
        assert_eq!(
            parse_deploy("/promote", "web staging production"),
            Ok(DeployCommand::Promote {
                app: "web".into(),
                from: "staging".into(),
                to: "production".into(),
            })
        );
        assert_eq!(
            parse_deploy("/rollback", "web production"),
            Ok(DeployCommand::Rollback {
                app: "web".into(),
                env: "production".into(),
                tag: None,
            })
        );
        assert_eq!(
            parse_deploy("/deploy", "lock web production")
                .unwrap_err()
                .usage,
            "/deploy lock <app> <env> <reason>"
        );
        assert_eq!(parse_deploy("/deploy", ""), Ok(DeployCommand::Help));
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
