//! Postmortem drafts: written by a `PostmortemDraft` job when an incident is resolved and again
//! on `/incident postmortem`. The draft is built from the incident as saved
//! (`domain::postmortem`), worded in the incident's language and the other one
//! (`messages::postmortem`), and shared in the incident channel as one Markdown file with a
//! short summary as its comment.

use crate::app::App;
use crate::domain::postmortem::{Draft, Inputs, draft};
use crate::event::Timer;
use crate::ids::{ChannelId, IncidentId, UserId};
use crate::locale::Locale;
use crate::messages::Message;
use crate::messages::common::mention;
use crate::messages::incident::IncidentNotice;
use crate::messages::postmortem::{GithubText, Names, PostmortemCard, View};
use chrono_tz::Tz;

/// Ask for a draft: now, once per resolution (`trigger`: none) or per request.
pub async fn schedule(app: &App, id: IncidentId, trigger: Option<&str>) -> anyhow::Result<()> {
    let (key, regenerated) = match trigger {
        Some(t) => (format!("incident:{}:postmortem:{t}", id.0), true),
        None => {
            let resolved = match app.store.load(id).await? {
                Some(s) => s.record.resolved_ms.unwrap_or_default(),
                None => return Ok(()),
            };
            (
                format!("incident:{}:postmortem:resolved:{resolved}", id.0),
                false,
            )
        }
    };
    let timer = Timer::PostmortemDraft { id, regenerated };
    crate::timers::schedule(app, timer, &key, app.clock.now_ms()).await
}

/// The timeline's zones: configured, else the team's.
fn zones(app: &App) -> Vec<Tz> {
    match app.config.postmortem.zones.as_slice() {
        [] => vec![app.config.slack.time_zone],
        z => z.to_vec(),
    }
}

