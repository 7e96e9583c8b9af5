//! `terraform show -json` (and `tofu show -json`) → a summary safe to show anywhere: counts,
//! resources grouped by action with destroys and replaces first, drift, outputs. Never from text.

use super::mask::{self, Masker, SENSITIVE, UNKNOWN};
use serde_json::Value;

mod changes;
mod digest;
mod raw;

pub use digest::changes_digest;

use changes::*;
use raw::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Destroy and re-create (either order); the most dangerous, listed first.
    Replace,
    Delete,
    /// Removed from state, left in the cloud (`removed { lifecycle { destroy = false } }`).
    Forget,
    Update,
    Create,
    Read,
    /// No change to the object itself (an import or a move may still happen).
    NoOp,
}

impl Action {
    fn from_actions(actions: &[String]) -> Result<Self, PlanError> {
        let a: Vec<&str> = actions.iter().map(String::as_str).collect();
        Ok(match a.as_slice() {
            ["no-op"] | [] => Action::NoOp,
            ["create"] => Action::Create,
            ["read"] => Action::Read,
            ["update"] => Action::Update,
            ["delete"] => Action::Delete,
            ["forget"] => Action::Forget,
            ["delete", "create"] | ["create", "delete"] => Action::Replace,
            // Terraform 1.9+: replace a resource whose old object is only forgotten.
            ["create", "forget"] | ["forget", "create"] => Action::Replace,
            other => return Err(PlanError::UnknownActions(other.join(","))),
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Forget => ".",
            Action::Update => "~",
            Action::Create => "+",
            Action::Read => "<=",
            Action::NoOp => " ",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("not a Terraform JSON plan: {0}")]
    Json(String),
    #[error(
        "plan format_version {0} is not supported (banto reads major versions 0 and 1); \
         upgrade banto or pin Terraform"
    )]
    UnsupportedFormat(String),
    #[error("unknown change actions [{0}] in the plan")]
    UnknownActions(String),
}

/// Terraform's own `Plan:` counts (a replace is one add and one destroy), and beside them what
/// they include or leave out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub import: usize,
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub replace: usize,
    pub moved: usize,
    pub forget: usize,
    pub read: usize,
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        *self
            == Counts {
                read: self.read,
                ..Default::default()
            }
    }

    fn count(&mut self, actions: &[String], r: &ResourceChange) {
        let has = |a: &str| actions.iter().any(|x| x == a);
        self.add += usize::from(has("create"));
        self.change += usize::from(has("update"));
        self.destroy += usize::from(has("delete"));
        self.forget += usize::from(has("forget"));
        self.read += usize::from(has("read"));
        self.replace += usize::from(r.action == Action::Replace);
        self.import += usize::from(r.importing);
        self.moved += usize::from(r.previous_address.is_some());
    }
}

