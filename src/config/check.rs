//! Checks beyond TOML's types, each error at the line of the entry it is about.

use super::{Config, ConfigError};
use std::path::Path;

impl Config {
    pub(super) fn validate(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message,
        };
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"))
        {
            return Err(invalid(format!(
                "database.url must start with sqlite: or postgres:, got {:?}",
                crate::redact::url(url)
            )));
        }
        if self.workers.max_attempts == 0 {
            return Err(invalid("workers.max_attempts must be at least 1".into()));
        }
        let spans = Spans::read(text);
        let mut names = std::collections::BTreeSet::new();
        for (i, p) in self.terraform.projects.iter().enumerate() {
            let at = |what: &str| format!("terraform project {:?}: {what}", p.name);
            let here = |message: String| ConfigError::Invalid {
                path: path.to_owned(),
                line: spans.line(&spans.terraform.projects, i, text),
                column: 1,
                message,
            };
            if !names.insert(p.name.as_str()) {
                return Err(here(at("the name is used twice")));
            }
            if p.name.is_empty() || p.name.contains(char::is_whitespace) {
                return Err(here(at("the name must be one word")));
            }
            if p.min_approvals == 0 || p.risk.iter().any(|r| r.min_approvals == 0) {
                return Err(here(at("min_approvals must be at least 1")));
            }
            if p.approvers.users.is_empty() && p.approvers.groups.is_empty() {
                return Err(here(at("no approvers: nobody could ever apply it")));
            }
            for r in &p.risk {
                if r.resource_types.is_empty() && r.cost_increase_over.is_none() {
                    return Err(here(at(
                        "a risk rule names resource_types, cost_increase_over or both",
                    )));
                }
                if let Some(a) = r.actions.iter().find(|a| {
                    !["create", "update", "delete", "replace", "forget"].contains(&a.as_str())
                }) {
                    return Err(here(at(&format!("unknown risk action {a:?}"))));
                }
            }
        }
        let mut apps = std::collections::BTreeSet::new();
        for (i, a) in self.deploy.apps.iter().enumerate() {
            let at = |what: &str| format!("deploy app {:?}: {what}", a.name);
            let here = |message: String| ConfigError::Invalid {
                path: path.to_owned(),
                line: spans.line(&spans.deploy.apps, i, text),
                column: 1,
                message,
            };
            if !apps.insert(a.name.as_str()) {
                return Err(here(at("the name is used twice")));
            }
            if a.name.is_empty() || a.name.contains(char::is_whitespace) {
                return Err(here(at("the name must be one word")));
            }
            if a.min_approvals == 0 {
                return Err(here(at("min_approvals must be at least 1")));
            }
            if a.envs.is_empty() {
                return Err(here(at("no envs")));
            }
            let needs_approval = a.envs.iter().any(|e| !e.auto_merge);
            if needs_approval && a.approvers.users.is_empty() && a.approvers.groups.is_empty() {
                return Err(here(at("no approvers, and not every env auto-merges")));
            }
            if let Some(p) = &a.tag_policy {
                match (&p.semver, &p.regex) {
                    (Some(r), None) => crate::domain::tag_policy::TagPolicy::semver(r).map(|_| ()),
                    (None, Some(r)) => crate::domain::tag_policy::TagPolicy::regex(r).map(|_| ()),
                    _ => Err("tag_policy needs exactly one of semver or regex".to_owned()),
                }
                .map_err(|e| here(at(&e)))?;
            }
            let mut envs = std::collections::BTreeSet::new();
            for e in &a.envs {
                if !envs.insert(e.name.as_str()) {
                    return Err(here(at(&format!("env {:?} is listed twice", e.name))));
                }
                let locators = [e.key.is_some(), e.kustomize.is_some(), e.setter.is_some()];
                if locators.iter().filter(|x| **x).count() > 1 {
                    return Err(here(at(&format!(
                        "env {:?}: set at most one of key, kustomize, setter",
                        e.name
                    ))));
                }
                for w in &e.freeze {
                    w.parse::<crate::domain::freeze::FreezeWindow>()
                        .map_err(|m| here(at(&format!("env {:?}: {m}", e.name))))?;
                }
            }
            if a.tag_policy.is_none()
                && let Some(e) = a.envs.iter().find(|e| e.auto_deploy)
            {
                return Err(here(at(&format!(
                    "env {:?} has auto_deploy but the app has no tag_policy: automation only deploys tags a policy allows",
                    e.name
                ))));
            }
        }
        self.validate_translate(path, text)
    }

    /// Every provider a channel may use is configured; the self-hosted endpoint is a URL.
    fn validate_translate(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        use crate::domain::translate::Provider;
        let t = &self.translate;
        let at = |value: &str, message: String| {
            let (line, column) = value_position(text, value);
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message,
            }
        };
        for p in std::iter::once(&t.provider).chain(t.channels.values()) {
            let missing = match p {
                Provider::Deepl => None,
                Provider::Amazon => t.amazon.is_none().then_some("[translate.amazon]"),
                Provider::Llm => t
                    .llm
                    .is_none()
                    .then_some("[translate.llm] with url and model"),
            };
            if let Some(section) = missing {
                return Err(at(
                    p.name(),
                    format!(
                        "translate: provider {:?} is chosen but {section} is not set",
                        p.name()
                    ),
                ));
            }
        }
        if let Some(llm) = &t.llm
            && !url::Url::parse(&llm.url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(at(
                &llm.url,
                format!(
                    "translate.llm.url {:?} is not an http(s) URL",
                    crate::redact::url(&llm.url)
                ),
            ));
        }
        Ok(())
    }
}

