//! `terraform show -json` (and `tofu show -json`) → a summary safe to show anywhere: counts,
//! resources grouped by action with destroys and replaces first, drift, outputs. Never from text.

use super::mask::{self, Masker, SENSITIVE, UNKNOWN};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

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
    #[serde(default, borrow)]
    prior_state: Option<RawState<'a>>,
    #[serde(default, borrow)]
    planned_values: Option<RawValues<'a>>,
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
    before: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_unknown: Option<&'a RawValue>,
    #[serde(borrow, default)]
    before_sensitive: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_sensitive: Option<&'a RawValue>,
}

/// `prior_state`: read only for the values it marks sensitive.
#[derive(Deserialize)]
struct RawState<'a> {
    #[serde(borrow, default)]
    values: Option<RawValues<'a>>,
}

#[derive(Deserialize)]
struct RawValues<'a> {
    #[serde(borrow, default)]
    outputs: BTreeMap<String, RawOutput<'a>>,
    #[serde(borrow, default)]
    root_module: Option<RawModule<'a>>,
}

#[derive(Deserialize)]
struct RawOutput<'a> {
    #[serde(default)]
    sensitive: bool,
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RawModule<'a> {
    #[serde(borrow, default)]
    resources: Vec<RawStateResource<'a>>,
    #[serde(borrow, default)]
    child_modules: Vec<RawModule<'a>>,
}

#[derive(Deserialize)]
struct RawStateResource<'a> {
    #[serde(borrow, default)]
    values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    sensitive_values: Option<&'a RawValue>,
}

fn parse_raw(raw: Option<&RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

/// Sensitivity marks, parsed only when they mark something.
fn marks(raw: Option<&RawValue>) -> Value {
    match raw {
        Some(r) if r.get().contains("true") => parse_raw(Some(r)),
        _ => Value::Null,
    }
}

/// Every string of at least [`mask::MIN_KNOWN_CHARS`] in `value`.
fn strings_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.chars().count() >= mask::MIN_KNOWN_CHARS => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| strings_in(v, out)),
        Value::Object(m) => m.values().for_each(|v| strings_in(v, out)),
        _ => {}
    }
}

/// The strings `mark` marks sensitive in `raw`; only the marked parts are parsed.
fn marked_strings(raw: &RawValue, mark: &Value, out: &mut Vec<String>) {
    match mark {
        Value::Bool(true) => strings_in(&parse_raw(Some(raw)), out),
        Value::Object(marks) => {
            for (k, r) in members(raw, |k| marks.contains_key(k)) {
                marked_strings(r, &marks[k.as_ref()], out);
            }
        }
        Value::Array(marks) => {
            if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
                for (r, m) in items.iter().zip(marks) {
                    marked_strings(r, m, out);
                }
            }
        }
        _ => {}
    }
}

/// An object's members, values left raw, sorted by key (keys borrowed unless escaped).
type Members<'a> = Vec<(Cow<'a, str>, &'a RawValue)>;

/// The members of the JSON object `raw` (those `keep` accepts; the rest are only skipped over,
/// so a resource's 30 attributes cost nothing when one is marked).
fn members<'a>(raw: &'a RawValue, keep: impl Fn(&str) -> bool) -> Members<'a> {
    struct Key<'a>(Cow<'a, str>);
    struct KeyVisitor;
    impl<'de> Visitor<'de> for KeyVisitor {
        type Value = Key<'de>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a key")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(v.to_owned())))
        }
    }
    impl<'de> Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_str(KeyVisitor)
        }
    }
    struct Collect<F>(F);
    impl<'de, F: Fn(&str) -> bool> Visitor<'de> for Collect<F> {
        type Value = Members<'de>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(Key(key)) = map.next_key()? {
                if (self.0)(&key) {
                    out.push((key, map.next_value()?));
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(out)
        }
    }
    let mut found = serde_json::Deserializer::from_str(raw.get())
        .deserialize_map(Collect(keep))
        .unwrap_or_default();
    found.sort_by(|x, y| x.0.cmp(&y.0));
    found
}

