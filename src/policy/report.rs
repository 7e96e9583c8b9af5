//! `banto policy test`'s output, in conftest's shape so CI logs and habits carry over.

use super::{Bundle, Evaluation, TestOutcome};
use crate::domain::policy::Level;
use crate::locale::Locale;
use std::fmt::Write;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// conftest's count line: `3 tests, 1 passed, 1 warning, 1 failure, 0 exceptions`.
fn count(tests: usize, passed: usize, warnings: usize, failures: usize) -> String {
    format!(
        "{}, {passed} passed, {}, {}, 0 exceptions",
        plural(tests, "test", "tests"),
        plural(warnings, "warning", "warnings"),
        plural(failures, "failure", "failures"),
    )
}

/// A plan's findings: `FAIL - <file> - <namespace> - <msg>` lines, then the count.
pub fn findings(file: &str, evaluation: &Evaluation, locale: Locale) -> String {
    let mut out = String::new();
    let (mut warnings, mut failures) = (0, 0);
    for level in [Level::Warn, Level::Fail] {
        for f in evaluation.findings.iter().filter(|f| f.level == level) {
            let tag = match level {
                Level::Warn => {
                    warnings += 1;
                    "WARN"
                }
                Level::Fail => {
                    failures += 1;
                    "FAIL"
                }
            };
            let msg = match (locale, &f.msg_ja) {
                (Locale::Ja, Some(ja)) => ja,
                _ => &f.msg,
            };
            let _ = writeln!(out, "{tag} - {file} - {} - {msg}", f.namespace);
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&count(
        evaluation.rules,
        evaluation.passed,
        warnings,
        failures,
    ));
    out.push('\n');
    out
}

/// The `_test.rego` results: a `FAIL` line for each test that did not pass, then the count.
pub fn unit_tests(outcomes: &[TestOutcome]) -> String {
    let mut out = String::new();
    let mut failures = 0;
    for t in outcomes {
        if let Err(why) = &t.result {
            failures += 1;
            let _ = writeln!(
                out,
                "FAIL - {} - {} - {}: {why}",
                t.file.display(),
                t.namespace,
                t.name
            );
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&count(
        outcomes.len(),
        outcomes.len() - failures,
        0,
        failures,
    ));
    out.push('\n');
    out
}

/// What `banto policy test` does: the unit tests, then the plan when one is given. Returns the
/// report and whether anything failed.
pub fn run(
    bundle: &Bundle,
    plan: Option<(&str, &str)>,
    locale: Locale,
) -> anyhow::Result<(String, bool)> {
    let mut out = String::new();
    let mut failed = false;
    let outcomes = bundle.run_tests();
    if !outcomes.is_empty() {
        failed |= outcomes.iter().any(|t| t.result.is_err());
        out.push_str(&unit_tests(&outcomes));
    }
    if let Some((file, json)) = plan {
        let input = super::Input::parse(json).map_err(|e| {
            anyhow::anyhow!("{file} is not JSON ({e}); give `terraform show -json plan.out` output")
        })?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut evaluation = bundle.evaluate(&input, threads);
        // CI logs are read by many: values the plan marks sensitive, and credentials, are
        // masked in messages as on the card.
        let masker = crate::domain::plan::summarize_keeping_masker(json)
            .map(|(_, m)| m)
            .unwrap_or_default();
        for f in &mut evaluation.findings {
            f.msg = masker.scrub(&f.msg).into_owned();
            f.msg_ja = f.msg_ja.as_deref().map(|m| masker.scrub(m).into_owned());
        }
        failed |= evaluation.findings.iter().any(|f| f.level == Level::Fail);
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&findings(file, &evaluation, locale));
    }
    Ok((out, failed))
}
