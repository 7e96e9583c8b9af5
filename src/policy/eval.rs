//! Checking a plan against compiled bundles, and running a bundle's `test_` rules.

use super::Bundle;
use crate::domain::policy::{Finding, Level};
use regorus::Engine;
use serde_json::Value as Json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A plan's JSON read once into the engine's values, shared by every set and rule.
pub struct Input(regorus::Value);

impl Input {
    pub fn parse(json: &str) -> anyhow::Result<Input> {
        Ok(Input(regorus::Value::from_json_str(json)?))
    }
}

/// What one bundle found in one input.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    /// How many rules were evaluated, and how many produced nothing.
    pub rules: usize,
    pub passed: usize,
}

/// One `test_` rule's result.
#[derive(Debug)]
pub struct TestOutcome {
    pub file: PathBuf,
    pub namespace: String,
    pub name: String,
    /// Passed, or why not (false, undefined, or an error).
    pub result: Result<(), String>,
}

/// `data.terraform.s3.deny` → (`terraform.s3`, `deny`).
fn split_rule(path: &str) -> (&str, &str) {
    let path = path.strip_prefix("data.").unwrap_or(path);
    path.rsplit_once('.').unwrap_or(("", path))
}

/// The messages a conftest rule's value holds: strings, `{msg, metadata}` objects, or `true`.
fn messages(value: &Json, rule: &str) -> Vec<(String, Option<String>)> {
    let one = |v: &Json| -> Option<(String, Option<String>)> {
        match v {
            Json::String(s) => Some((s.clone(), None)),
            Json::Object(o) => {
                let msg = match o.get("msg") {
                    Some(Json::String(s)) => s.clone(),
                    _ => v.to_string(),
                };
                let ja = o
                    .get("metadata")
                    .and_then(|m| m.get("ja"))
                    .and_then(Json::as_str)
                    .map(str::to_owned);
                Some((msg, ja))
            }
            Json::Bool(true) => Some((rule.to_owned(), None)),
            Json::Bool(false) | Json::Null => None,
            other => Some((other.to_string(), None)),
        }
    };
    match value {
        Json::Array(items) => items.iter().filter_map(one).collect(),
        v => one(v).into_iter().collect(),
    }
}

impl Bundle {
    /// One conftest rule's findings; `None` when it found nothing.
    fn eval_rule(&self, engine: &mut Engine, index: usize) -> Option<Vec<Finding>> {
        let (rule, level) = &self.rules[index];
        let (namespace, name) = split_rule(rule);
        let found = match engine.eval_rule(rule.clone()) {
            Ok(regorus::Value::Undefined) => vec![],
            Ok(v) => match v.to_json_str().map(|s| serde_json::from_str::<Json>(&s)) {
                Ok(Ok(json)) => messages(&json, name),
                _ => vec![(format!("{rule}: a value banto cannot read"), None)],
            },
            // Fail closed: a policy that cannot be evaluated is a failure, never a pass.
            Err(e) => {
                let first = e.to_string();
                let first = first
                    .lines()
                    .find(|l| l.starts_with("error"))
                    .unwrap_or(&first);
                return Some(vec![Finding {
                    level: Level::Fail,
                    namespace: namespace.to_owned(),
                    msg: format!("{name} could not be evaluated: {first}"),
                    msg_ja: None,
                }]);
            }
        };
        (!found.is_empty()).then(|| {
            found
                .into_iter()
                .map(|(msg, msg_ja)| Finding {
                    level: *level,
                    namespace: namespace.to_owned(),
                    msg,
                    msg_ja,
                })
                .collect()
        })
    }

    /// Every conftest rule of the bundle on `input`, on up to `threads` cores, each taking the
    /// next rule when it is done with one; findings in rule order whatever the threads.
    pub fn evaluate(&self, input: &Input, threads: usize) -> Evaluation {
        let n = self.rules.len();
        let next = AtomicUsize::new(0);
        let work = || {
            let mut engine = self.engine.clone();
            engine.set_input(input.0.clone());
            let mut done = vec![];
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return done;
                }
                done.push((i, self.eval_rule(&mut engine, i)));
            }
        };
        let threads = threads.clamp(1, n.max(1));
        let mut results = if threads == 1 {
            work()
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        };
        results.sort_by_key(|(i, _)| *i);
        let mut all = Evaluation {
            rules: results.len(),
            ..Evaluation::default()
        };
        for (_, found) in results {
            match found {
                Some(found) => all.findings.extend(found),
                None => all.passed += 1,
            }
        }
        all
    }

    /// Each `test_` rule of the `_test.rego` files: passes when it is true.
    pub fn run_tests(&self) -> Vec<TestOutcome> {
        let Some((engine, tests)) = &self.tests else {
            return vec![];
        };
        tests
            .iter()
            .map(|(rule, file)| {
                let mut engine = engine.clone();
                let (namespace, name) = split_rule(rule);
                let result = match engine.eval_rule(rule.clone()) {
                    Ok(regorus::Value::Bool(true)) => Ok(()),
                    Ok(regorus::Value::Undefined) => Err("undefined".to_owned()),
                    Ok(v) => Err(v.to_json_str().unwrap_or_default()),
                    Err(e) => Err(e.to_string()),
                };
                TestOutcome {
                    file: file.clone(),
                    namespace: namespace.to_owned(),
                    name: name.to_owned(),
                    result,
                }
            })
            .collect()
    }
}
