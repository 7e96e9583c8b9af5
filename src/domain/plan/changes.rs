//! One resource change: what to show of it (values masked by marks and keys) and the strings
//! its marks cover.

use super::raw::*;
use super::*;
use serde_json::Value;
use serde_json::value::RawValue;

/// A value to show, masked by marks and keys; strings are scrubbed once the whole plan's
/// sensitive strings are known.
pub(super) enum Shown {
    Value(Value),
    Unknown,
}

impl Shown {
    pub(super) fn render(self, masker: &Masker) -> String {
        match self {
            Shown::Unknown => UNKNOWN.to_owned(),
            Shown::Value(mut v) => {
                masker.scrub_value(&mut v);
                mask::short(&v, ATTR_CHARS)
            }
        }
    }
}

pub(super) struct PendingAttr {
    pub(super) name: String,
    pub(super) before: Shown,
    pub(super) after: Shown,
}

/// A resource change read in the first pass: what to show, and the strings its marks cover.
pub(super) struct Pending {
    pub(super) actions: Vec<String>,
    pub(super) change: ResourceChange,
    pub(super) attrs: Vec<PendingAttr>,
    pub(super) secrets: Vec<String>,
}

impl Pending {
    pub(super) fn finish(self, masker: &Masker) -> ResourceChange {
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
pub(super) fn attr_changes(
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

pub(super) fn resource(rc: &RawResourceChange<'_>) -> Result<Pending, PlanError> {
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
pub(super) fn in_parallel<T: Send, R: Send>(
    mut items: Vec<T>,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
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
