//! `/incident`: declare, and run the incident from its channel.

use super::Usage;
use crate::domain::incident::{Role, Status, is_date};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncidentCommand {
    /// `/incident` alone: the declaration form.
    Form,
    Help,
    List,
    Declare {
        title: String,
        kind: Option<String>,
        severity: Option<u8>,
        private: bool,
        services: Vec<String>,
    },
    Status(Status),
    Severity(u8),
    Role {
        role: Role,
        user: String,
    },
    Handover {
        to: String,
    },
    Note {
        text: String,
        /// `--at 14:05`: when it happened, in the writer's zone.
        at: Option<String>,
    },
    Update(String),
    Action {
        text: String,
        owner: Option<String>,
        due: Option<String>,
    },
    /// When the impact started, corrected.
    Impact(String),
    Resolve {
        /// `--mitigated 14:05`: when the impact stopped, if nobody said so before.
        mitigated: Option<String>,
    },
    Reopen,
    Timeline,
    /// Write the postmortem draft again from the timeline.
    Postmortem,
}

/// Which line of `USAGE` each command's errors show.
const DECLARE: usize = 0;
const STATUS: usize = 1;
const SEV: usize = 2;
const ROLE: usize = 3;
const HANDOVER: usize = 4;
const NOTE: usize = 5;
const UPDATE: usize = 6;
const ACTION: usize = 7;
const IMPACT: usize = 8;
const RESOLVE: usize = 9;

impl IncidentCommand {
    pub const USAGE: [&'static str; 15] = [
        "/incident [--type <type>] [--sev 1-4] [--service a,b] [--private] <title>",
        "/incident status investigating|identified|monitoring|resolved",
        "/incident sev 1-4",
        "/incident role commander|comms|scribe @user",
        "/incident handover @user",
        "/incident note [--at HH:MM] <text>",
        "/incident update <text>",
        "/incident action <text> [@owner] [YYYY-MM-DD]",
        "/incident impact HH:MM",
        "/incident resolve [--mitigated HH:MM]",
        "/incident reopen",
        "/incident timeline",
        "/incident postmortem",
        "/incident list",
        "/incident help",
    ];
}

/// A user as Slack writes it in command text: `<@U123>` or `<@U123|name>`.
fn user_id(word: &str) -> Option<String> {
    let inner = word.strip_prefix("<@")?.strip_suffix('>')?;
    let id = inner.split('|').next()?;
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())).then(|| id.to_owned())
}

pub fn parse_incident(text: &str) -> Result<IncidentCommand, Usage> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let usage = |i: usize| Usage {
        input: text.trim().to_owned(),
        usage: IncidentCommand::USAGE[i],
    };
    let rest = |from: usize| words[from..].join(" ");
    let first = words.first().map(|w| w.to_lowercase());
    match (first.as_deref(), &words[1.min(words.len())..]) {
        (None, _) => Ok(IncidentCommand::Form),
        (Some("help"), []) => Ok(IncidentCommand::Help),
        (Some("list"), []) => Ok(IncidentCommand::List),
        (Some("reopen"), []) => Ok(IncidentCommand::Reopen),
        (Some("timeline"), []) => Ok(IncidentCommand::Timeline),
        (Some("postmortem"), []) => Ok(IncidentCommand::Postmortem),
        (Some("status"), [s]) => Status::parse(&s.to_lowercase())
            .map(IncidentCommand::Status)
            .ok_or_else(|| usage(STATUS)),
        (Some("status"), _) => Err(usage(STATUS)),
        (Some("sev"), [n]) => n
            .trim_start_matches(['s', 'S', 'e', 'E', 'v', 'V'])
            .parse()
            .ok()
            .filter(|n| (1..=4).contains(n))
            .map(IncidentCommand::Severity)
            .ok_or_else(|| usage(SEV)),
        (Some("sev"), _) => Err(usage(SEV)),
        (Some("role"), [role, user]) => match (Role::parse(&role.to_lowercase()), user_id(user)) {
            (Some(role), Some(user)) => Ok(IncidentCommand::Role { role, user }),
            _ => Err(usage(ROLE)),
        },
        (Some("role"), _) => Err(usage(ROLE)),
        (Some("handover"), [user]) => user_id(user)
            .map(|to| IncidentCommand::Handover { to })
            .ok_or_else(|| usage(HANDOVER)),
        (Some("handover"), _) => Err(usage(HANDOVER)),
        (Some("note"), ["--at", at, _, ..]) => Ok(IncidentCommand::Note {
            text: rest(3),
            at: Some((*at).to_owned()),
        }),
        (Some("note"), [w, ..]) if !w.starts_with("--") => Ok(IncidentCommand::Note {
            text: rest(1),
            at: None,
        }),
        (Some("note"), _) => Err(usage(NOTE)),
        (Some("update"), [_, ..]) => Ok(IncidentCommand::Update(rest(1))),
        (Some("update"), []) => Err(usage(UPDATE)),
        (Some("action"), [_, ..]) => action(&words[1..]).ok_or_else(|| usage(ACTION)),
        (Some("action"), []) => Err(usage(ACTION)),
        (Some("impact"), [at]) => Ok(IncidentCommand::Impact((*at).to_owned())),
        (Some("impact"), _) => Err(usage(IMPACT)),
        (Some("resolve"), []) => Ok(IncidentCommand::Resolve { mitigated: None }),
        (Some("resolve"), ["--mitigated", at]) => Ok(IncidentCommand::Resolve {
            mitigated: Some((*at).to_owned()),
        }),
        (Some("resolve"), _) => Err(usage(RESOLVE)),
        _ => declare(&words).ok_or_else(|| usage(DECLARE)),
    }
}

