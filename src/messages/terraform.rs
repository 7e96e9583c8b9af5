//! Terraform run cards and `/tf` replies. The status line and the replies are templates
//! (`templates/{en,ja}/tf_*.mrkdwn`); this module assembles the card's blocks around them.

use super::common::{approval_buttons, approver_mentions, duration, mention, mentions};
use super::policy::PolicyText;
use super::{Message, escape_mrkdwn};
use crate::clients::slack::Outgoing;
use crate::config::TfProject;
use crate::domain::tf_run::{BindingPart, Run, RunMeta, RunState, Stale};
use crate::event::Action;
use crate::ids::RunId;
use crate::locale::Locale;
use serde_json::{Value, json};

super::bilingual! {
    use { TfReply as Reply, TfStatus as Status, Why, BindingPart as Part };
    TfStatus => "en/tf_status.mrkdwn", "ja/tf_status.mrkdwn";
    TfReply => "en/tf_reply.mrkdwn", "ja/tf_reply.mrkdwn";
}

/// Why a run was not applied, as the card says it.
#[derive(Clone, Debug, PartialEq)]
pub enum Why {
    NewCommit { head: String },
    OtherApply,
    Expired { minutes: u32 },
    LockLost,
    PrClosed,
    Changed { parts: Vec<BindingPart> },
    Merged { run: i64 },
}

/// The card's status line.
#[derive(Clone, Debug, PartialEq)]
pub enum TfStatus {
    Queued {
        behind: i64,
    },
    Planning,
    Awaiting {
        have: u32,
        need: u32,
        approvers: String,
        approved_by: String,
        /// A merge commit's plan that differs from the approved plan of this run.
        differs_from: Option<i64>,
    },
    /// Approved; applies after the pull request is merged.
    AwaitingMerge {
        approved_by: String,
        pr: Option<u64>,
    },
    Applying {
        approved_by: String,
    },
    Applied {
        approved_by: String,
        took: String,
        logs: Option<String>,
    },
    NothingToDo,
    PlanFailed {
        phase: String,
        logs: Option<String>,
    },
    ApplyFailed {
        phase: String,
        took: String,
        logs: Option<String>,
    },
    Rejected {
        by: String,
        reason: String,
    },
    Superseded {
        why: Why,
    },
    Cancelled {
        by: String,
    },
}

pub struct RunLine {
    pub id: i64,
    pub project: String,
    pub sha: String,
    pub state_en: &'static str,
    pub state_ja: &'static str,
}

/// Replies only the asking user sees, and the few notices posted in a project's channel.
pub enum TfReply {
    Help {
        usage: &'static [&'static str],
    },
    Usage {
        input: String,
        usage: &'static str,
    },
    UnknownProject {
        name: String,
        known: String,
    },
    BadRef {
        git_ref: String,
        repo: String,
    },
    PlanStarted {
        project: String,
        git_ref: String,
        run: i64,
        channel: crate::ids::ChannelId,
    },
    PlanQueued {
        project: String,
        run: i64,
        behind: i64,
    },
    Counted {
        have: u32,
        need: u32,
    },
    UnknownRun {
        run: i64,
    },
    Unlocked {
        project: String,
        workspace: String,
        by: String,
        reason: String,
        holder: Option<i64>,
    },
    NotLocked {
        project: String,
    },
    ApproversOnly {
        project: String,
    },
    CannotCancel {
        run: i64,
    },
    Cancelled {
        run: i64,
    },
    Status {
        runs: Vec<RunLine>,
        locks: Vec<(String, i64)>,
    },
}

pub fn state_names(state: &RunState, queued: bool) -> (&'static str, &'static str) {
    match state {
        RunState::Planning if queued => ("queued", "順番待ち"),
        RunState::Planning => ("planning", "plan 中"),
        RunState::PlanFailed { .. } => ("plan failed", "plan 失敗"),
        RunState::AwaitingApproval => ("awaiting approval", "承認待ち"),
        RunState::AwaitingMerge => ("awaiting merge", "マージ待ち"),
        RunState::Applying => ("applying", "apply 中"),
        RunState::Applied => ("applied", "apply 完了"),
        RunState::ApplyFailed { .. } => ("apply failed", "apply 失敗"),
        RunState::Rejected { .. } => ("rejected", "却下"),
        RunState::Superseded { .. } => ("not applied", "未適用"),
        RunState::Cancelled { .. } => ("cancelled", "取り消し"),
    }
}

