//! The approval flows every approvable record with a card shares (Terraform runs, deploys):
//! the policy from config with user groups expanded, refusals told to the clicker in one
//! message, Approve (decided with the slice's own step in one save, then its follow-up) and
//! Reject (a modal asking why, then the rejection, then its follow-up). A re-run of either
//! whose run stopped after saving finishes what it left and audits once.

use super::cards::{Carded, show};
use super::reply;
use crate::app::App;
use crate::config::{ApprovalRules, People};
use crate::domain::approval::{Approvable, Approved, Policy, Refusal};
use crate::domain::audit::AuditAction;
use crate::event::{BlockAction, Form, ViewSubmission};
use crate::ids::UserId;
use crate::messages::Message;
use crate::messages::approval::{ApprovalRefused, Item};
use crate::store::Versioned;
use std::collections::BTreeSet;
use std::future::Future;

/// Who may approve under `rules`: configured users plus the members of configured groups.
async fn policy(app: &App, rules: ApprovalRules<'_>) -> anyhow::Result<Policy> {
    Ok(Policy {
        approvers: members(app, rules.approvers).await?,
        allow_self_approval: rules.allow_self_approval,
    })
}

/// Configured users plus the members of configured groups.
pub(crate) async fn members(app: &App, people: &People) -> anyhow::Result<BTreeSet<UserId>> {
    let mut users: BTreeSet<UserId> = people.users.iter().cloned().collect();
    for group in &people.groups {
        users.extend(app.slack.usergroup_members(group).await?);
    }
    Ok(users)
}

/// A record people approve and reject on its card.
pub(crate) trait Approving: Carded + Approvable {
    /// The rules of its project or app.
    fn rules<'a>(app: &'a App, stored: &Versioned<Self>) -> anyhow::Result<ApprovalRules<'a>>;
    /// What it is, and the project or app whose approvers decide.
    fn item(stored: &Versioned<Self>) -> (Item, String);
    fn reject_form(id: Self::Id) -> Form;
    /// The audit log's subject, and its actions.
    fn audit_subject(stored: &Versioned<Self>) -> String;
    const APPROVED: AuditAction;
    const REJECTED: AuditAction;

    /// What the clicker may be told after an approval.
    type Reply: Message + Send;
    /// What the approval reads before it is decided (a run's freshness).
    type Context: Send + Sync;
    /// What is decided in the same save as the approval (a run begins its apply).
    type Decided: Send;
    /// Read before deciding; may finish what a stopped run left first.
    fn context(
        app: &App,
        stored: &Versioned<Self>,
    ) -> impl Future<Output = anyhow::Result<Self::Context>> + Send;
    fn decide(
        saved: &mut Versioned<Self>,
        approved: &Result<Approved, Refusal>,
        context: &Self::Context,
    ) -> Self::Decided;
    /// What follows a saved approval (the card, an apply, a merge).
    fn approved(
        app: &App,
        stored: &Versioned<Self>,
        approved: Approved,
        decided: Self::Decided,
    ) -> impl Future<Output = anyhow::Result<Option<Self::Reply>>> + Send;
    /// This clicker's approval was saved and the record went on: the re-run of a click whose
    /// run stopped (or a second click) finishes what was left. False: nothing to finish.
    fn went_on(record: &Self) -> bool;
    /// Finish it; `None` tells the clicker their approval stands.
    fn resume(
        app: &App,
        stored: &Versioned<Self>,
    ) -> impl Future<Output = anyhow::Result<Option<Self::Reply>>> + Send;
    /// What follows a saved rejection, after the card shows it (safe to repeat).
    fn rejected(
        app: &App,
        stored: &Versioned<Self>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

async fn policy_of<R: Approving>(app: &App, stored: &Versioned<R>) -> anyhow::Result<Policy> {
    policy(app, R::rules(app, stored)?).await
}

/// The refusal as the clicker reads it.
fn refused<R: Approving>(
    stored: &Versioned<R>,
    refusal: Refusal,
    rejecting: bool,
) -> ApprovalRefused {
    let (item, owner) = R::item(stored);
    ApprovalRefused {
        item,
        owner,
        refusal,
        rejecting,
    }
}

/// Answer only the person who clicked, in their language.
async fn answer(app: &App, click: &BlockAction, message: &impl Message) -> anyhow::Result<()> {
    let locale = app.locale_for(&click.user, click.channel.as_ref()).await;
    reply(
        app,
        click.response_url.as_deref(),
        click.channel.as_ref(),
        &click.user,
        message.render(locale),
    )
    .await
}

/// Approve: the policy decides, the record saves the approval with what it decides in the same
/// compare-and-swap, the slice's hook does what follows, and the clicker hears what they must.
pub(crate) async fn approve<R: Approving>(
    app: &App,
    click: BlockAction,
    id: R::Id,
) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let context = R::context(app, &stored).await?;
    let policy = policy_of(app, &stored).await?;
    let user = click.user.clone();
    let (stored, (result, decided)) = app
        .store
        .update(id, |s| {
            let result = s.record.approve(&user, &policy);
            let decided = R::decide(s, &result, &context);
            (result, decided)
        })
        .await?;
    let subject = R::audit_subject(&stored);
    let detail = item_ref(R::item(&stored).0);
    let mine = stored.record.approvals().contains(&user);
    let said = match result {
        Ok(approved) => {
            app.store
                .audit(user.as_str(), R::APPROVED, &subject, &detail)
                .await?;
            R::approved(app, &stored, approved, decided).await?
        }
        Err(_) if mine && R::went_on(&stored.record) => {
            app.store
                .audit_once(user.as_str(), R::APPROVED, &subject, &detail)
                .await?;
            match R::resume(app, &stored).await? {
                Some(reply) => Some(reply),
                None => {
                    return answer(
                        app,
                        &click,
                        &refused(&stored, Refusal::AlreadyApproved, false),
                    )
                    .await;
                }
            }
        }
        // Whoever already approved hears that their approval stands, whatever came since.
        Err(_) if mine => {
            return answer(
                app,
                &click,
                &refused(&stored, Refusal::AlreadyApproved, false),
            )
            .await;
        }
        Err(r) => return answer(app, &click, &refused(&stored, r, false)).await,
    };
    match said {
        Some(reply) => answer(app, &click, &reply).await,
        None => Ok(()),
    }
}

