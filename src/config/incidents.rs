//! `[incidents]` and the playbooks in `playbooks/`: one TOML file per incident type, read when
//! the config is read, every error at its file, line and column.

use super::{ConfigError, People, check::line_column};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentsConfig {
    /// Where declarations and stakeholder updates are announced (never for private incidents).
    pub broadcast_channel: Option<crate::ids::ChannelId>,
    /// Incident channels are named `<prefix>-YYYYMMDD-<slug>`: what Slack allows in a channel
    /// name (lower case letters, digits, `-` and `_`), at most 40 characters.
    #[serde(default = "default_prefix", deserialize_with = "channel_prefix")]
    pub channel_prefix: String,
    /// The playbooks folder, relative to the config file.
    #[serde(default = "default_playbooks_dir")]
    pub playbooks_dir: PathBuf,
    /// The type `/incident <title>` declares when none is named; unset, a generic SEV3 incident
    /// with no playbook.
    pub default_type: Option<String>,
    /// How far before the impact start changes are suspects.
    #[serde(default = "default_suspect_window")]
    pub suspect_window_minutes: u32,
    /// A reaction with this emoji (no colons) puts a message on the incident's timeline; so
    /// does pinning it.
    #[serde(default = "default_capture_emoji")]
    pub capture_emoji: String,
    /// An incident declared without a commander: its channel is asked after this long.
    #[serde(default = "default_ask_for_commander")]
    pub ask_for_commander_after_minutes: u32,
    /// Alertmanager and CloudWatch alarms: where their cards go and how they map to incidents.
    #[serde(default)]
    pub alerts: AlertsConfig,
    /// Read from `playbooks_dir`, by type (the file's stem), not from the config file.
    #[serde(skip)]
    pub playbooks: BTreeMap<String, Playbook>,
}

impl Default for IncidentsConfig {
    fn default() -> Self {
        Self {
            broadcast_channel: None,
            default_type: None,
            channel_prefix: default_prefix(),
            playbooks_dir: default_playbooks_dir(),
            suspect_window_minutes: default_suspect_window(),
            capture_emoji: default_capture_emoji(),
            ask_for_commander_after_minutes: default_ask_for_commander(),
            alerts: AlertsConfig::default(),
            playbooks: BTreeMap::new(),
        }
    }
}

fn default_prefix() -> String {
    "inc".into()
}

/// Refused here, at its line, rather than by Slack (`invalid_name_specials`) at every
/// declaration.
fn channel_prefix<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let prefix = String::deserialize(d)?;
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if prefix.is_empty() || prefix.len() > 40 || !prefix.chars().all(allowed) {
        let hint = prefix.to_lowercase().replace(|c: char| !allowed(c), "-");
        return Err(serde::de::Error::custom(format!(
            "channel_prefix {prefix:?} is not a Slack channel name: use 1 to 40 lower case letters, \
             digits, `-` or `_` (e.g. {hint:?})"
        )));
    }
    Ok(prefix)
}
fn default_playbooks_dir() -> PathBuf {
    "playbooks".into()
}
fn default_capture_emoji() -> String {
    "pushpin".into()
}
fn default_ask_for_commander() -> u32 {
    5
}
fn default_suspect_window() -> u32 {
    120
}

/// `[incidents.alerts]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// Where alert cards (Declare incident, Attach to incident) are posted; unset, alerts are
    /// still kept and attached incidents still hear of them.
    pub channel: Option<crate::ids::ChannelId>,
    /// The Alertmanager label whose value gives the severity.
    #[serde(default = "default_severity_label")]
    pub severity_label: String,
    /// That label's values → SEV1..4.
    #[serde(default = "default_severities")]
    pub severities: BTreeMap<String, Severity>,
    /// Labels whose values name the affected services, first found first.
    #[serde(default = "default_service_labels")]
    pub service_labels: Vec<String>,
    /// CloudWatch alarms carry no labels: rules by alarm name, first match wins.
    #[serde(default)]
    pub alarms: Vec<AlarmRule>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            channel: None,
            severity_label: default_severity_label(),
            severities: default_severities(),
            service_labels: default_service_labels(),
            alarms: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmRule {
    /// Alarm name globs.
    pub names: crate::domain::glob::Globs,
    pub severity: Option<Severity>,
    #[serde(default)]
    pub services: Vec<String>,
    /// The playbook an incident declared from this alarm starts with (the form preselects it).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// SEV1 (worst) to SEV4, checked where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severity(pub u8);

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u8::deserialize(d)? {
            s @ 1..=4 => Ok(Severity(s)),
            s => Err(serde::de::Error::custom(format!(
                "severity {s}: must be 1 (worst) to 4"
            ))),
        }
    }
}

