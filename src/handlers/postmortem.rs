//! Postmortem drafts: written by a `PostmortemDraft` job when an incident is resolved and again
//! on `/incident postmortem`. The draft is built from the incident as saved
//! (`domain::postmortem`), worded in the incident's language and the other one
//! (`messages::postmortem`), and shared in the incident channel as one Markdown file with a
//! short summary as its comment.

use crate::app::App;
use crate::domain::audit::AuditAction;
use crate::domain::incident::PostmortemDoc;
use crate::domain::postmortem::{Draft, Inputs, draft};
use crate::event::Timer;
use crate::ids::IncidentId;
use crate::locale::Locale;
use crate::messages::Message;
use crate::messages::common::mention;
use crate::messages::incident::IncidentNotice;
use crate::messages::postmortem::{GithubText, Names, PostmortemCard, View};
use crate::store::StoredIncident;
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
    let ids = d
        .participants
        .iter()
        .map(String::as_str)
        .chain(d.roles.iter().map(|(_, u)| u.as_str()))
        .chain(d.actions.iter().filter_map(|a| a.owner.as_deref()))
        .chain(
            d.culprit
                .iter()
                .chain(&d.suspects)
                .map(|c| c.actor.as_str()),
        );
    super::display_names(app, ids).await
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
    // The two languages are independent: each on its own thread.
    let (kind_first, kind_other) = (kind_title(first), kind_title(other));
    let (team_first, team_other) = (team(first), team(other));
    let (a, b) = std::thread::scope(|s| {
        let b = s.spawn(|| {
            View::new(d, &kind_other, names, other).render_with(team_other.as_deref(), other)
        });
        let a = View::new(d, &kind_first, names, first).render_with(team_first.as_deref(), first);
        (a, b.join().expect("rendering does not panic"))
    });
    format!("{a}\n\n---\n\n{b}")
}

/// The placeholder an action item's link holds while its issue is being opened.
const CLAIMED: &str = "opening";

/// Action items without an issue get one in `issues_repo`, once each: claimed first
/// (compare-and-swap on the incident), and looked up by the marker in its body before one is
/// opened, so neither a regeneration at the same time nor a lost answer opens a second.
async fn open_issues(app: &App, stored: &StoredIncident) -> anyhow::Result<()> {
    let cfg = &app.config.postmortem;
    let Some(repo) = &cfg.issues_repo else {
        return Ok(());
    };
    let id = stored.id;
    let locale = app.config.locale_for_repo(repo);
    let label = id.to_string();
    let todo = stored
        .record
        .actions
        .iter()
        .filter(|a| a.link.is_none() || a.link.as_deref() == Some(CLAIMED));
    for a in todo {
        let n = a.number;
        if a.link.is_none() {
            let (_, claimed) = app
                .store
                .update(id, |s| s.record.swap_action_link(n, None, Some(CLAIMED)))
                .await?;
            if !claimed {
                continue;
            }
        }
        let marker = format!("<!-- banto:incident:{}:action:{n} -->", id.0);
        let (owner, name) = (repo.owner(), repo.name());
        let labelled = cfg.issue_labels.first().map(String::as_str);
        let found = app
            .github
            .find_issue(owner, name, labelled, &marker)
            .await?;
        let url = match found {
            Some(url) => url,
            None => {
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
                let body = format!("{body}\n\n{marker}");
                app.github
                    .create_issue(owner, name, &title, &body, &cfg.issue_labels, &marker)
                    .await?
            }
        };
        app.store
            .update(id, |s| {
                s.record.swap_action_link(n, Some(CLAIMED), Some(&url))
            })
            .await?;
    }
    Ok(())
}

