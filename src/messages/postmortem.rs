//! The postmortem draft in words: the language-neutral `Draft` becomes a `View` of plain strings
//! in one language (names instead of user ids, each timeline entry phrased by
//! `postmortem_entry.md`, rewrites for blameless findings by `postmortem_rewrite.md`), rendered by
//! `templates/postmortem.{en,ja}.md`. The Slack summary card is `postmortem_card.mrkdwn`.

use super::Message;
use super::incident::span;
use crate::domain::incident::{Role, What};
use crate::domain::postmortem::blameless::{Finding, Rule};
use crate::domain::postmortem::{ChangeLine, Draft, Quote, Row, Stamp};
use crate::locale::Locale;
use serde::Serialize;
use std::collections::BTreeMap;

/// The document's templates escape with `markdown_cells` (askama.toml), not as every `.md`.
mod document {
    use super::{EntryText, Rewrite, Rule, View, What};
    use crate::locale::Locale;
    use askama::Template;

    macro_rules! templates {
        ($($ty:ident, $name:ident => $en:literal, $ja:literal;)*) => {
            $(
                #[derive(Template)]
                #[template(path = $en, escape = "markdown_cells")]
                struct $name<'a> {
                    m: &'a $ty,
                }
                impl crate::messages::Message for $ty {
                    fn render(&self, locale: Locale) -> String {
                        #[derive(Template)]
                        #[template(path = $ja, escape = "markdown_cells")]
                        struct Ja<'a> {
                            m: &'a $ty,
                        }
                        let r = match locale {
                            Locale::En => $name { m: self }.render(),
                            Locale::Ja => Ja { m: self }.render(),
                        };
                        r.expect("templates only read fields").trim_end().to_owned()
                    }
                }
            )*
        };
    }

    templates! {
        View, ViewEn => "postmortem.en.md", "postmortem.ja.md";
        EntryText, EntryEn => "en/postmortem_entry.md", "ja/postmortem_entry.md";
        Rewrite, RewriteEn => "en/postmortem_rewrite.md", "ja/postmortem_rewrite.md";
    }
}

super::bilingual! {
    use { GithubText as Text };
    PostmortemCard => "en/postmortem_card.mrkdwn", "ja/postmortem_card.mrkdwn";
    GithubText => "en/postmortem_github.md", "ja/postmortem_github.md";
}

/// What banto writes on GitHub for a postmortem, in the repository's language.
pub enum GithubText {
    PrTitle {
        id: String,
        title: String,
    },
    PrBody {
        id: String,
        title: String,
        path: String,
    },
    Commit {
        id: String,
    },
    IssueTitle {
        id: String,
        text: String,
    },
    IssueBody {
        id: String,
        number: u32,
        title: String,
        owner: Option<String>,
        due: Option<String>,
    },
}

/// Display names by Slack user id; an id not in it is shown as is.
pub type Names = BTreeMap<String, String>;

fn name(names: &Names, id: &str) -> String {
    match id {
        "banto" => "banto".into(),
        id => names
            .get(id)
            .map_or_else(|| id.to_owned(), |n| format!("@{n}")),
    }
}

/// `<@U…>` mentions in people's text shown as names (a file is not Slack).
fn unmention(names: &Names, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<@") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('>') else {
            break;
        };
        let inner = &rest[i + 2..i + end];
        let id = inner.split('|').next().unwrap_or(inner);
        out.push_str(&name(names, id));
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// One timeline entry, phrased (`postmortem_entry.md`).
pub struct EntryText {
    pub what: What,
    pub names: std::sync::Arc<Names>,
}

impl EntryText {
    pub fn name(&self, id: &str) -> String {
        name(&self.names, id)
    }
    pub fn text(&self, text: &str) -> String {
        unmention(&self.names, text)
    }
}

pub struct Rewrite {
    pub rule: Rule,
}