/// The member `key` of `m` at or after `*i`, moving `*i` forward: for keys asked in order.
fn step<'a>(m: &Members<'a>, i: &mut usize, key: &str) -> Option<&'a RawValue> {
    while *i < m.len() && m[*i].0.as_ref() < key {
        *i += 1;
    }
    (*i < m.len() && m[*i].0.as_ref() == key).then(|| m[*i].1)
}

fn member<'a>(m: &Members<'a>, key: &str) -> Option<&'a RawValue> {
    m.binary_search_by(|(k, _)| k.as_ref().cmp(key))
        .ok()
        .map(|i| m[i].1)
}

fn marked_in(map: &Members<'_>, marks: &Value, out: &mut Vec<String>) {
    match marks {
        Value::Bool(true) => map.iter().for_each(|(_, r)| marked_strings(r, marks, out)),
        Value::Object(m) => {
            for (k, mark) in m {
                if let Some(r) = member(map, k) {
                    marked_strings(r, mark, out);
                }
            }
        }
        _ => {}
    }
}

fn module_secrets(module: &RawModule<'_>, out: &mut Vec<String>) {
    for r in &module.resources {
        if let Some(values) = r.values {
            marked_strings(values, &marks(r.sensitive_values), out);
        }
    }
    for child in &module.child_modules {
        module_secrets(child, out);
    }
}

fn values_secrets(values: &RawValues<'_>, out: &mut Vec<String>) {
    for o in values.outputs.values().filter(|o| o.sensitive) {
        if let Some(v) = o.value {
            marked_strings(v, &Value::Bool(true), out);
        }
    }
    if let Some(root) = &values.root_module {
        module_secrets(root, out);
    }
}

const ATTR_CHARS: usize = 120;

/// Top-level attributes of an object, each left as raw JSON (nothing below is parsed).
fn top_level(raw: Option<&RawValue>) -> Members<'_> {
    raw.map(|r| members(r, |_| true)).unwrap_or_default()
}