/// The line of the `name = "…"` of the `header` entry called `name` (1 if not found), so a
/// check beyond TOML points at the entry it is about.
/// Where each `[[terraform.projects]]` and `[[deploy.apps]]` entry is, as TOML read it.
#[derive(serde::Deserialize, Default)]
struct Spans {
    #[serde(default)]
    terraform: TfSpans,
    #[serde(default)]
    deploy: DeploySpans,
}

#[derive(serde::Deserialize, Default)]
struct TfSpans {
    #[serde(default)]
    projects: Vec<toml::Spanned<serde::de::IgnoredAny>>,
}

#[derive(serde::Deserialize, Default)]
struct DeploySpans {
    #[serde(default)]
    apps: Vec<toml::Spanned<serde::de::IgnoredAny>>,
}

impl Spans {
    /// The text has already been read as a `Config`, so it reads again.
    fn read(text: &str) -> Self {
        toml::from_str(text).unwrap_or_default()
    }

    /// The line entry `i` starts on.
    fn line(
        &self,
        entries: &[toml::Spanned<serde::de::IgnoredAny>],
        i: usize,
        text: &str,
    ) -> usize {
        entries
            .get(i)
            .map_or(1, |e| line_column(text, e.span().start).0)
    }
}

pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[derive(Clone, Copy)]
enum SlackId {
    Channel,
    User,
    Group,
}

impl SlackId {
    fn accepts(self, id: &str) -> bool {
        let mut chars = id.chars();
        let first = chars.next();
        let rest_ok = id.len() >= 7 && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        rest_ok
            && match self {
                SlackId::Channel => matches!(first, Some('C' | 'G' | 'D')),
                SlackId::User => matches!(first, Some('U' | 'W')),
                SlackId::Group => first == Some('S'),
            }
    }

    fn advice(self, value: &str) -> String {
        match self {
            SlackId::Channel => format!(
                "{value:?} is not a Slack channel id: write the id (C… or G…), found in the \
                 channel's details under About, at the bottom"
            ),
            SlackId::User => format!(
                "{value:?} is not a Slack user id: write the member id (U… or W…), found in the \
                 person's profile under ⋮ → Copy member ID; a name can never match anyone"
            ),
            SlackId::Group => format!(
                "{value:?} is not a Slack user group id: write the id (S…), found in the \
                 group's page under ⋮ → Copy group ID"
            ),
        }
    }
}