/// The status line for a run in its current state.
pub fn status_of(
    run: &Run,
    meta: &RunMeta,
    project: &TfProject,
    lock_holder: Option<i64>,
    locale: Locale,
) -> TfStatus {
    let approved_by = mentions(&run.approvals);
    let took = || {
        duration(
            meta.apply_finished_ms.unwrap_or(0) - meta.apply_started_ms.unwrap_or(0),
            locale,
        )
    };
    match &run.state {
        RunState::Planning if meta.queued && lock_holder.is_some() => TfStatus::Queued {
            behind: lock_holder.unwrap_or(0),
        },
        RunState::Planning => TfStatus::Planning,
        RunState::AwaitingApproval => TfStatus::Awaiting {
            have: run.approvals.len() as u32,
            need: run.plan.as_ref().map_or(1, |p| p.required_approvals),
            approvers: approver_mentions(&project.approvers),
            approved_by,
            differs_from: run.carried.as_ref().map(|c| c.from_run),
        },
        RunState::AwaitingMerge => TfStatus::AwaitingMerge {
            approved_by,
            pr: meta.pr,
        },
        RunState::Applying => TfStatus::Applying { approved_by },
        RunState::Applied if run.approvals.is_empty() => TfStatus::NothingToDo,
        RunState::Applied => TfStatus::Applied {
            approved_by,
            took: took(),
            logs: meta.logs_url.clone(),
        },
        RunState::PlanFailed { phase } => TfStatus::PlanFailed {
            phase: phase.clone(),
            logs: meta.logs_url.clone(),
        },
        RunState::ApplyFailed { phase } => TfStatus::ApplyFailed {
            phase: phase.clone(),
            took: took(),
            logs: meta.logs_url.clone(),
        },
        RunState::Rejected { by, reason } => TfStatus::Rejected {
            by: mention(by.as_str()),
            reason: reason.clone(),
        },
        RunState::Superseded { reason } => TfStatus::Superseded {
            why: match reason {
                Stale::NewCommit { head } => Why::NewCommit {
                    head: head.chars().take(7).collect(),
                },
                Stale::OtherApply => Why::OtherApply,
                Stale::Expired => Why::Expired {
                    minutes: project.plan_ttl_minutes,
                },
                Stale::LockLost => Why::LockLost,
                Stale::PrClosed => Why::PrClosed,
                Stale::Changed { parts } => Why::Changed {
                    parts: parts.clone(),
                },
                Stale::Merged { run } => Why::Merged { run: *run },
            },
        },
        RunState::Cancelled { by } => TfStatus::Cancelled { by: mention(by) },
    }
}