fn default_severity_label() -> String {
    "severity".into()
}
fn default_severities() -> BTreeMap<String, Severity> {
    [("critical", 1), ("error", 2), ("warning", 3), ("info", 4)]
        .into_iter()
        .map(|(k, s)| (k.to_owned(), Severity(s)))
        .collect()
}
fn default_service_labels() -> Vec<String> {
    vec!["service".into(), "app".into()]
}

impl AlertsConfig {
    /// The severity and services of an alert: its labels, or for an alarm the first rule whose
    /// names match it.
    /// The playbook an alarm's rule names for its incidents, if any.
    pub fn kind_for(&self, source: crate::event::AlertSource, name: &str) -> Option<String> {
        if source != crate::event::AlertSource::Cloudwatch {
            return None;
        }
        self.alarms
            .iter()
            .find(|r| r.names.is_match(name))
            .and_then(|r| r.kind.clone())
    }

    pub fn classify(
        &self,
        source: crate::event::AlertSource,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> (Option<u8>, Vec<String>) {
        use crate::domain::incident::{services_from, severity_from};
        if source == crate::event::AlertSource::Cloudwatch {
            return self
                .alarms
                .iter()
                .find(|r| r.names.is_match(name))
                .map(|r| (r.severity.map(|s| s.0), r.services.clone()))
                .unwrap_or_default();
        }
        let map: BTreeMap<String, u8> = self
            .severities
            .iter()
            .map(|(k, s)| (k.clone(), s.0))
            .collect();
        (
            severity_from(labels, &self.severity_label, &map),
            services_from(labels, &self.service_labels),
        )
    }
}

/// A text in both languages.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    pub en: String,
    pub ja: String,
}

impl Bilingual {
    pub fn get(&self, locale: crate::locale::Locale) -> &str {
        match locale {
            crate::locale::Locale::En => &self.en,
            crate::locale::Locale::Ja => &self.ja,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Runbook {
    pub title: String,
    pub url: String,
}

/// What a severity changes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityPolicy {
    /// A status update is due this often; the commander is nudged when one is late.
    pub update_every_minutes: u32,
    /// Invited when an incident is declared at, or raised to, this severity.
    #[serde(default)]
    pub invite: People,
}

/// How one type of incident is run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    pub title: Bilingual,
    pub description: Bilingual,
    pub default_severity: toml::Spanned<u8>,
    /// Invited to every incident of this type.
    #[serde(default)]
    pub responders: People,
    #[serde(default)]
    pub checklist: Vec<Bilingual>,
    #[serde(default)]
    pub runbooks: Vec<Runbook>,
    /// By severity, `"1"` to `"4"`; every severity needs its policy.
    pub severity: toml::Spanned<BTreeMap<String, SeverityPolicy>>,
    /// SEV1 and SEV2 hold deploys of the affected apps' production environments until resolved.
    #[serde(default)]
    pub freeze_deploys: bool,
    /// The incident channel translates every message between English and Japanese.
    #[serde(default)]
    pub translate: bool,
    /// The file it was read from, and its text, for errors found later (workspace checks).
    #[serde(skip)]
    pub source: (PathBuf, String),
}

impl Playbook {
    pub fn policy(&self, severity: u8) -> Option<&SeverityPolicy> {
        self.severity.get_ref().get(&severity.to_string())
    }
}

impl IncidentsConfig {
    /// Read every `*.toml` in the playbooks folder (relative to `config_dir`). A missing folder
    /// is no playbooks; a bad file is an error at its line.
    pub(super) fn load_playbooks(&mut self, config_dir: &Path) -> Result<(), ConfigError> {
        let dir = config_dir.join(&self.playbooks_dir);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(());
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let kind = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            self.playbooks.insert(kind, Playbook::read(&path)?);
        }
        Ok(())
    }