impl Config {
    /// Slack channels, users and user groups as ids, endpoints as URLs: what a real workspace
    /// needs and the fake world's names (`#infra`, `@alice`, `&sre-leads`) are not.
    pub(super) fn check_for_workspace(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let mut wanted: Vec<(String, &str, SlackId)> = Vec::new();
        for p in &self.terraform.projects {
            let at = format!("terraform project {:?}", p.name);
            wanted.push((at.clone(), p.channel.as_str(), SlackId::Channel));
            wanted.extend(
                p.approvers
                    .users
                    .iter()
                    .map(|u| (at.clone(), u.as_str(), SlackId::User)),
            );
            wanted.extend(
                p.approvers
                    .groups
                    .iter()
                    .map(|g| (at.clone(), g.as_str(), SlackId::Group)),
            );
        }
        for a in &self.deploy.apps {
            let at = format!("deploy app {:?}", a.name);
            wanted.push((at.clone(), a.channel.as_str(), SlackId::Channel));
            wanted.extend(
                a.approvers
                    .users
                    .iter()
                    .map(|u| (at.clone(), u.as_str(), SlackId::User)),
            );
            wanted.extend(
                a.approvers
                    .groups
                    .iter()
                    .map(|g| (at.clone(), g.as_str(), SlackId::Group)),
            );
        }
        if let Some(ops) = &self.slack.ops_channel {
            wanted.push(("slack.ops_channel".into(), ops.as_str(), SlackId::Channel));
        }
        if let Some(broadcast) = &self.incidents.broadcast_channel {
            wanted.push((
                "incidents.broadcast_channel".into(),
                broadcast.as_str(),
                SlackId::Channel,
            ));
        }
        if let Some(alerts) = &self.incidents.alerts.channel {
            wanted.push((
                "incidents.alerts.channel".into(),
                alerts.as_str(),
                SlackId::Channel,
            ));
        }
        for channel in self
            .translate
            .auto_channels
            .iter()
            .chain(self.translate.channels.keys())
        {
            wanted.push(("translate".into(), channel.as_str(), SlackId::Channel));
        }
        for channel in self.slack.channel_locales.keys() {
            wanted.push((
                "slack.channel_locales".into(),
                channel.as_str(),
                SlackId::Channel,
            ));
        }
        for user in self.github.slack_users.values() {
            wanted.push(("github.slack_users".into(), user, SlackId::User));
        }
        if let Some((at, value, kind)) = wanted.into_iter().find(|(_, v, k)| !k.accepts(v)) {
            let (line, column) = value_position(text, value);
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: format!("{at}: {}", kind.advice(value)),
            });
        }
        for (kind, p) in &self.incidents.playbooks {
            let people = p
                .severity
                .get_ref()
                .values()
                .map(|s| &s.invite)
                .chain([&p.responders]);
            for who in people {
                let users = who.users.iter().map(|u| (u.as_str(), SlackId::User));
                let groups = who.groups.iter().map(|g| (g.as_str(), SlackId::Group));
                if let Some((value, id)) = users.chain(groups).find(|(v, k)| !k.accepts(v)) {
                    let (file, text) = &p.source;
                    let (line, column) = value_position(text, value);
                    return Err(ConfigError::Invalid {
                        path: file.clone(),
                        line,
                        column,
                        message: format!("playbook {kind:?}: {}", id.advice(value)),
                    });
                }
            }
        }
        if let Some(service) = self
            .aws
            .endpoints
            .keys()
            .find(|s| !super::aws::SERVICES.contains(&s.as_str()))
        {
            let (line, column) = value_position(text, service);
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: format!(
                    "aws.endpoints: banto does not call {service:?}; the services are {}",
                    super::aws::SERVICES.join(", ")
                ),
            });
        }
        let endpoints = self
            .aws
            .endpoint_url
            .iter()
            .map(|e| ("aws.endpoint_url".to_owned(), e))
            .chain(
                self.aws
                    .endpoints
                    .iter()
                    .map(|(service, e)| (format!("aws.endpoints.{service}"), e)),
            );
        for (name, endpoint) in endpoints {
            let ok = url::Url::parse(endpoint)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                let (line, column) = value_position(text, endpoint);
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    line,
                    column,
                    message: format!(
                        "{name} {endpoint:?} is not a URL: write e.g. \
                         \"https://vpce-0abc.codebuild.us-east-1.vpce.amazonaws.com\", or leave it \
                         out to use AWS itself"
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Where `value` is written as a TOML string (or as a key), for errors about checked values.
fn value_position(text: &str, value: &str) -> (usize, usize) {
    ["\"", "'"]
        .iter()
        .find_map(|q| text.find(&format!("{q}{value}{q}")))
        .or_else(|| text.find(value))
        .map_or((1, 1), |offset| line_column(text, offset))
}