/// One message per run, edited in place: header, status, plan summary, buttons while approvable.
pub fn card(
    run_id: i64,
    run: &Run,
    meta: &RunMeta,
    project: &TfProject,
    status: &TfStatus,
    locale: Locale,
) -> Outgoing {
    let status_line = status.render(locale);
    let mut blocks = vec![
        json!({ "type": "header", "text": { "type": "plain_text",
            "text": format!("Terraform · {} · run #{run_id}", project.name).chars().take(150).collect::<String>() } }),
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": status_line } }),
    ];
    blocks.extend(meta.summary_blocks.iter().cloned());
    let has_cost_rule = project.risk.iter().any(|r| r.cost_increase_over.is_some());
    let cost = run.plan.as_ref().and_then(|p| p.cost.as_ref());
    if let Some(text) =
        super::cost::CostText::of(cost, has_cost_rule).filter(|_| run.plan.is_some())
    {
        let text = text.render(locale);
        blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } }));
    }
    let sets = super::policy::set_views(run, false);
    if !sets.is_empty() {
        let text: String = PolicyText::Card { sets }
            .render(locale)
            .chars()
            .take(3000)
            .collect();
        blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } }));
    }
    if run.state == RunState::AwaitingApproval {
        let id = RunId(run_id);
        let mut buttons = approval_buttons(
            format!("tf_run_{run_id}"),
            &Action::TfApprove { run: id },
            &Action::TfReject { run: id },
            locale,
        );
        if !run.blocking_policies().is_empty() {
            let override_action = Action::TfOverride { run: id };
            let (action_id, value) = override_action.wire();
            let label = PolicyText::ModalTitle.render(locale);
            if let Some(elements) = buttons["elements"].as_array_mut() {
                elements.push(
                    json!({ "type": "button", "action_id": action_id, "value": value,
                    "text": { "type": "plain_text", "text": label } }),
                );
            }
        }
        blocks.push(buttons);
    }
    let sha: String = run.head_sha.chars().take(7).collect();
    let mut context = format!(
        "`{}` · {} · `{}`",
        escape_mrkdwn(&project.dir),
        escape_mrkdwn(&project.workspace),
        sha
    );
    match meta.pr {
        Some(pr) => context.push_str(&format!(
            " · <https://github.com/{}/pull/{pr}|{}#{pr}>",
            escape_mrkdwn(meta.repo.as_str()),
            escape_mrkdwn(meta.repo.as_str())
        )),
        None => context.push_str(&format!(" · `{}`", escape_mrkdwn(&meta.git_ref))),
    }
    context.push_str(&format!(" · {}", mention(&run.requested_by)));
    blocks.push(json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": context }] }));
    Outgoing {
        text: format!("Terraform {} #{run_id}: {status_line}", project.name),
        blocks: Some(Value::Array(blocks)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tf_run::{Approvable, PlanFacts};

    use crate::messages::both;

    fn project() -> TfProject {
        crate::config::Config::parse(
            r#"
[[terraform.projects]]
name = "network"
repo = "acme/infra"
dir = "envs/prod/network"
codebuild_plan_project = "p"
codebuild_apply_project = "a"
artifact_bucket = "b"
channel = "C1"
approvers = { users = ["UALICE"], groups = ["SLEADS"] }
"#,
            std::path::Path::new("t.toml"),
        )
        .unwrap()
        .terraform
        .projects
        .remove(0)
    }

    #[test]
    fn every_status_line_in_both_languages() {
        let all = [
            TfStatus::Queued { behind: 3 },
            TfStatus::Planning,
            TfStatus::Awaiting {
                have: 1,
                need: 2,
                approvers: mention("UALICE"),
                approved_by: mention("UBOB"),
                differs_from: None,
            },
            TfStatus::Awaiting {
                have: 0,
                need: 1,
                approvers: mention("UALICE"),
                approved_by: String::new(),
                differs_from: Some(4),
            },
            TfStatus::AwaitingMerge {
                approved_by: mention("UBOB"),
                pr: Some(31),
            },
            TfStatus::Applying {
                approved_by: mention("UBOB"),
            },
            TfStatus::Applied {
                approved_by: mention("UBOB"),
                took: duration(192_000, Locale::En),
                logs: Some("https://logs.example/1".into()),
            },
            TfStatus::NothingToDo,
            TfStatus::PlanFailed {
                phase: "BUILD".into(),
                logs: None,
            },
            TfStatus::ApplyFailed {
                phase: "POST_BUILD".into(),
                took: "1m 5s".into(),
                logs: None,
            },
            TfStatus::Rejected {
                by: mention("UBOB"),
                reason: "<!channel> too wide".into(),
            },
            TfStatus::Superseded {
                why: Why::NewCommit {
                    head: "b2b2b2b".into(),
                },
            },
            TfStatus::Superseded {
                why: Why::Expired { minutes: 240 },
            },
            TfStatus::Superseded {
                why: Why::Changed {
                    parts: vec![
                        BindingPart::LockFile,
                        BindingPart::TerraformVersion,
                        BindingPart::BaseCommit,
                    ],
                },
            },
            TfStatus::Superseded {
                why: Why::Merged { run: 5 },
            },
            TfStatus::Cancelled {
                by: mention("github:carol"),
            },
        ];
        let text: Vec<String> = all.iter().map(|s| both(s)).collect();
        let text = text.join("\n\n");
        assert!(
            text.contains("&lt;!channel&gt; too wide"),
            "a reason cannot ping: {text}"
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn replies_in_both_languages() {
        let all = [
            TfReply::Help {
                usage: &crate::commands::TfCommand::USAGE,
            },
            TfReply::Usage {
                input: "unlock network".into(),
                usage: "/tf unlock <project> <reason>",
            },
            TfReply::UnknownProject {
                name: "netwrok".into(),
                known: "`network`".into(),
            },
            TfReply::Unlocked {
                project: "network".into(),
                workspace: "default".into(),
                by: mention("UALICE"),
                reason: "stuck".into(),
                holder: Some(4),
            },
            TfReply::Status {
                runs: vec![RunLine {
                    id: 4,
                    project: "network".into(),
                    sha: "a1a1a1a".into(),
                    state_en: "awaiting approval",
                    state_ja: "承認待ち",
                }],
                locks: vec![("network/default".into(), 4)],
            },
        ];
        let text: Vec<String> = all.iter().map(|s| both(s)).collect();
        insta::assert_snapshot!(text.join("\n\n"));
    }

    #[test]
    fn the_card_has_buttons_only_while_approvable() {
        let p = project();
        let mut run = Run::new("network", "a1a1a1a1a1", "github:carol");
        run.plan_succeeded(
            PlanFacts {
                sha256: "00".into(),
                planned_at_ms: 0,
                required_approvals: 1,
                binding: Default::default(),
                policies: vec![],
                cost: None,
                changes_digest: None,
            },
            true,
        );
        let meta = RunMeta {
            pr: Some(42),
            queued: false,
            ..RunMeta::new("acme/infra".parse().unwrap(), "", "C1".into())
        };
        let status = status_of(&run, &meta, &p, None, Locale::Ja);
        let awaiting = card(7, &run, &meta, &p, &status, Locale::Ja);
        insta::assert_snapshot!(serde_json::to_string_pretty(&awaiting.blocks).unwrap());
        run.approve(
            &crate::ids::UserId::from("UALICE"),
            &crate::domain::approval::Policy::new(["UALICE"], false),
        )
        .unwrap();
        run.state = RunState::Applying;
        let status = status_of(&run, &meta, &p, None, Locale::En);
        let applying = card(7, &run, &meta, &p, &status, Locale::En);
        assert!(!applying.blocks.unwrap().to_string().contains("tf_approve"));
        assert!(applying.text.contains("Applying"), "{}", applying.text);
    }
}
