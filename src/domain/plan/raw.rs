//! `terraform show -json` as read: borrowed, values left raw until needed, and the strings
//! its sensitivity marks cover.

use super::*;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Deserialize)]
pub(super) struct RawPlan<'a> {
    pub(super) format_version: String,
    pub(super) terraform_version: Option<String>,
    #[serde(default)]
    pub(super) errored: bool,
    #[serde(default, borrow)]
    pub(super) resource_changes: Option<Vec<RawResourceChange<'a>>>,
    #[serde(default, borrow)]
    pub(super) resource_drift: Option<Vec<RawResourceChange<'a>>>,
    #[serde(default, borrow)]
    pub(super) output_changes: Option<BTreeMap<String, RawChange<'a>>>,
    #[serde(default, borrow)]
    pub(super) prior_state: Option<RawState<'a>>,
    #[serde(default, borrow)]
    pub(super) planned_values: Option<RawValues<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawResourceChange<'a> {
    pub(super) address: String,
    #[serde(rename = "type", default)]
    pub(super) resource_type: String,
    pub(super) previous_address: Option<String>,
    pub(super) action_reason: Option<String>,
    #[serde(borrow)]
    pub(super) change: RawObjectChange<'a>,
}

/// A resource's change, its values left as raw JSON until a renderer needs them.
#[derive(Deserialize)]
pub(super) struct RawObjectChange<'a> {
    pub(super) actions: Vec<String>,
    #[serde(borrow, default)]
    pub(super) before: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) after_unknown: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) before_sensitive: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) after_sensitive: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) importing: Option<&'a RawValue>,
}

/// An output's change: any JSON type.
#[derive(Deserialize)]
pub(super) struct RawChange<'a> {
    pub(super) actions: Vec<String>,
    #[serde(borrow, default)]
    pub(super) before: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) after_unknown: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) before_sensitive: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) after_sensitive: Option<&'a RawValue>,
}

/// `prior_state`: read only for the values it marks sensitive.
#[derive(Deserialize)]
pub(super) struct RawState<'a> {
    #[serde(borrow, default)]
    pub(super) values: Option<RawValues<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawValues<'a> {
    #[serde(borrow, default)]
    pub(super) outputs: BTreeMap<String, RawOutput<'a>>,
    #[serde(borrow, default)]
    pub(super) root_module: Option<RawModule<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawOutput<'a> {
    #[serde(default)]
    pub(super) sensitive: bool,
    #[serde(borrow, default)]
    pub(super) value: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct RawModule<'a> {
    #[serde(borrow, default)]
    pub(super) resources: Vec<RawStateResource<'a>>,
    #[serde(borrow, default)]
    pub(super) child_modules: Vec<RawModule<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawStateResource<'a> {
    #[serde(borrow, default)]
    pub(super) values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) sensitive_values: Option<&'a RawValue>,
}

pub(super) fn parse_raw(raw: Option<&RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

/// Sensitivity marks, parsed only when they mark something.
pub(super) fn marks(raw: Option<&RawValue>) -> Value {
    match raw {
        Some(r) if r.get().contains("true") => parse_raw(Some(r)),
        _ => Value::Null,
    }
}

/// Every string of at least [`mask::MIN_KNOWN_CHARS`] in `value`.
pub(super) fn strings_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.chars().count() >= mask::MIN_KNOWN_CHARS => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| strings_in(v, out)),
        Value::Object(m) => m.values().for_each(|v| strings_in(v, out)),
        _ => {}
    }
}

/// The strings `mark` marks sensitive in `raw`; only the marked parts are parsed.
pub(super) fn marked_strings(raw: &RawValue, mark: &Value, out: &mut Vec<String>) {
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
pub(super) type Members<'a> = Vec<(Cow<'a, str>, &'a RawValue)>;

/// The members of the JSON object `raw` (those `keep` accepts; the rest are only skipped over,
/// so a resource's 30 attributes cost nothing when one is marked).
pub(super) fn members<'a>(raw: &'a RawValue, keep: impl Fn(&str) -> bool) -> Members<'a> {
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
pub(super) fn step<'a>(m: &Members<'a>, i: &mut usize, key: &str) -> Option<&'a RawValue> {
    while *i < m.len() && m[*i].0.as_ref() < key {
        *i += 1;
    }
    (*i < m.len() && m[*i].0.as_ref() == key).then(|| m[*i].1)
}

pub(super) fn member<'a>(m: &Members<'a>, key: &str) -> Option<&'a RawValue> {
    m.binary_search_by(|(k, _)| k.as_ref().cmp(key))
        .ok()
        .map(|i| m[i].1)
}

pub(super) fn marked_in(map: &Members<'_>, marks: &Value, out: &mut Vec<String>) {
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

pub(super) fn module_secrets(module: &RawModule<'_>, out: &mut Vec<String>) {
    for r in &module.resources {
        if let Some(values) = r.values {
            marked_strings(values, &marks(r.sensitive_values), out);
        }
    }
    for child in &module.child_modules {
        module_secrets(child, out);
    }
}

pub(super) fn values_secrets(values: &RawValues<'_>, out: &mut Vec<String>) {
    for o in values.outputs.values().filter(|o| o.sensitive) {
        if let Some(v) = o.value {
            marked_strings(v, &Value::Bool(true), out);
        }
    }
    if let Some(root) = &values.root_module {
        module_secrets(root, out);
    }
}

pub(super) const ATTR_CHARS: usize = 120;

/// Top-level attributes of an object, each left as raw JSON (nothing below is parsed).
pub(super) fn top_level(raw: Option<&RawValue>) -> Members<'_> {
    raw.map(|r| members(r, |_| true)).unwrap_or_default()
}

pub(super) fn value_of(raw: Option<&RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}