/// Everyone the draft names, by display name (cached profiles; an unknown id stays an id).
async fn names(app: &App, d: &Draft) -> Names {
    let mut ids: Vec<&str> = d.participants.iter().map(String::as_str).collect();
    ids.extend(d.roles.iter().map(|(_, u)| u.as_str()));
    ids.extend(d.actions.iter().filter_map(|a| a.owner.as_deref()));
    ids.extend(
        d.culprit
            .iter()
            .chain(&d.suspects)
            .map(|c| c.actor.as_str()),
    );
    ids.sort();
    ids.dedup();
    let lookups = ids.iter().map(|id| async move {
        let p = app.slack.profile(&UserId::from(*id)).await.ok()?;
        Some((id.to_string(), p.name?))
    });
    futures::future::join_all(lookups)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// Sections the draft leaves for people to write.
fn to_fill(d: &Draft) -> usize {
    [
        d.last_update.is_none(),
        d.culprit.is_none() && d.suspects.is_empty(),
        d.response.is_empty(),
        d.went_well.is_empty(),
        d.went_wrong.is_empty(),
        d.lucky.is_empty(),
        d.actions.is_empty(),
    ]
    .into_iter()
    .filter(|empty| *empty)
    .count()
}

/// The draft in `first`'s language, then in the other (each with the team's template if it
/// has one).
pub fn document(
    d: &Draft,
    kind_title: impl Fn(Locale) -> String,
    names: &Names,
    first: Locale,
    team: impl Fn(Locale) -> Option<String>,
) -> String {
    let other = match first {
        Locale::En => Locale::Ja,
        Locale::Ja => Locale::En,
    };
    [first, other]
        .into_iter()
        .map(|l| View::new(d, &kind_title(l), names, l).render_with(team(l).as_deref(), l))
        .collect::<Vec<_>>()
        .join("\n\n---\n\n")
}

/// The placeholder an action item's link holds while its issue is being opened.
const CLAIMED: &str = "opening";

/// Action items without an issue get one in `issues_repo`: claimed first (compare-and-swap on
/// the incident), so a regeneration running at the same time never opens a second.
async fn open_issues(app: &App, id: IncidentId) -> anyhow::Result<()> {
    let cfg = &app.config.postmortem;
    let Some(repo) = &cfg.issues_repo else {
        return Ok(());
    };
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let locale = app.config.locale_for_repo(repo);
    let label = id.to_string();
    for a in stored.record.actions.iter().filter(|a| a.link.is_none()) {
        let n = a.number;
        let (_, claimed) = app
            .store
            .update(id, |s| s.record.swap_action_link(n, None, Some(CLAIMED)))
            .await?;
        if !claimed {
            continue;
        }
        let title = GithubText::IssueTitle {
            id: label.clone(),
            text: a.text.clone(),
        }
        .render(locale);
        let body = GithubText::IssueBody {
            id: label.clone(),
            number: n,
            title: stored.record.title.clone(),
            owner: a.owner.as_deref().map(|o| format!("<@{o}>")),
            due: a.due.clone(),
        }
        .render(locale);
        let opened = app
            .github
            .create_issue(repo.owner(), repo.name(), &title, &body, &cfg.issue_labels)
            .await;
        let link = opened.as_ref().ok().map(String::as_str);
        app.store
            .update(id, |s| s.record.swap_action_link(n, Some(CLAIMED), link))
            .await?;
        opened?;
    }
    Ok(())
}

/// The draft as a pull request in `docs_repo`: one branch and one PR per incident, the file
/// rewritten in place (compare-and-swap on its blob) when the draft is written again.
async fn publish(
    app: &App,
    id: IncidentId,
    title: &str,
    date: &str,
    text: &str,
) -> anyhow::Result<Option<(u64, String)>> {
    let cfg = &app.config.postmortem;
    let Some(repo) = &cfg.docs_repo else {
        return Ok(None);
    };
    let (owner, name, gh) = (repo.owner(), repo.name(), &app.github);
    let locale = app.config.locale_for_repo(repo);
    let label = id.to_string();
    let path = format!(
        "{}/{date}-{}.md",
        cfg.docs_dir.trim_matches('/'),
        crate::domain::incident::slug(title, id.0)
    );
    let branch = format!("banto/postmortem-{}", id.0);
    if gh.branch_head(owner, name, &branch).await?.is_none() {
        let base = gh
            .branch_head(owner, name, &cfg.docs_branch)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{repo} has no branch {}", cfg.docs_branch))?;
        gh.create_branch(owner, name, &branch, &base).await?;
    }
    let existing = gh.file(owner, name, &path, &branch).await?;
    if existing.as_ref().map(|f| f.content.as_str()) != Some(text) {
        let message = GithubText::Commit { id: label.clone() }.render(locale);
        let sha = existing.map(|f| f.sha);
        gh.put_file(owner, name, &branch, &path, text, sha.as_deref(), &message)
            .await?;
    }
    let pr_title = GithubText::PrTitle {
        id: label.clone(),
        title: title.to_owned(),
    }
    .render(locale);
    let body = GithubText::PrBody {
        id: label,
        title: title.to_owned(),
        path,
    }
    .render(locale);
    let pr = match gh.open_pull(owner, name, &branch).await? {
        Some(p) => {
            gh.update_pull(owner, name, p.number, &pr_title, &body, false)
                .await?;
            p
        }
        None => {
            gh.create_pull(owner, name, &branch, &cfg.docs_branch, &pr_title, &body)
                .await?
        }
    };
    Ok(Some((pr.number, pr.url)))
}

/// Remind the commander while the postmortem pull request stays open.
async fn schedule_review(app: &App, id: IncidentId, round: u32) -> anyhow::Result<()> {
    let days = i64::from(app.config.postmortem.review_reminder_days.max(1));
    let at = app.clock.now_ms() + days * 86_400_000;
    let key = format!("incident:{}:postmortem_review:{round}", id.0);
    crate::timers::schedule(app, Timer::PostmortemReview { id, round }, &key, at).await
}

pub async fn review_due(app: &App, id: IncidentId, round: u32) -> anyhow::Result<()> {
    let (Some(stored), Some(repo)) = (app.store.load(id).await?, &app.config.postmortem.docs_repo)
    else {
        return Ok(());
    };
    let (Some((number, url)), Some(channel)) = (&stored.meta.postmortem_pr, &stored.meta.channel)
    else {
        return Ok(());
    };
    if !app
        .github
        .pull(repo.owner(), repo.name(), *number)
        .await?
        .open
    {
        return Ok(());
    }
    let locale = stored
        .meta
        .locale
        .unwrap_or(app.config.slack.default_locale);
    let notice = IncidentNotice::PostmortemOpen {
        url: url.clone(),
        days: i64::from(app.config.postmortem.review_reminder_days) * i64::from(round),
        who: stored.record.commander().map(mention),
    };
    let text = crate::clients::slack::Outgoing::text(notice.render(locale));
    crate::effects::post(app, &ChannelId::from(channel.as_str()), &text, None).await?;
    schedule_review(app, id, round + 1).await
}

pub async fn write(app: &App, id: IncidentId, regenerated: bool) -> anyhow::Result<()> {
    open_issues(app, id).await?;
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let Some(channel) = stored.meta.channel.as_deref().map(ChannelId::from) else {
        return Ok(());
    };
    let zones = zones(app);
    let workspace = app.slack.workspace_url().await.ok();
    let label = id.to_string();
    let d = draft(&Inputs {
        id: &label,
        incident: &stored.record,
        zones: &zones,
        workspace_url: workspace.as_deref(),
    });
    let names = names(app, &d).await;
    let locale = stored
        .meta
        .locale
        .unwrap_or(app.config.slack.default_locale);
    let playbook = app.config.incidents.playbooks.get(&d.kind);
    let kind_title =
        |l: Locale| playbook.map_or_else(|| d.kind.clone(), |p| p.title.get(l).to_owned());
    let team = |l: Locale| app.config.postmortem.template(l).map(str::to_owned);
    let text = document(&d, kind_title, &names, locale, team);
    let date = chrono::DateTime::from_timestamp_millis(stored.record.impact_started_ms)
        .unwrap_or_default()
        .with_timezone(&zones[0])
        .format("%Y-%m-%d")
        .to_string();
    let pr = publish(app, id, &stored.record.title, &date, &text).await?;
    if let Some(pr) = &pr {
        let first = stored.meta.postmortem_pr.is_none();
        app.store
            .update(id, |s| s.meta.postmortem_pr = Some(pr.clone()))
            .await?;
        if first {
            schedule_review(app, id, 1).await?;
        }
    }
    let card = PostmortemCard {
        id: label.clone(),
        entries: d.timeline.len(),
        actions: d.actions.len(),
        findings: d.findings.len(),
        to_fill: to_fill(&d),
        regenerated,
        pr: pr.map(|(_, url)| url),
    }
    .render(locale);
    let filename = format!("{date}-{}-postmortem.md", label.to_lowercase());
    let title = format!("{label} postmortem draft");
    crate::effects::at_most_once(app, "postmortem", || async {
        app.slack
            .upload(&channel, &filename, &title, &text, &card)
            .await?;
        Ok(())
    })
    .await?;
    app.store
        .audit(
            "banto",
            "postmortem_drafted",
            &format!("incident:{}", id.0),
            &filename,
        )
        .await
}
