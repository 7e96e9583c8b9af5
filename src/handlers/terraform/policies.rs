//! Policy sets on a run: checked when the plan arrives (on the blocking pool, with the plan's
//! masker), shown on the card and the pull request, and overridden only by their owners.

use super::{project, show_card, subject};
use crate::app::App;
use crate::config::PolicySet;
use crate::domain::audit::AuditAction;
use crate::domain::mask::Masker;
use crate::domain::policy::{Finding, OverrideRefusal, SetResult};
use crate::event::{BlockAction, Form, ViewSubmission};
use crate::handlers::reply;
use crate::ids::{RunId, UserId};
use crate::messages::Message;
use crate::messages::policy::{PolicyComment, PolicyText};
use crate::store::StoredRun;
use std::collections::BTreeMap;

/// A set keeps at most this many messages (one per resource can be thousands).
const KEPT: usize = 200;

/// What each set finds in the plan's JSON, its messages masked like the plan.
pub(super) fn check(
    sets: &[PolicySet],
    plan_json: &str,
    masker: &Masker,
) -> anyhow::Result<Vec<SetResult>> {
    if sets.is_empty() {
        return Ok(vec![]);
    }
    let input = crate::policy::Input::parse(plan_json)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(sets
        .iter()
        .map(|set| {
            let bundle = set.bundle();
            let found = bundle.evaluate(&input, threads);
            SetResult {
                set: set.name.clone(),
                digest: bundle.digest.clone(),
                overrides_needed: set.overrides_needed,
                findings: found
                    .findings
                    .into_iter()
                    .take(KEPT)
                    .map(|f| Finding {
                        msg: masker.scrub(&f.msg).into_owned(),
                        msg_ja: f.msg_ja.map(|m| masker.scrub(&m).into_owned()),
                        ..f
                    })
                    .collect(),
            }
        })
        .collect())
}

/// ` policies network-safety: 2 failed, 1 warned; cost: passed` for the audit log.
pub(super) fn audit_detail(results: &[SetResult]) -> String {
    if results.is_empty() {
        return String::new();
    }
    let each: Vec<String> = results
        .iter()
        .map(|r| {
            let (f, w) = (r.failures().count(), r.warnings().count());
            match (f, w) {
                (0, 0) => format!("{}: passed", r.set),
                _ => format!("{}: {f} failed, {w} warned", r.set),
            }
        })
        .collect();
    format!(" policies {}", each.join("; "))
}

/// The current digest of the sets that check `project` (for freshness before apply).
pub(super) fn current_digest(app: &App, project: &str) -> Option<String> {
    let sets = app.config.terraform.policies_for(project);
    crate::domain::policy::digest(
        sets.iter()
            .map(|s| (s.name.as_str(), s.bundle().digest.as_str())),
    )
}

/// The owners of each set that checks the run's project, groups expanded.
async fn owners(
    app: &App,
    stored: &StoredRun,
) -> anyhow::Result<BTreeMap<String, std::collections::BTreeSet<UserId>>> {
    let mut out = BTreeMap::new();
    for set in app.config.terraform.policies_for(&stored.record.project) {
        out.insert(
            set.name.clone(),
            crate::handlers::approval::members(app, &set.owners).await?,
        );
    }
    Ok(out)
}

/// Would `user` be let through? Decided on a copy, so the modal opens only for someone who may.
fn try_override(
    stored: &StoredRun,
    user: &UserId,
    reason: &str,
    owners: &BTreeMap<String, std::collections::BTreeSet<UserId>>,
) -> Result<Vec<String>, crate::domain::policy::OverrideRefusal> {
    let mut run = stored.record.clone();
    run.override_policies(user, reason, |set| {
        owners.get(set).is_some_and(|o| o.contains(user))
    })
}