/// `<text> [@owner] [YYYY-MM-DD]`: the owner and the due date are taken from the end.
fn action(words: &[&str]) -> Option<IncidentCommand> {
    let mut words = words.to_vec();
    let mut due = None;
    let mut owner = None;
    for _ in 0..2 {
        match words.last() {
            Some(w) if due.is_none() && is_date(w) => due = words.pop().map(str::to_owned),
            Some(w) if owner.is_none() && user_id(w).is_some() => {
                owner = words.pop().and_then(user_id)
            }
            _ => break,
        }
    }
    (!words.is_empty()).then(|| IncidentCommand::Action {
        text: words.join(" "),
        owner,
        due,
    })
}

fn declare(words: &[&str]) -> Option<IncidentCommand> {
    let (mut kind, mut severity, mut private) = (None, None, false);
    let mut services = vec![];
    let mut title = vec![];
    let mut it = words.iter();
    while let Some(w) = it.next() {
        match *w {
            "--private" => private = true,
            "--type" => kind = Some(it.next()?.to_lowercase()),
            "--sev" => severity = Some(it.next()?.parse().ok().filter(|n| (1..=4).contains(n))?),
            "--service" | "--services" => services.extend(
                it.next()?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            ),
            w if w.starts_with("--") => return None,
            w => title.push(w),
        }
    }
    (!title.is_empty()).then(|| IncidentCommand::Declare {
        title: title.join(" "),
        kind,
        severity,
        private,
        services,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_grammar() {
        assert_eq!(
            parse_incident("--sev 1 --private --type security --service api,web Leaked key"),
            Ok(IncidentCommand::Declare {
                title: "Leaked key".into(),
                kind: Some("security".into()),
                severity: Some(1),
                private: true,
                services: vec!["api".into(), "web".into()],
            })
        );
        assert_eq!(
            parse_incident("データベース遅延"),
            Ok(IncidentCommand::Declare {
                title: "データベース遅延".into(),
                kind: None,
                severity: None,
                private: false,
                services: vec![],
            })
        );
        assert_eq!(
            parse_incident("status Identified"),
            Ok(IncidentCommand::Status(Status::Identified))
        );
        assert_eq!(parse_incident("sev SEV1"), Ok(IncidentCommand::Severity(1)));
        assert_eq!(
            parse_incident("role commander <@U0BOB|bob>"),
            Ok(IncidentCommand::Role {
                role: Role::Commander,
                user: "U0BOB".into()
            })
        );
        assert_eq!(parse_incident(""), Ok(IncidentCommand::Form));
        assert_eq!(parse_incident("help"), Ok(IncidentCommand::Help));
        assert_eq!(parse_incident("list"), Ok(IncidentCommand::List));
        assert_eq!(
            parse_incident("sev 5").unwrap_err().usage,
            "/incident sev 1-4"
        );
        assert_eq!(
            parse_incident("role boss <@U1>").unwrap_err().usage,
            "/incident role commander|comms|scribe @user"
        );
        assert!(parse_incident("--sev 9 outage").is_err());
        assert!(
            parse_incident("--pivate outage").is_err(),
            "a typo'd flag is not a title"
        );
    }

    #[test]
    fn lifecycle_grammar() {
        assert_eq!(
            parse_incident("note --at 14:05 error rate rose"),
            Ok(IncidentCommand::Note {
                text: "error rate rose".into(),
                at: Some("14:05".into())
            })
        );
        assert_eq!(
            parse_incident("note --at 14:05").unwrap_err().usage,
            IncidentCommand::USAGE[NOTE]
        );
        assert_eq!(
            parse_incident("action Add a replica lag alarm <@U0KENJI> 2026-12-04"),
            Ok(IncidentCommand::Action {
                text: "Add a replica lag alarm".into(),
                owner: Some("U0KENJI".into()),
                due: Some("2026-12-04".into())
            })
        );
        assert_eq!(
            parse_incident("action Write the runbook"),
            Ok(IncidentCommand::Action {
                text: "Write the runbook".into(),
                owner: None,
                due: None
            })
        );
        assert_eq!(
            parse_incident("resolve --mitigated 14:30"),
            Ok(IncidentCommand::Resolve {
                mitigated: Some("14:30".into())
            })
        );
        assert_eq!(
            parse_incident("handover <@U0BOB>"),
            Ok(IncidentCommand::Handover { to: "U0BOB".into() })
        );
        assert_eq!(
            parse_incident("update").unwrap_err().usage,
            IncidentCommand::USAGE[UPDATE]
        );
        assert_eq!(parse_incident("reopen"), Ok(IncidentCommand::Reopen));
        assert_eq!(parse_incident("timeline"), Ok(IncidentCommand::Timeline));
        assert_eq!(
            parse_incident("impact 13:40"),
            Ok(IncidentCommand::Impact("13:40".into()))
        );
    }
}
