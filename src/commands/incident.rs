//! `/incident`: declare, and run the incident from its channel.

use super::Usage;
use crate::domain::incident::{Role, Status};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncidentCommand {
    Help,
    List,
    Declare {
        title: String,
        kind: Option<String>,
        severity: Option<u8>,
        private: bool,
    },
    Status(Status),
    Severity(u8),
    Role {
        role: Role,
        user: String,
    },
    Note(String),
}

impl IncidentCommand {
    pub const USAGE: [(&'static str, &'static str, &'static str); 7] = [
        (
            "/incident [--type <type>] [--sev 1-4] [--private] <title>",
            "declare an incident: a channel, the playbook's responders, a header card",
            "インシデントを宣言 (専用チャンネル、プレイブックの対応者、ヘッダーカード)",
        ),
        (
            "/incident status investigating|identified|monitoring|resolved",
            "set the status (in the incident channel)",
            "ステータスを変更 (インシデントチャンネルで)",
        ),
        (
            "/incident sev 1-4",
            "set the severity (1 is the worst)",
            "重大度を変更 (1 が最も深刻)",
        ),
        (
            "/incident role commander|comms|scribe @user",
            "give someone a role",
            "役割を割り当て",
        ),
        (
            "/incident note <text>",
            "add a note to the timeline",
            "タイムラインにメモを追加",
        ),
        (
            "/incident list",
            "open incidents you may see",
            "閲覧できる進行中のインシデント",
        ),
        ("/incident help", "show this list", "この一覧を表示"),
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
        usage: IncidentCommand::USAGE[i].0,
    };
    match words.first().map(|w| w.to_lowercase()).as_deref() {
        None | Some("help") if words.len() <= 1 => Ok(IncidentCommand::Help),
        Some("list") if words.len() == 1 => Ok(IncidentCommand::List),
        Some("status") => match words[1..] {
            [s] => Status::parse(&s.to_lowercase())
                .map(IncidentCommand::Status)
                .ok_or_else(|| usage(1)),
            _ => Err(usage(1)),
        },
        Some("sev") => match words[1..] {
            [n] => n
                .trim_start_matches(['s', 'S', 'e', 'E', 'v', 'V'])
                .parse()
                .ok()
                .filter(|n| (1..=4).contains(n))
                .map(IncidentCommand::Severity)
                .ok_or_else(|| usage(2)),
            _ => Err(usage(2)),
        },
        Some("role") => match words[1..] {
            [role, user] => match (Role::parse(&role.to_lowercase()), user_id(user)) {
                (Some(role), Some(user)) => Ok(IncidentCommand::Role { role, user }),
                _ => Err(usage(3)),
            },
            _ => Err(usage(3)),
        },
        Some("note") if words.len() > 1 => Ok(IncidentCommand::Note(words[1..].join(" "))),
        Some("note") => Err(usage(4)),
        _ => declare(&words).ok_or_else(|| usage(0)),
    }
}

fn declare(words: &[&str]) -> Option<IncidentCommand> {
    let (mut kind, mut severity, mut private) = (None, None, false);
    let mut title = vec![];
    let mut it = words.iter();
    while let Some(w) = it.next() {
        match *w {
            "--private" => private = true,
            "--type" => kind = Some(it.next()?.to_lowercase()),
            "--sev" => severity = Some(it.next()?.parse().ok().filter(|n| (1..=4).contains(n))?),
            w if w.starts_with("--") => return None,
            w => title.push(w),
        }
    }
    (!title.is_empty()).then(|| IncidentCommand::Declare {
        title: title.join(" "),
        kind,
        severity,
        private,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_grammar() {
        assert_eq!(
            parse_incident("--sev 1 --private --type security Leaked key in CI logs"),
            Ok(IncidentCommand::Declare {
                title: "Leaked key in CI logs".into(),
                kind: Some("security".into()),
                severity: Some(1),
                private: true,
            })
        );
        assert_eq!(
            parse_incident("データベース遅延"),
            Ok(IncidentCommand::Declare {
                title: "データベース遅延".into(),
                kind: None,
                severity: None,
                private: false,
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
        assert_eq!(parse_incident(""), Ok(IncidentCommand::Help));
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
}