/// The draft as a pull request in `docs_repo`: one branch, one file and one PR per incident,
/// the file rewritten in place when the draft is written again, unless people edited it since
/// banto wrote it (then their edits stay: `kept_edits`).
async fn publish(
    app: &App,
    stored: &StoredIncident,
    date: &str,
    text: &str,
) -> anyhow::Result<Option<(PostmortemDoc, bool)>> {
    let cfg = &app.config.postmortem;
    let Some(repo) = &cfg.docs_repo else {
        return Ok(None);
    };
    let (owner, name, gh) = (repo.owner(), repo.name(), &app.github);
    let (id, title) = (stored.id, &stored.record.title);
    let locale = app.config.locale_for_repo(repo);
    let label = id.to_string();
    let prior = stored.meta.postmortem.as_ref();
    let path = prior.map_or_else(
        || {
            format!(
                "{}/{date}-{}.md",
                cfg.docs_dir.trim_matches('/'),
                crate::domain::incident::slug(title, id.0)
            )
        },
        |d| d.path.clone(),
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
    let edited = match (&existing, prior) {
        (Some(f), Some(d)) => f.sha != d.written,
        _ => false,
    };
    let written = match existing {
        Some(f) if edited || f.content == text => f.sha,
        existing => {
            let message = GithubText::Commit { id: label.clone() }.render(locale);
            let sha = existing.map(|f| f.sha);
            gh.put_file(owner, name, &branch, &path, text, sha.as_deref(), &message)
                .await?;
            gh.file(owner, name, &path, &branch)
                .await?
                .map(|f| f.sha)
                .unwrap_or_default()
        }
    };
    let pr_title = GithubText::PrTitle {
        id: label.clone(),
        title: title.to_owned(),
    }
    .render(locale);
    let body = GithubText::PrBody {
        id: label,
        title: title.to_owned(),
        path: path.clone(),
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
    let doc = PostmortemDoc {
        pr: pr.number,
        url: pr.url,
        path,
        written: if edited {
            prior.map(|d| d.written.clone()).unwrap_or_default()
        } else {
            written
        },
    };
    Ok(Some((doc, edited)))
}

fn review_days(app: &App) -> i64 {
    i64::from(app.config.postmortem.review_reminder_days.max(1))
}

/// Remind the commander while the postmortem pull request `pr` stays open.
async fn schedule_review(app: &App, id: IncidentId, pr: u64, round: u32) -> anyhow::Result<()> {
    let at = app.clock.now_ms() + review_days(app) * 86_400_000;
    let key = format!("incident:{}:postmortem_review:{pr}:{round}", id.0);
    crate::timers::schedule(app, Timer::PostmortemReview { id, round }, &key, at).await
}

pub async fn review_due(app: &App, id: IncidentId, round: u32) -> anyhow::Result<()> {
    let (Some(stored), Some(repo)) = (app.store.load(id).await?, &app.config.postmortem.docs_repo)
    else {
        return Ok(());
    };
    let (Some(doc), Some(channel)) = (&stored.meta.postmortem, &stored.meta.channel) else {
        return Ok(());
    };
    if !app
        .github
        .pull(repo.owner(), repo.name(), doc.pr)
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
        url: doc.url.clone(),
        days: review_days(app) * i64::from(round),
        who: stored.record.commander().map(mention),
    };
    let text = crate::clients::slack::Outgoing::text(notice.render(locale));
    crate::effects::post(app, channel, &text, None).await?;
    schedule_review(app, id, doc.pr, round + 1).await
}

pub async fn write(app: &App, id: IncidentId, regenerated: bool) -> anyhow::Result<()> {
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    // A private incident's draft stays in its channel: nothing of it goes to GitHub.
    let private = stored.record.private;
    if !private {
        open_issues(app, &stored).await?;
    }
    let Some(stored) = app.store.load(id).await? else {
        return Ok(());
    };
    let Some(channel) = stored.meta.channel.clone() else {
        return Ok(());
    };
    let zones = zones(app);
    let workspace = app.slack.workspace_url().await.ok();
    let label = id.to_string();
    let (record, zones_copy, label_copy) = (stored.record.clone(), zones.clone(), label.clone());
    let d = tokio::task::spawn_blocking(move || {
        draft(&Inputs {
            id: &label_copy,
            incident: &record,
            zones: &zones_copy,
            workspace_url: workspace.as_deref(),
        })
    })
    .await?;
    let names = names(app, &d).await;
    let locale = stored
        .meta
        .locale
        .unwrap_or(app.config.slack.default_locale);
    let playbook = app.config.incidents.playbooks.get(&d.kind);
    let [kind_en, kind_ja] = [Locale::En, Locale::Ja]
        .map(|l| playbook.map_or_else(|| d.kind.clone(), |p| p.title.get(l).to_owned()));
    let [team_en, team_ja] =
        [Locale::En, Locale::Ja].map(|l| app.config.postmortem.template(l).map(str::to_owned));
    // Rendering thousands of entries is CPU work: off the async workers.
    let draft_copy = d.clone();
    let text = tokio::task::spawn_blocking(move || {
        let kind = |l: Locale| match l {
            Locale::En => kind_en.clone(),
            Locale::Ja => kind_ja.clone(),
        };
        let team = |l: Locale| match l {
            Locale::En => team_en.clone(),
            Locale::Ja => team_ja.clone(),
        };
        crate::domain::mask::text(&document(&draft_copy, kind, &names, locale, team)).into_owned()
    })
    .await?;
    let date = chrono::DateTime::from_timestamp_millis(stored.record.impact_started_ms)
        .unwrap_or_default()
        .with_timezone(&zones[0])
        .format("%Y-%m-%d")
        .to_string();
    let published = match private {
        true => None,
        false => publish(app, &stored, &date, &text).await?,
    };
    if let Some((doc, _)) = &published {
        let new_pr = stored.meta.postmortem.as_ref().map(|d| d.pr) != Some(doc.pr);
        app.store
            .update(id, |s| s.meta.postmortem = Some(doc.clone()))
            .await?;
        if new_pr {
            schedule_review(app, id, doc.pr, 1).await?;
        }
    }
    let card = PostmortemCard {
        id: label.clone(),
        entries: d.timeline.len(),
        actions: d.actions.len(),
        findings: d.findings.len(),
        to_fill: to_fill(&d),
        regenerated,
        kept_edits: published.as_ref().is_some_and(|(_, kept)| *kept),
        pr: published.map(|(d, _)| d.url),
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
            AuditAction::PostmortemDrafted,
            &format!("incident:{}", id.0),
            &filename,
        )
        .await
}
