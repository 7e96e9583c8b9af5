//! `terraform show -json` (and `tofu show -json`) → a summary safe to show anywhere: counts,
//! resources grouped by action with destroys and replaces first, drift, outputs. Never from text.

use super::mask::{self, SENSITIVE, UNKNOWN};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

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

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub replace: usize,
    pub import: usize,
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

#[derive(Deserialize)]
struct RawPlan<'a> {
    format_version: String,
    terraform_version: Option<String>,
    #[serde(default)]
    errored: bool,
    #[serde(default, borrow)]
    resource_changes: Option<Vec<RawResourceChange<'a>>>,
    #[serde(default, borrow)]
    resource_drift: Option<Vec<RawResourceChange<'a>>>,
    #[serde(default, borrow)]
    output_changes: Option<BTreeMap<String, RawChange<'a>>>,
}

#[derive(Deserialize)]
struct RawResourceChange<'a> {
    address: String,
    #[serde(rename = "type", default)]
    resource_type: String,
    previous_address: Option<String>,
    action_reason: Option<String>,
    #[serde(borrow)]
    change: RawObjectChange<'a>,
}

/// A resource's change, its values left as raw JSON until a renderer needs them.
#[derive(Deserialize)]
struct RawObjectChange<'a> {
    actions: Vec<String>,
    #[serde(borrow, default)]
    before: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_unknown: Option<&'a RawValue>,
    #[serde(borrow, default)]
    before_sensitive: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_sensitive: Option<&'a RawValue>,
    #[serde(borrow, default)]
    importing: Option<&'a RawValue>,
}

/// An output's change: any JSON type.
#[derive(Deserialize)]
struct RawChange<'a> {
    actions: Vec<String>,
    #[serde(borrow, default)]
    after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_unknown: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_sensitive: Option<&'a RawValue>,
}

fn parse_raw(raw: Option<&RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

const ATTR_CHARS: usize = 120;

/// Top-level attributes of an object, each left as raw JSON (nothing below is parsed).
fn top_level(raw: Option<&RawValue>) -> Option<BTreeMap<String, &RawValue>> {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
}

fn value_of(raw: Option<&&RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

/// The top-level attributes whose values differ, masked. Unchanged attributes are compared as
/// raw JSON text and never parsed.
fn attr_changes(c: &RawObjectChange<'_>) -> Vec<AttrChange> {
    let (Some(b), Some(a)) = (top_level(c.before), top_level(c.after)) else {
        return vec![];
    };
    let unknown = parse_raw(c.after_unknown);
    let before_s = parse_raw(c.before_sensitive);
    let after_s = parse_raw(c.after_sensitive);
    let mut names: Vec<&String> = b.keys().chain(a.keys()).collect();
    names.extend(unknown.as_object().into_iter().flat_map(|u| u.keys()));
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|k| {
            let (braw, araw) = (b.get(k), a.get(k));
            let is_unknown = unknown.get(k).is_some_and(|u| *u != Value::Bool(false));
            if braw.map(|r| r.get()) == araw.map(|r| r.get()) && !is_unknown {
                return None;
            }
            let secret_key = mask::key_looks_secret(k);
            let show = |raw: Option<&&RawValue>, marks: &Value| {
                let v = value_of(raw);
                if secret_key && !v.is_null() {
                    SENSITIVE.to_owned()
                } else {
                    mask::short(&mask::masked(&v, marks.get(k)), ATTR_CHARS)
                }
            };
            Some(AttrChange {
                name: k.clone(),
                before: show(braw, &before_s),
                after: if is_unknown {
                    UNKNOWN.to_owned()
                } else {
                    show(araw, &after_s)
                },
            })
        })
        .collect()
}

fn resource(rc: &RawResourceChange<'_>) -> Result<ResourceChange, PlanError> {
    let action = Action::from_actions(&rc.change.actions)?;
    let attrs = if matches!(action, Action::Update | Action::Replace) {
        attr_changes(&rc.change)
    } else {
        vec![]
    };
    Ok(ResourceChange {
        address: rc.address.clone(),
        resource_type: rc.resource_type.clone(),
        action,
        importing: rc.change.importing.is_some_and(|r| r.get() != "null"),
        previous_address: rc.previous_address.clone().filter(|p| *p != rc.address),
        reason: rc.action_reason.clone(),
        attrs,
    })
}

/// Attribute diffs are the costly part of a large plan; they are independent per resource.
fn resources_in_parallel(raw: &[RawResourceChange<'_>]) -> Vec<Result<ResourceChange, PlanError>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads == 1 || raw.len() < 1000 {
        return raw.iter().map(resource).collect();
    }
    let chunk = raw.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = raw
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(resource).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("summarising a resource does not panic"))
            .collect()
    })
}

pub fn summarize(json: &str) -> Result<PlanSummary, PlanError> {
    let raw: RawPlan<'_> =
        serde_json::from_str(json).map_err(|e| PlanError::Json(e.to_string()))?;
    let major = raw.format_version.split('.').next().unwrap_or("");
    if !matches!(major, "0" | "1") {
        return Err(PlanError::UnsupportedFormat(raw.format_version));
    }
    let mut counts = Counts::default();
    let mut changes = Vec::new();
    for r in resources_in_parallel(raw.resource_changes.as_deref().unwrap_or_default()) {
        let r = r?;
        match r.action {
            Action::Create => counts.create += 1,
            Action::Update => counts.update += 1,
            Action::Delete => counts.delete += 1,
            Action::Replace => counts.replace += 1,
            Action::Forget => counts.forget += 1,
            Action::Read => counts.read += 1,
            Action::NoOp => {}
        }
        counts.import += usize::from(r.importing);
        counts.moved += usize::from(r.previous_address.is_some());
        if r.action != Action::NoOp || r.importing || r.previous_address.is_some() {
            changes.push(r);
        }
    }
    changes.sort_by(|a, b| (a.action, &a.address).cmp(&(b.action, &b.address)));
    let mut drift = raw
        .resource_drift
        .iter()
        .flatten()
        .map(resource)
        .collect::<Result<Vec<_>, _>>()?;
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
                mask::short(&mask::masked(&parse_raw(c.after), None), ATTR_CHARS)
            };
            Ok(OutputChange {
                name: name.clone(),
                action,
                after,
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    Ok(PlanSummary {
        format_version: raw.format_version,
        terraform_version: raw.terraform_version,
        errored: raw.errored,
        counts,
        changes,
        drift,
        outputs,
    })
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
        assert_eq!((s.counts.replace, s.counts.update), (1, 1));
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
