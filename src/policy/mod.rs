//! Policies as code: Rego v1 files evaluated by banto itself (regorus) on a plan's JSON, with
//! conftest's conventions: in any package, rules named `deny`, `violation` and `warn` (or
//! `deny_<name>`, …) whose values are messages, as strings or `{msg, metadata}`; `_test.rego`
//! files hold `test_` rules for `banto policy test`. A set is compiled once, when the config is
//! read; a call to a function neither regorus nor the policies define is an error there, at
//! its file and line, never a silent "allowed" later.

mod eval;
mod load;
pub mod report;

pub use eval::{Evaluation, Input, TestOutcome};
pub use load::LoadError;

use regorus::Engine;
use std::path::PathBuf;

/// One policy set's Rego, compiled.
#[derive(Clone)]
pub struct Bundle {
    /// The policies (tests left out): what a plan is checked against.
    engine: Engine,
    /// `data.<package>.<rule>` for each conftest rule, with its level.
    rules: Vec<(String, crate::domain::policy::Level)>,
    /// The policies and their `_test.rego` files, and each `test_` rule with its file.
    tests: Option<(Engine, Vec<(String, PathBuf)>)>,
    /// SHA-256 of the policy files' names and contents, in name order.
    pub digest: String,
    /// The policy files (tests left out), for messages.
    pub files: Vec<PathBuf>,
}

impl std::fmt::Debug for Bundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bundle")
            .field("files", &self.files)
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
