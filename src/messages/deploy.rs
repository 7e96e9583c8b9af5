//! Deploy cards and `/deploy` `/promote` `/rollback` replies. The status line, the progress line
//! and the replies are templates (`templates/{en,ja}/deploy_*.mrkdwn`); this module assembles the
//! card's blocks around them.

use super::common::{approval_buttons, approver_mentions, mention, mentions};
use super::{Message, escape_mrkdwn};
use crate::clients::slack::Outgoing;
use crate::config::DeployApp;
use crate::domain::deploy::{
    Deploy, DeployMeta, DeployState, HoldKind, HoldWhy, Holds, Superseded,
};
use crate::event::Action;
use crate::ids::DeployId;
use crate::locale::Locale;
use serde_json::{Value, json};

super::bilingual! {
    use { DeployReply as DReply, DeployStatus as DStatus, DeployWhy, HoldKind, HoldWhy };
    DeployStatus => "en/deploy_status.mrkdwn", "ja/deploy_status.mrkdwn";
    DeployProgress => "en/deploy_progress.mrkdwn", "ja/deploy_progress.mrkdwn";
    DeployReply => "en/deploy_reply.mrkdwn", "ja/deploy_reply.mrkdwn";
}

/// Why a deploy was not merged, as the card says it.
#[derive(Clone, Debug, PartialEq)]
pub enum DeployWhy {
    Moved { env: String, current: String },
    Newer { id: DeployId },
    MergeRefused { message: String },
    Frozen { incidents: String },
}

/// A hold as replies name it: what holds, why, and who placed it.
#[derive(Clone, Debug, PartialEq)]
pub struct HoldLine {
    pub kind: HoldKind,
    pub why: HoldWhy,
    pub by: String,
}

pub fn hold_lines<'a>(
    holds: impl IntoIterator<Item = &'a crate::domain::deploy::Hold>,
) -> Vec<HoldLine> {
    holds
        .into_iter()
        .map(|h| HoldLine {
            kind: h.kind,
            why: h.why.clone(),
            by: mention(h.by.as_str()),
        })
        .collect()
}

/// The card's status line.
#[derive(Clone, Debug, PartialEq)]
pub enum DeployStatus {
    Awaiting {
        have: u32,
        need: u32,
        approvers: String,
        approved_by: String,
        break_glass: Option<String>,
    },
    Merging,
    Merged {
        approved_by: String,
    },
    Healthy,
    Degraded {
        message: String,
    },
    Rejected {
        by: String,
        reason: String,
    },
    Superseded {
        why: DeployWhy,
    },
}

/// Requested → PR open → Merged → Synced/Healthy, with the step reached in bold.
pub struct DeployProgress {
    /// 1: requested, 2: PR open, 3: merged, 4: synced; 0: stopped before merging.
    pub step: u8,
    pub degraded: bool,
}

pub struct EnvLine {
    pub app: String,
    pub env: String,
    pub tag: String,
    pub holds: Vec<HoldLine>,
    pub open: Vec<DeployId>,
}

pub struct HistoryLine {
    pub id: DeployId,
    pub tag: String,
    pub from: String,
    pub state_en: &'static str,
    pub state_ja: &'static str,
    pub by: String,
}

/// Replies only the asking user sees, and the few notices posted in an app's channel.
pub enum DeployReply {
    Help {
        usage: &'static [&'static str],
    },
    Usage {
        command: String,
        input: String,
        usage: &'static str,
    },
    UnknownApp {
        name: String,
        known: String,
    },
    UnknownEnv {
        app: String,
        env: String,
        known: String,
    },
    Started {
        app: String,
        env: String,
        tag: String,
        id: DeployId,
        pr_url: String,
        channel: crate::ids::ChannelId,
        /// Holds that stay in force (a person rolled forward over them, or broke glass).
        held: Vec<HoldLine>,
    },
    Merged {
        app: String,
        env: String,
        tag: String,
        from: String,
    },
    AlreadyThere {
        app: String,
        env: String,
        tag: String,
    },
    Frozen {
        app: String,
        env: String,
        window: String,
        until: String,
        /// The same instant in the asker's own zone, when it differs from the window's.
        yours: Option<String>,
    },
    /// Not started: every hold in force is named. Automation is told how it resumes; a
    /// person stopped by a freeze is pointed to break-glass.
    Held {
        app: String,
        env: String,
        tag: String,
        holds: Vec<HoldLine>,
        automatic: bool,
    },
    Refused {
        file: String,
        message: String,
    },
    FileMissing {
        repo: String,
        file: String,
    },
    Moved {
        env: String,
        current: String,
        tag: String,
    },
    MergeRefused {
        message: String,
    },
    /// Approved, but an incident froze the environment after it was asked for.
    MergeFrozen {
        env: String,
        incidents: String,
    },
    NotAnApprover {
        app: String,
    },
    NotAwaiting {
        id: DeployId,
    },
    Counted {
        have: u32,
        need: u32,
    },
    NothingToPromote {
        app: String,
        env: String,
    },
    NoPrevious {
        app: String,
        env: String,
    },
    Locked {
        app: String,
        env: String,
        reason: String,
        by: String,
    },
    /// `/deploy unlock` lifted `released`; incident freezes stay (`frozen`).
    Unlocked {
        app: String,
        env: String,
        by: String,
        released: Vec<HoldLine>,
        frozen: Vec<HoldLine>,
    },
    /// Nothing `/deploy unlock` may lift; `frozen` names the incident freezes in force.
    NotLocked {
        app: String,
        env: String,
        frozen: Vec<HoldLine>,
    },
    Status {
        lines: Vec<EnvLine>,
    },
    History {
        app: String,
        env: String,
        lines: Vec<HistoryLine>,
    },
    /// Posted in the card's thread when Argo CD reports.
    ArgoCd {
        argo_app: String,
        sync: String,
        health: String,
        revision: String,
        message: String,
    },
}