async fn answer(
    app: &App,
    user: &UserId,
    response_url: Option<&str>,
    stored: &StoredRun,
    text: &PolicyText,
) -> anyhow::Result<()> {
    let channel = stored.meta.card.channel.clone();
    let locale = app.locale_for(user, Some(&channel)).await;
    reply(app, response_url, Some(&channel), user, text.render(locale)).await
}

/// Override: owners are asked why in a modal; anyone else is told who may.
pub async fn override_clicked(app: &App, click: BlockAction, run: RunId) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(run).await? else {
        return Ok(());
    };
    let owners = owners(app, &stored).await?;
    if let Err(refusal) = try_override(&stored, &click.user, "", &owners) {
        let text = PolicyText::Refused {
            run: run.0,
            refusal,
        };
        return answer(
            app,
            &click.user,
            click.response_url.as_deref(),
            &stored,
            &text,
        )
        .await;
    }
    let locale = app.locale_for(&click.user, click.channel.as_ref()).await;
    let modal = crate::messages::common::reason_modal(
        &Form::TfOverrideReason { run },
        &PolicyText::ModalTitle.render(locale),
        &PolicyText::ModalWhy.render(locale),
        locale,
    );
    Ok(app.slack.open_view(&click.trigger_id, &modal).await?)
}

pub async fn override_submitted(app: &App, view: ViewSubmission, run: RunId) -> anyhow::Result<()> {
    let reason = crate::handlers::approval::reason_of(&view);
    let Some(stored) = app.store.load(run).await? else {
        return Ok(());
    };
    let user = view.user.clone();
    if reason.is_empty() {
        let text = PolicyText::Refused {
            run: run.0,
            refusal: OverrideRefusal::NoReason,
        };
        return answer(app, &user, None, &stored, &text).await;
    }
    let owners = owners(app, &stored).await?;
    let (stored, result) = app
        .store
        .update(run, |s| {
            s.record.override_policies(&user, &reason, |set| {
                owners.get(set).is_some_and(|o| o.contains(&user))
            })
        })
        .await?;
    let sets = match result {
        Ok(sets) => sets,
        // The re-run of this submission after its run stopped: finish what it left.
        Err(_)
            if stored
                .record
                .overrides
                .iter()
                .any(|o| o.by == user && o.reason == reason) =>
        {
            stored
                .record
                .overrides
                .iter()
                .filter(|o| o.by == user && o.reason == reason)
                .map(|o| o.set.clone())
                .collect()
        }
        Err(refusal) => {
            let text = PolicyText::Refused {
                run: run.0,
                refusal,
            };
            return answer(app, &user, None, &stored, &text).await;
        }
    };
    let project = project(app, &stored.record.project)?;
    for set in &sets {
        app.store
            .audit_once(
                user.as_str(),
                AuditAction::PolicyOverride,
                &subject(&project.name),
                &format!("run #{} set {set}: {reason}", run.0),
            )
            .await?;
    }
    show_card(app, &stored).await?;
    pr_comment(app, &stored).await?;
    answer(
        app,
        &user,
        None,
        &stored,
        &PolicyText::Overridden { run: run.0, sets },
    )
    .await
}

/// The run's policy results on its pull request: one comment per run, edited in place.
pub(super) async fn pr_comment(app: &App, stored: &StoredRun) -> anyhow::Result<()> {
    let (Some(pr), Some(plan)) = (stored.meta.pr, stored.record.plan.as_ref()) else {
        return Ok(());
    };
    if plan.policies.is_empty() {
        return Ok(());
    }
    let repo = &stored.meta.repo;
    let marker = format!(
        "<!-- banto:tf:{}:policies:{} -->",
        stored.record.project, stored.id.0
    );
    let comment = PolicyComment::new(stored.id.0, &stored.record, |u| {
        crate::handlers::on_github(app, u.as_str())
    });
    let body = format!(
        "{marker}\n{}",
        comment.render(app.config.locale_for_repo(repo))
    );
    app.github
        .upsert_comment(repo.owner(), repo.name(), pr, None, &marker, &body)
        .await?;
    Ok(())
}
