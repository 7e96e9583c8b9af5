//! `banto doctor`: everything the configuration names, checked against the real services, each
//! with ✓ or ✗ and, when something is wrong, what to do about it.

mod aws;
mod github;
mod local;
mod slack;

use crate::clients::aws::AwsTargets;
use crate::clients::retry::RetryPolicy;
use crate::config::{Config, Secrets};
use std::fmt::Write as _;
use std::future::Future;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pass,
    /// Works, but something a team probably wants is off.
    Warn,
    Fail,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub section: &'static str,
    pub status: Status,
    /// What was checked and what was found, in one line.
    pub line: String,
    pub fix: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub checks: Vec<Check>,
}

/// How long one service may take to answer one check.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);

/// Checks made now only: one quick retry, not the handlers' patient policy.
fn retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(2),
        ..RetryPolicy::default()
    }
}

/// Every check, section by section: secrets, database, Slack, GitHub, AWS.
pub async fn run(config: &Config, secrets: &Secrets, aws: &AwsTargets) -> Report {
    let mut report = Report::default();
    local::secrets(&mut report, config, secrets);
    local::database(&mut report, config).await;
    slack::check(&mut report, config, secrets).await;
    github::check(&mut report, config, secrets).await;
    aws::check(&mut report, config, aws).await;
    report
}

impl Report {
    fn push(&mut self, section: &'static str, status: Status, line: impl Into<String>) {
        self.checks.push(Check {
            section,
            status,
            line: line.into(),
            fix: None,
        });
    }

    fn pass(&mut self, section: &'static str, line: impl Into<String>) {
        self.push(section, Status::Pass, line);
    }

    fn fail(&mut self, section: &'static str, line: impl Into<String>, fix: impl Into<String>) {
        self.flag(section, Status::Fail, line, fix);
    }

    fn warn(&mut self, section: &'static str, line: impl Into<String>, fix: impl Into<String>) {
        self.flag(section, Status::Warn, line, fix);
    }

    fn flag(
        &mut self,
        section: &'static str,
        status: Status,
        line: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.checks.push(Check {
            section,
            status,
            line: line.into(),
            fix: Some(fix.into()),
        });
    }

    pub fn failed(&self) -> usize {
        self.count(Status::Fail)
    }

    fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// The first check whose line contains `text` (for tests and scripts).
    pub fn find(&self, text: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.line.contains(text))
    }

    /// Grouped by section, one line per check, the fix indented under what failed.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut section = "";
        for c in &self.checks {
            if c.section != section {
                section = c.section;
                let _ = writeln!(out, "{}{section}", if out.is_empty() { "" } else { "\n" });
            }
            let mark = match c.status {
                Status::Pass => '✓',
                Status::Warn => '!',
                Status::Fail => '✗',
            };
            let _ = writeln!(out, "  {mark} {}", c.line);
            if let Some(fix) = &c.fix {
                let _ = writeln!(out, "      → {fix}");
            }
        }
        let _ = writeln!(
            out,
            "\n{} checks: {} passed, {} warnings, {} failed",
            self.checks.len(),
            self.count(Status::Pass),
            self.count(Status::Warn),
            self.failed()
        );
        out
    }
}

/// `f`, or a timeout error after [`ANSWER_WITHIN`].
async fn within<T, E: std::fmt::Display>(
    f: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(ANSWER_WITHIN, f).await {
        Ok(r) => r.map_err(|e| crate::domain::mask::text(&e.to_string()).into_owned()),
        Err(_) => Err(format!("no answer within {} s", ANSWER_WITHIN.as_secs())),
    }
}
