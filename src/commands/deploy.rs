//! `/deploy`, `/promote`, `/rollback`: GitOps deploys.

use super::Usage;

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
    pub const USAGE: [&'static str; 8] = [
        "/deploy <app> <tag> [env] [--break-glass <reason>]",
        "/promote <app> <from-env> <to-env>",
        "/rollback <app> <env> [tag]",
        "/deploy lock <app> <env> <reason>",
        "/deploy unlock <app> <env>",
        "/deploy status [app]",
        "/deploy history <app> <env>",
        "/deploy help",
    ];
}

/// `/deploy`, `/promote` or `/rollback` input, read as one grammar.
pub fn parse_deploy(command: &str, text: &str) -> Result<DeployCommand, Usage> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let usage = |i: usize| Usage {
        input: text.trim().to_owned(),
        usage: DeployCommand::USAGE[i],
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

#[cfg(test)]
mod tests {
    use super::*;

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
            DeployCommand::USAGE[0],
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
}