fn value_of(raw: Option<&RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

/// A value to show, masked by marks and keys; strings are scrubbed once the whole plan's
/// sensitive strings are known.
enum Shown {
    Value(Value),
    Unknown,
}

impl Shown {
    fn render(self, masker: &Masker) -> String {
        match self {
            Shown::Unknown => UNKNOWN.to_owned(),
            Shown::Value(mut v) => {
                masker.scrub_value(&mut v);
                mask::short(&v, ATTR_CHARS)
            }
        }
    }
}

struct PendingAttr {
    name: String,
    before: Shown,
    after: Shown,
}

/// A resource change read in the first pass: what to show, and the strings its marks cover.
struct Pending {
    actions: Vec<String>,
    change: ResourceChange,
    attrs: Vec<PendingAttr>,
    secrets: Vec<String>,
}

impl Pending {
    fn finish(self, masker: &Masker) -> ResourceChange {
        let attrs = self
            .attrs
            .into_iter()
            .map(|a| AttrChange {
                name: a.name,
                before: a.before.render(masker),
                after: a.after.render(masker),
            })
            .collect();
        ResourceChange {
            attrs,
            ..self.change
        }
    }
}

/// The top-level attributes whose values differ. Unchanged attributes are compared as raw JSON
/// text and never parsed.
fn attr_changes(
    c: &RawObjectChange<'_>,
    b: &Members<'_>,
    a: &Members<'_>,
    before_s: &Value,
    after_s: &Value,
) -> Vec<PendingAttr> {
    let unknown = parse_raw(c.after_unknown);
    // Both member lists are sorted: merge their keys, then place the few unknown ones.
    let mut names: Vec<&str> = Vec::with_capacity(b.len().max(a.len()) + 4);
    let (mut bk, mut ak) = (
        b.iter().map(|m| m.0.as_ref()).peekable(),
        a.iter().map(|m| m.0.as_ref()).peekable(),
    );
    loop {
        let next = match (bk.peek(), ak.peek()) {
            (Some(x), Some(y)) if x == y => {
                ak.next();
                bk.next()
            }
            (Some(x), Some(y)) if x < y => bk.next(),
            (Some(_), Some(_)) | (None, Some(_)) => ak.next(),
            (Some(_), None) => bk.next(),
            (None, None) => break,
        };
        names.extend(next);
    }
    for k in unknown.as_object().into_iter().flat_map(|u| u.keys()) {
        if let Err(at) = names.binary_search(&k.as_str()) {
            names.insert(at, k);
        }
    }
    let (mut bi, mut ai) = (0, 0);
    names
        .into_iter()
        .filter_map(|k| {
            let (braw, araw) = (step(b, &mut bi, k), step(a, &mut ai, k));
            let is_unknown = unknown.get(k).is_some_and(|u| *u != Value::Bool(false));
            if braw.map(|r| r.get()) == araw.map(|r| r.get()) && !is_unknown {
                return None;
            }
            let secret_key = mask::key_looks_secret(k);
            let show = |raw: Option<&RawValue>, marks: &Value| {
                let v = value_of(raw);
                if secret_key && !v.is_null() {
                    Shown::Value(Value::String(SENSITIVE.into()))
                } else {
                    let whole = matches!(marks, Value::Bool(true));
                    let mark = if whole { Some(marks) } else { marks.get(k) };
                    Shown::Value(mask::by_marks(&v, mark))
                }
            };
            Some(PendingAttr {
                name: k.to_owned(),
                before: show(braw, before_s),
                after: if is_unknown {
                    Shown::Unknown
                } else {
                    show(araw, after_s)
                },
            })
        })
        .collect()
}

fn resource(rc: &RawResourceChange<'_>) -> Result<Pending, PlanError> {
    let action = Action::from_actions(&rc.change.actions)?;
    let shows_attrs = matches!(action, Action::Update | Action::Replace);
    let (before_s, after_s) = (
        marks(rc.change.before_sensitive),
        marks(rc.change.after_sensitive),
    );
    let mut secrets = Vec::new();
    let mut attrs = vec![];
    if shows_attrs {
        let b = top_level(rc.change.before);
        let a = top_level(rc.change.after);
        marked_in(&b, &before_s, &mut secrets);
        marked_in(&a, &after_s, &mut secrets);
        if rc.change.before.is_some() && rc.change.after.is_some() {
            attrs = attr_changes(&rc.change, &b, &a, &before_s, &after_s);
        }
    } else {
        for (value, marks) in [(rc.change.before, &before_s), (rc.change.after, &after_s)] {
            if let Some(v) = value {
                marked_strings(v, marks, &mut secrets);
            }
        }
    }
    Ok(Pending {
        actions: rc.change.actions.clone(),
        change: ResourceChange {
            address: rc.address.clone(),
            resource_type: rc.resource_type.clone(),
            action,
            importing: rc.change.importing.is_some_and(|r| r.get() != "null"),
            previous_address: rc.previous_address.clone().filter(|p| *p != rc.address),
            reason: rc.action_reason.clone(),
            attrs: vec![],
        },
        attrs,
        secrets,
    })
}

/// Attribute diffs are the costly part of a large plan; they are independent per resource.
fn in_parallel<T: Send, R: Send>(mut items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads == 1 || items.len() < 1000 {
        return items.into_iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let mut parts = Vec::with_capacity(threads);
    while items.len() > chunk {
        let rest = items.split_off(chunk);
        parts.push(std::mem::replace(&mut items, rest));
    }
    parts.push(items);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("summarising a resource does not panic"))
            .collect()
    })
}

/// Reads every change, then masks what it shows with every string the plan marks sensitive
/// anywhere, so a secret marked in one place is masked where it repeats unmarked.
pub fn summarize(json: &str) -> Result<PlanSummary, PlanError> {
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
    Ok(PlanSummary {
        format_version: raw.format_version,
        terraform_version: raw.terraform_version,
        errored: raw.errored,
        counts,
        changes: shown,
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