/// Reject asks why, in a modal, before anything changes; who may not reject is told why.
pub(crate) async fn reject_clicked<R: Approving>(
    app: &App,
    click: BlockAction,
    id: R::Id,
) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let policy = policy_of(app, &stored).await?;
    if let Err(r) = stored.record.may_reject(&click.user, &policy) {
        return answer(app, &click, &refused(&stored, r, true)).await;
    }
    let locale = app.locale_for(&click.user, click.channel.as_ref()).await;
    let modal = crate::messages::common::reject_modal(&R::reject_form(id), locale);
    Ok(app.slack.open_view(&click.trigger_id, &modal).await?)
}

/// The reason typed into a reason modal (`messages::common::reason_modal`).
pub(crate) fn reason_of(view: &ViewSubmission) -> String {
    use crate::messages::common::{REASON_BLOCK, REASON_INPUT};
    view.values[format!("{REASON_BLOCK}.{REASON_INPUT}")]
        .as_str()
        .unwrap_or("")
        .trim()
        .to_owned()
}

pub(crate) async fn reject_submitted<R: Approving>(
    app: &App,
    view: ViewSubmission,
    id: R::Id,
) -> anyhow::Result<()> {
    let reason = reason_of(&view);
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let policy = policy_of(app, &stored).await?;
    let user = view.user.clone();
    let (stored, result) = app
        .store
        .update(id, |s| s.record.reject(&user, &policy, &reason))
        .await?;
    let subject = R::audit_subject(&stored);
    let detail = format!("{}: {reason}", item_ref(R::item(&stored).0));
    match result {
        Ok(()) => {
            app.store
                .audit(user.as_str(), R::REJECTED, &subject, &detail)
                .await?
        }
        // The re-run of this rejection after its run stopped: finish what it left.
        Err(_) if stored.record.rejected_by() == Some(&user) => {
            app.store
                .audit_once(user.as_str(), R::REJECTED, &subject, &detail)
                .await?
        }
        Err(r) => {
            let locale = app.locale_for(&view.user, None).await;
            let channel = R::card(&stored.meta).channel.clone();
            let text = refused(&stored, r, true).render(locale);
            return reply(app, None, Some(&channel), &view.user, text).await;
        }
    }
    show(app, &stored).await?;
    R::rejected(app, &stored).await
}

/// `run #3`, `#12`: the record in audit details.
fn item_ref(item: Item) -> String {
    match item {
        Item::Plan { run } => format!("run #{run}"),
        Item::Deploy { id } => format!("#{id}"),
    }
}