#[derive(Clone, Debug, Serialize)]
pub struct RowView {
    pub when: Vec<String>,
    pub t: String,
    /// Already escaped for Markdown.
    pub what: String,
    pub by: String,
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChangeView {
    pub deploy: bool,
    pub subject: String,
    pub summary: String,
    pub actor: String,
    pub when: String,
    pub t: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuoteView {
    pub author: String,
    pub text: String,
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ActionView {
    pub number: u32,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub link: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct FindingView {
    pub place: String,
    pub phrase: String,
    pub rewrite: String,
}

/// Everything the document templates read: strings, lists and flags only, so a team's own
/// template reads the same names.
#[derive(Clone, Debug, Serialize)]
pub struct View {
    pub id: String,
    pub title: String,
    pub severity: u8,
    pub kind: String,
    pub private: bool,
    pub resolved: bool,
    pub services: String,
    pub zones: Vec<String>,
    pub impact_started: String,
    pub mitigated: String,
    pub resolved_at: String,
    pub impact_duration: String,
    pub detected: String,
    pub detected_by_alert: String,
    pub reporter: String,
    pub detect: String,
    pub acknowledge: String,
    pub mitigate: String,
    pub resolve: String,
    pub summary: String,
    pub has_culprit: bool,
    pub culprit: Vec<ChangeView>,
    pub suspects: Vec<ChangeView>,
    pub timeline: Vec<RowView>,
    pub response: Vec<RowView>,
    pub went_well: Vec<QuoteView>,
    pub went_wrong: Vec<QuoteView>,
    pub lucky: Vec<QuoteView>,
    pub actions: Vec<ActionView>,
    pub roles: Vec<(String, String)>,
    pub participants: String,
    pub findings: Vec<FindingView>,
}

/// A URL as a Markdown link target: `(`, `)` and spaces cannot end it early.
fn target(url: &Option<String>) -> String {
    url.as_deref()
        .unwrap_or_default()
        .replace('(', "%28")
        .replace(')', "%29")
        .replace(' ', "%20")
}

fn joined(s: &Stamp) -> String {
    s.zones.join(" / ")
}

fn minutes(m: Option<i64>, locale: Locale) -> String {
    m.map_or_else(|| "—".into(), |m| span(m * 60_000, locale))
}

impl View {
    /// `kind_title`: the playbook's title in `locale`.
    pub fn new(d: &Draft, kind_title: &str, names: &Names, locale: Locale) -> Self {
        let shared = std::sync::Arc::new(names.clone());
        let row = |r: &Row| RowView {
            when: r.at.zones.clone(),
            t: r.t.clone(),
            what: EntryText {
                what: r.what.clone(),
                names: shared.clone(),
            }
            .render(locale),
            by: name(names, &r.by),
            link: target(&r.link),
        };
        let change = |c: &ChangeLine| ChangeView {
            deploy: c.kind.is_deploy(),
            subject: c.subject.clone(),
            summary: c.summary.clone(),
            actor: name(names, &c.actor),
            when: joined(&c.at),
            t: c.t.clone(),
        };
        let quote = |q: &Quote| QuoteView {
            author: name(names, &q.author),
            text: unmention(names, &q.text),
            link: target(&q.link),
        };
        let finding = |f: &Finding| FindingView {
            place: f.place.clone(),
            phrase: f.phrase.clone(),
            rewrite: Rewrite { rule: f.rule }.render(locale),
        };
        let role_word = |r: Role| match (locale, r) {
            (Locale::En, Role::Commander) => "Incident commander",
            (Locale::En, Role::Comms) => "Communications",
            (Locale::En, Role::Scribe) => "Scribe",
            (Locale::Ja, Role::Commander) => "インシデント指揮者",
            (Locale::Ja, Role::Comms) => "広報担当",
            (Locale::Ja, Role::Scribe) => "記録担当",
        };
        Self {
            id: d.id.clone(),
            title: d.title.clone(),
            severity: d.severity,
            kind: kind_title.to_owned(),
            private: d.private,
            resolved: d.resolved,
            services: d.services.join(", "),
            zones: d.zones.clone(),
            impact_started: joined(&d.impact_started),
            mitigated: d.mitigated.as_ref().map(joined).unwrap_or_default(),
            resolved_at: d.resolved_at.as_ref().map(joined).unwrap_or_default(),
            impact_duration: d
                .mitigated
                .as_ref()
                .map(|m| span(m.ms - d.impact_started.ms, locale))
                .unwrap_or_default(),
            detected: joined(&d.detected),
            detected_by_alert: d.detected_by_alert.clone().unwrap_or_default(),
            reporter: name(names, &d.reporter),
            detect: minutes(d.minutes.detect, locale),
            acknowledge: minutes(d.minutes.acknowledge, locale),
            mitigate: minutes(d.minutes.mitigate, locale),
            resolve: minutes(d.minutes.resolve, locale),
            summary: d.last_update.clone().unwrap_or_default(),
            has_culprit: d.culprit.is_some(),
            culprit: d.culprit.iter().map(change).collect(),
            suspects: d.suspects.iter().map(change).collect(),
            timeline: d.timeline.iter().map(row).collect(),
            response: d.response.iter().map(row).collect(),
            went_well: d.went_well.iter().map(quote).collect(),
            went_wrong: d.went_wrong.iter().map(quote).collect(),
            lucky: d.lucky.iter().map(quote).collect(),
            actions: d
                .actions
                .iter()
                .map(|a| ActionView {
                    number: a.number,
                    text: unmention(names, &a.text),
                    owner: a
                        .owner
                        .as_deref()
                        .map(|o| name(names, o))
                        .unwrap_or_default(),
                    due: a.due.clone().unwrap_or_default(),
                    link: target(&a.link),
                })
                .collect(),
            roles: d
                .roles
                .iter()
                .map(|(r, u)| (role_word(*r).to_owned(), name(names, u)))
                .collect(),
            participants: d
                .participants
                .iter()
                .map(|p| name(names, p))
                .collect::<Vec<_>>()
                .join(", "),
            findings: d.findings.iter().map(finding).collect(),
        }
    }
}

fn team_environment(source: &str) -> Result<minijinja::Environment<'_>, minijinja::Error> {
    use minijinja::{AutoEscape, Environment, Value};
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Custom("markdown_cells"));
    env.set_formatter(|out, _state, value: &Value| {
        match value.as_str() {
            Some(s) if !value.is_safe() => {
                let mut escaped = String::new();
                askama::filters::Escaper::write_escaped_str(&super::MarkdownText, &mut escaped, s)
                    .expect("String writes");
                out.write_str(&escaped)?
            }
            _ if value.is_none() || value.is_undefined() => {}
            _ => out.write_str(&value.to_string())?,
        }
        Ok(())
    });
    env.add_template("postmortem", source)?;
    Ok(env)
}

/// A team's template, checked: `Err` names the line and what is wrong.
pub fn check_template(source: &str) -> Result<(), minijinja::Error> {
    team_environment(source).map(|_| ())
}

impl View {
    /// With the team's template (`m` is this view), else the built-in one.
    pub fn render_with(&self, team: Option<&str>, locale: Locale) -> String {
        let Some(source) = team else {
            return self.render(locale);
        };
        let rendered = team_environment(source).and_then(|env| {
            env.get_template("postmortem")?
                .render(minijinja::context! { m => self })
        });
        match rendered {
            Ok(text) => text.trim_end().to_owned(),
            Err(e) => {
                tracing::warn!(error = %e, "the team's postmortem template failed; using the built-in one");
                self.render(locale)
            }
        }
    }
}

/// The card in the incident channel beside the file.
pub struct PostmortemCard {
    pub id: String,
    pub entries: usize,
    pub actions: usize,
    pub findings: usize,
    /// Sections left for people to write.
    pub to_fill: usize,
    pub regenerated: bool,
    /// People edited the draft in its pull request: banto left their edits.
    pub kept_edits: bool,
    /// The pull request in the docs repository.
    pub pr: Option<String>,
}

#[cfg(test)]
#[path = "postmortem_tests.rs"]
mod tests;