/// One attribute that changes, values already masked and shortened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrChange {
    pub name: String,
    pub before: String,
    pub after: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceChange {
    pub address: String,
    pub resource_type: String,
    pub action: Action,
    pub importing: bool,
    pub previous_address: Option<String>,
    /// Terraform's `action_reason`, e.g. `replace_because_cannot_update`.
    pub reason: Option<String>,
    /// For updates and replaces: what changes (top-level attributes).
    pub attrs: Vec<AttrChange>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    pub after: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSummary {
    pub format_version: String,
    pub terraform_version: Option<String>,
    /// The plan operation failed (`"errored": true`): nothing below can be trusted.
    pub errored: bool,
    pub counts: Counts,
    /// Every resource that changes, imports or moves: replaces, deletes, forgets, updates,
    /// creates, reads, then imports/moves without other change; by address within each.
    pub changes: Vec<ResourceChange>,
    /// Objects changed outside Terraform since the last apply.
    pub drift: Vec<ResourceChange>,
    pub outputs: Vec<OutputChange>,
}

impl PlanSummary {
    pub fn has_changes(&self) -> bool {
        !self.counts.is_empty() || self.changed_outputs().next().is_some()
    }

    /// Outputs that change (no-ops left out).
    pub fn changed_outputs(&self) -> impl Iterator<Item = &OutputChange> {
        self.outputs.iter().filter(|o| o.action != Action::NoOp)
    }

    pub fn destructive(&self) -> impl Iterator<Item = &ResourceChange> {
        self.changes
            .iter()
            .filter(|c| matches!(c.action, Action::Replace | Action::Delete))
    }
}

/// Reads every change, then masks what it shows with every string the plan marks sensitive
/// anywhere, so a secret marked in one place is masked where it repeats unmarked.
pub fn summarize(json: &str) -> Result<PlanSummary, PlanError> {
    summarize_keeping_masker(json).map(|(summary, _)| summary)
}

/// As [`summarize`], with the plan's masker for other text made from the same plan (policy
/// messages).
pub fn summarize_keeping_masker(json: &str) -> Result<(PlanSummary, Masker), PlanError> {
    let raw: RawPlan<'_> =
        serde_json::from_str(json).map_err(|e| PlanError::Json(e.to_string()))?;
    let major = raw.format_version.split('.').next().unwrap_or("");
    if !matches!(major, "0" | "1") {
        return Err(PlanError::UnsupportedFormat(raw.format_version));
    }
    let changes = in_parallel(raw.resource_changes.iter().flatten().collect(), resource)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let drift = raw
        .resource_drift
        .iter()
        .flatten()
        .map(resource)
        .collect::<Result<Vec<_>, _>>()?;
    let mut secrets: Vec<String> = Vec::new();
    for p in changes.iter().chain(&drift) {
        secrets.extend_from_slice(&p.secrets);
    }
    for c in raw.output_changes.iter().flat_map(|o| o.values()) {
        for (value, mark) in [(c.before, c.before_sensitive), (c.after, c.after_sensitive)] {
            if let Some(v) = value {
                marked_strings(v, &marks(mark), &mut secrets);
            }
        }
    }
    if let Some(values) = raw.prior_state.as_ref().and_then(|s| s.values.as_ref()) {
        values_secrets(values, &mut secrets);
    }
    if let Some(values) = &raw.planned_values {
        values_secrets(values, &mut secrets);
    }
    let masker = Masker::new(secrets);

    let mut counts = Counts::default();
    for p in &changes {
        counts.count(&p.actions, &p.change);
    }
    let mut shown: Vec<ResourceChange> = in_parallel(changes, |p| p.finish(&masker))
        .into_iter()
        .filter(|r| r.action != Action::NoOp || r.importing || r.previous_address.is_some())
        .collect();
    shown.sort_by(|a, b| (a.action, &a.address).cmp(&(b.action, &b.address)));
    let mut drift: Vec<ResourceChange> = drift.into_iter().map(|p| p.finish(&masker)).collect();
    drift.sort_by(|a, b| a.address.cmp(&b.address));
    let outputs = raw
        .output_changes
        .iter()
        .flatten()
        .map(|(name, c)| {
            let action = Action::from_actions(&c.actions)?;
            let sensitive = matches!(parse_raw(c.after_sensitive), Value::Bool(true))
                || mask::key_looks_secret(name);
            let unknown = matches!(parse_raw(c.after_unknown), Value::Bool(true));
            let after = if sensitive {
                SENSITIVE.to_owned()
            } else if unknown {
                UNKNOWN.to_owned()
            } else {
                let marks = marks(c.after_sensitive);
                Shown::Value(mask::by_marks(&parse_raw(c.after), Some(&marks))).render(&masker)
            };
            Ok(OutputChange {
                name: name.clone(),
                action,
                after,
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    let summary = PlanSummary {
        format_version: raw.format_version,
        terraform_version: raw.terraform_version,
        errored: raw.errored,
        counts,
        changes: shown,
        drift,
        outputs,
    };
    Ok((summary, masker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_major_version_is_a_clear_error() {
        let err = summarize(r#"{"format_version": "2.0"}"#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("plan format_version 2.0 is not supported"),
            "{err}"
        );
        let err = summarize("terraform plan output, not JSON").unwrap_err();
        assert!(matches!(err, PlanError::Json(_)));
    }

    #[test]
    fn replace_update_and_secrets_in_attributes() {
        let plan = r#"{"format_version":"1.2","resource_changes":[
          {"address":"aws_db_instance.main","type":"aws_db_instance","action_reason":"replace_because_cannot_update",
           "change":{"actions":["delete","create"],
             "before":{"engine_version":"14","password":"hunter2","tags":{"Team":"sre"}},
             "after":{"engine_version":"15","password":"hunter3","tags":{"Team":"sre"}},
             "after_unknown":{"id":true},"before_sensitive":{"password":true},"after_sensitive":{"password":true}}},
          {"address":"aws_instance.web","type":"aws_instance",
           "change":{"actions":["update"],"before":{"instance_type":"t3.small","user_data":"ghp_abcdefghijklmnop"},
             "after":{"instance_type":"t3.large","user_data":"ghp_qrstuvwxyz"},"after_unknown":{},"before_sensitive":{},"after_sensitive":{}}}]}"#;
        let s = summarize(plan).unwrap();
        assert_eq!(
            (
                s.counts.add,
                s.counts.change,
                s.counts.destroy,
                s.counts.replace
            ),
            (1, 1, 1, 1)
        );
        let db = &s.changes[0];
        assert_eq!(db.action, Action::Replace);
        assert_eq!(db.reason.as_deref(), Some("replace_because_cannot_update"));
        let names: Vec<&str> = db.attrs.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["engine_version", "id", "password"]);
        assert_eq!(db.attrs[1].after, UNKNOWN);
        assert_eq!(
            (db.attrs[2].before.as_str(), db.attrs[2].after.as_str()),
            (SENSITIVE, SENSITIVE)
        );
        let web = &s.changes[1];
        assert_eq!(
            web.attrs[0],
            AttrChange {
                name: "instance_type".into(),
                before: "\"t3.small\"".into(),
                after: "\"t3.large\"".into()
            }
        );
        assert_eq!(
            web.attrs[1].after, SENSITIVE,
            "token-looking values are masked even unmarked"
        );
    }
}