/// `INC-3, INC-4`.
pub fn incident_names(ids: &[crate::ids::IncidentId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl DeployReply {
    /// A person's or automation's ask stopped by `holds`.
    pub fn held(app: &str, env: &str, tag: &str, holds: &Holds, automatic: bool) -> Self {
        DeployReply::Held {
            app: app.to_owned(),
            env: env.to_owned(),
            tag: tag.to_owned(),
            holds: hold_lines(holds.all()),
            automatic,
        }
    }

    pub fn merged(d: &Deploy) -> Self {
        DeployReply::Merged {
            app: d.app.clone(),
            env: d.env.clone(),
            tag: d.tag.clone(),
            from: d.from.clone().unwrap_or_else(|| "—".into()),
        }
    }
}

pub fn state_names(state: &DeployState) -> (&'static str, &'static str) {
    match state {
        DeployState::AwaitingApproval => ("awaiting approval", "承認待ち"),
        DeployState::Merged => ("merged", "マージ済み"),
        DeployState::Healthy => ("healthy", "正常稼働"),
        DeployState::Degraded { .. } => ("degraded", "異常"),
        DeployState::Rejected { .. } => ("rejected", "却下"),
        DeployState::Superseded { .. } => ("not merged", "未マージ"),
    }
}

pub fn status_of(d: &Deploy, app: &DeployApp) -> DeployStatus {
    let approved_by = mentions(&d.approvals);
    match &d.state {
        DeployState::AwaitingApproval if d.ready_to_merge() => DeployStatus::Merging,
        DeployState::AwaitingApproval => DeployStatus::Awaiting {
            have: d.approvals.len() as u32,
            need: d.required_approvals,
            approvers: approver_mentions(&app.approvers),
            approved_by,
            break_glass: d.break_glass.clone(),
        },
        DeployState::Merged => DeployStatus::Merged { approved_by },
        DeployState::Healthy => DeployStatus::Healthy,
        DeployState::Degraded { message } => DeployStatus::Degraded {
            message: message.clone(),
        },
        DeployState::Rejected { by, reason } => DeployStatus::Rejected {
            by: mention(by.as_str()),
            reason: reason.clone(),
        },
        DeployState::Superseded { why } => DeployStatus::Superseded {
            why: match why {
                Superseded::EnvironmentMoved { current } => DeployWhy::Moved {
                    env: d.env.clone(),
                    current: current.clone(),
                },
                Superseded::NewerDeploy { id } => DeployWhy::Newer { id: *id },
                Superseded::MergeRefused { message } => DeployWhy::MergeRefused {
                    message: message.clone(),
                },
                Superseded::Frozen { incidents } => DeployWhy::Frozen {
                    incidents: incident_names(incidents),
                },
            },
        },
    }
}

fn progress(d: &Deploy, meta: &DeployMeta) -> DeployProgress {
    let step = match d.state {
        DeployState::AwaitingApproval if meta.pr.is_some() => 2,
        DeployState::AwaitingApproval => 1,
        DeployState::Merged => 3,
        DeployState::Healthy | DeployState::Degraded { .. } => 4,
        DeployState::Rejected { .. } | DeployState::Superseded { .. } => 0,
    };
    DeployProgress {
        step,
        degraded: matches!(d.state, DeployState::Degraded { .. }),
    }
}

fn deploy_word(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "Deploy",
        Locale::Ja => "デプロイ",
    }
}

/// Slack's section text limit, less room for the fence.
const DIFF_CHARS: usize = 2_900;

/// One message per deploy, edited in place: header, status, progress, diff, buttons while
/// approvable.
pub fn card(
    id: DeployId,
    d: &Deploy,
    meta: &DeployMeta,
    app: &DeployApp,
    locale: Locale,
) -> Outgoing {
    let status_line = status_of(d, app).render(locale);
    let mut blocks = vec![
        json!({ "type": "header", "text": { "type": "plain_text",
            "text": format!("{} · {} → {} · #{id}", deploy_word(locale), d.app, d.env).chars().take(150).collect::<String>() } }),
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": status_line } }),
        json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": progress(d, meta).render(locale) }] }),
    ];
    if !meta.diff.is_empty() {
        let mut diff: String = meta.diff.chars().take(DIFF_CHARS).collect();
        if diff.len() < meta.diff.len() {
            diff.push_str("\n…");
        }
        blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn",
            "text": format!("```{}```", escape_mrkdwn(&diff)) } }));
    }
    if d.state == DeployState::AwaitingApproval && !d.ready_to_merge() {
        blocks.push(approval_buttons(
            format!("deploy_{id}"),
            &Action::DeployApprove { deploy: id },
            &Action::DeployReject { deploy: id },
            locale,
        ));
    }
    let mut context = format!(
        "`{}` → `{}`",
        escape_mrkdwn(d.from.as_deref().unwrap_or("—")),
        escape_mrkdwn(&d.tag)
    );
    if let Some(pr) = meta.pr {
        context.push_str(&format!(
            " · <https://github.com/{repo}/pull/{pr}|{repo}#{pr}>",
            repo = escape_mrkdwn(app.repo.as_str())
        ));
    }
    context.push_str(&format!(" · {}", mention(&d.requested_by)));
    blocks.push(json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": context }] }));
    Outgoing {
        text: format!(
            "{} {} {} #{id}: {status_line}",
            deploy_word(locale),
            d.app,
            d.env
        ),
        blocks: Some(Value::Array(blocks)),
    }
}

#[cfg(test)]
#[path = "deploy_tests.rs"]
mod tests;