    /// The default type and each alarm rule's type must name a playbook; the error is at
    /// `config_text`'s line for it.
    pub(super) fn check_default(&self, path: &Path, config_text: &str) -> Result<(), ConfigError> {
        let named = self
            .default_type
            .iter()
            .map(|k| ("incidents.default_type", k))
            .chain(
                self.alerts
                    .alarms
                    .iter()
                    .filter_map(|r| r.kind.as_ref())
                    .map(|k| ("incidents.alerts.alarms type", k)),
            );
        for (what, kind) in named {
            if self.playbooks.contains_key(kind) {
                continue;
            }
            let offset = config_text.find(&format!("\"{kind}\"")).unwrap_or(0);
            let (line, column) = line_column(config_text, offset);
            let known: Vec<&str> = self.playbooks.keys().map(String::as_str).collect();
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: format!(
                    "{what} {kind:?} has no playbook in {}; playbooks: {known:?}",
                    self.playbooks_dir.display()
                ),
            });
        }
        Ok(())
    }
}

impl Playbook {
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
            path: path.to_owned(),
            cause,
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let at = |offset: usize, message: String| {
            let (line, column) = line_column(text, offset);
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message,
            }
        };
        let mut p: Playbook = toml::from_str(text).map_err(|e| {
            at(
                e.span().map_or(0, |s| s.start),
                e.message().trim().to_owned(),
            )
        })?;
        if !(1..=4).contains(p.default_severity.get_ref()) {
            return Err(at(
                p.default_severity.span().start,
                "default_severity must be 1 (worst) to 4".into(),
            ));
        }
        let sevs: Vec<&String> = p.severity.get_ref().keys().collect();
        if sevs != ["1", "2", "3", "4"] {
            return Err(at(
                p.severity.span().start,
                format!("[severity] needs exactly \"1\" to \"4\", found {sevs:?}"),
            ));
        }
        if let Some((sev, _)) = p
            .severity
            .get_ref()
            .iter()
            .find(|(_, s)| s.update_every_minutes == 0)
        {
            return Err(at(
                p.severity.span().start,
                format!("severity {sev}: update_every_minutes must be at least 1"),
            ));
        }
        if let Some(r) = p
            .runbooks
            .iter()
            .find(|r| !(r.url.starts_with("https://") || r.url.starts_with("http://")))
        {
            return Err(at(0, format!("runbook {:?}: url must be http(s)", r.title)));
        }
        p.source = (path.to_owned(), text.to_owned());
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_playbooks_are_valid() {
        let mut c = IncidentsConfig::default();
        c.load_playbooks(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap();
        let kinds: Vec<&str> = c.playbooks.keys().map(String::as_str).collect();
        assert_eq!(kinds, ["bad-deploy", "database", "security"]);
        let db = &c.playbooks["database"];
        assert_eq!(*db.default_severity.get_ref(), 2);
        assert!(
            db.policy(1).unwrap().update_every_minutes < db.policy(4).unwrap().update_every_minutes
        );
        assert!(!db.checklist.is_empty() && db.freeze_deploys);
    }

    #[test]
    fn a_bad_playbook_is_refused_at_its_line() {
        let good = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/playbooks/database.toml"
        ))
        .unwrap();
        let p = Path::new("playbooks/database.toml");
        let typo = good.replace("freeze_deploys", "freeze_deplyos");
        let line = typo
            .lines()
            .position(|l| l.contains("freeze_deplyos"))
            .unwrap()
            + 1;
        let err = Playbook::parse(&typo, p).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "playbooks/database.toml:{line}:1: unknown field `freeze_deplyos`"
            )),
            "{err}"
        );
        let sev5 = good.replace("default_severity = 2", "default_severity = 5");
        let err = Playbook::parse(&sev5, p).unwrap_err().to_string();
        assert!(
            err.contains("default_severity must be 1 (worst) to 4"),
            "{err}"
        );
        let no_title = good.replacen("[title]", "[titel]", 1);
        let err = Playbook::parse(&no_title, p).unwrap_err().to_string();
        assert!(err.contains("titel"), "{err}");
        let missing = good.replace("[severity.4]\nupdate_every_minutes = 240\n", "");
        let err = Playbook::parse(&missing, p).unwrap_err().to_string();
        assert!(err.contains("needs exactly \"1\" to \"4\""), "{err}");
    }

    #[test]
    fn a_real_workspace_refuses_responders_written_as_names() {
        let dir = std::env::temp_dir().join(format!("banto-pb-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("playbooks")).unwrap();
        std::fs::write(dir.join("config.toml"), "").unwrap();
        let good = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/playbooks/database.toml"
        ))
        .unwrap();
        let named = good.replace("users = []", "users = [\"@alice\"]");
        std::fs::write(dir.join("playbooks/database.toml"), &named).unwrap();
        let err = crate::config::Config::load(&dir.join("config.toml"))
            .unwrap_err()
            .to_string();
        let line = named.lines().position(|l| l.contains("@alice")).unwrap() + 1;
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            err.contains(&format!("playbooks/database.toml:{line}:"))
                && err.contains("playbook \"database\": \"@alice\" is not a Slack user id"),
            "{err}"
        );
    }

    #[test]
    fn the_commented_incidents_example_in_config_toml_is_valid() {
        let shipped = include_str!("../../config.toml");
        let example = &shipped[shipped
            .find("# [incidents]")
            .expect("an [incidents] example")..];
        let toml: String = example
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| {
                l.starts_with('[') || l.split_once(" = ").is_some_and(|(k, _)| !k.contains(' '))
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let c = crate::config::Config::parse(&toml, Path::new("config.toml"))
            .unwrap_or_else(|e| panic!("{e}\n{toml}"));
        assert_eq!(c.incidents.ask_for_commander_after_minutes, 5);
        assert_eq!(c.incidents.alerts.alarms.len(), 1);
        assert_eq!(c.incidents.alerts.channel, Some("C0ALERTS00".into()));
    }

    #[test]
    fn alert_severities_are_checked_where_they_are_written() {
        let p = Path::new("config.toml");
        let err = crate::config::Config::parse(
            "[incidents.alerts]\nchannel = \"#alerts\"\nseverities = { critical = 0 }\n",
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("config.toml:3:") && err.contains("severity 0: must be 1 (worst) to 4"),
            "{err}"
        );
        let c = crate::config::Config::parse(
            "[incidents.alerts]\n[[incidents.alerts.alarms]]\nnames = [\"prod-db-*\"]\nseverity = 1\nservices = [\"db\"]\n",
            p,
        )
        .unwrap();
        let a = &c.incidents.alerts;
        let cw = crate::event::AlertSource::Cloudwatch;
        assert_eq!(
            a.classify(cw, "prod-db-cpu", &BTreeMap::new()),
            (Some(1), vec!["db".to_owned()])
        );
        assert_eq!(
            a.classify(cw, "staging-db-cpu", &BTreeMap::new()),
            (None, vec![])
        );
        let labels = BTreeMap::from([
            ("severity".to_owned(), "warning".to_owned()),
            ("app".to_owned(), "web".to_owned()),
        ]);
        assert_eq!(
            a.classify(crate::event::AlertSource::Alertmanager, "x", &labels),
            (Some(3), vec!["web".to_owned()])
        );
    }

    #[test]
    fn a_channel_prefix_slack_would_refuse_is_refused_at_its_line() {
        let p = std::path::Path::new("config.toml");
        for bad in ["INC", "inc 1", "インシデント", "", "inc.ops"] {
            let text = format!("[incidents]\nchannel_prefix = {bad:?}\n");
            let err = crate::config::Config::parse(&text, p)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("config.toml:2:") && err.contains("is not a Slack channel name"),
                "{bad:?}: {err}"
            );
        }
        let ok = crate::config::Config::parse("[incidents]\nchannel_prefix = \"sev_ops-1\"\n", p);
        assert_eq!(ok.unwrap().incidents.channel_prefix, "sev_ops-1");
    }

    #[test]
    fn the_default_type_must_name_a_playbook() {
        let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"));
        let ok =
            crate::config::Config::parse("[incidents]\ndefault_type = \"database\"\n", p).unwrap();
        assert_eq!(ok.incidents.default_type.as_deref(), Some("database"));
        let err = crate::config::Config::parse("[incidents]\ndefault_type = \"databse\"\n", p)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("config.toml:2:16: incidents.default_type \"databse\" has no playbook"),
            "{err}"
        );
    }
}
