//! `/tf`: Terraform by approval.

use super::Usage;

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
    /// Usage lines, in help order (their descriptions are in the help templates).
    pub const USAGE: [&'static str; 5] = [
        "/tf plan <project> [ref]",
        "/tf status [project]",
        "/tf unlock <project> <reason>",
        "/tf cancel <run>",
        "/tf help",
    ];
}

pub fn parse_tf(text: &str) -> Result<TfCommand, Usage> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let usage = |i: usize| Usage {
        input: text.trim().to_owned(),
        usage: TfCommand::USAGE[i],
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
