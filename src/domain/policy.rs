//! Policy results as a run keeps them: what each policy set found in a plan, and who overrode
//! a failing set. Pure values; `crate::policy` evaluates the Rego that produces them.

use crate::ids::UserId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// `deny` or `violation`: blocks approval until the set's owners override it.
    Fail,
    /// `warn`: shown, never blocks.
    Warn,
}

/// One message a rule produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub level: Level,
    /// The Rego package, as conftest names it (`main`, `terraform.s3`).
    pub namespace: String,
    pub msg: String,
    /// The message in Japanese, from the rule's `metadata.ja`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_ja: Option<String>,
}

/// What one policy set found in one plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetResult {
    pub set: String,
    /// SHA-256 of the set's policy files (names and contents) that were evaluated.
    pub digest: String,
    /// How many of the set's owners must override its failures.
    pub overrides_needed: u32,
    pub findings: Vec<Finding>,
}

impl SetResult {
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.level == Level::Fail)
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.level == Level::Warn)
    }
}

/// An owner's decision to let a failing set's plan be approved anyway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub set: String,
    pub by: UserId,
    pub reason: String,
}

/// Why an override was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverrideRefusal {
    NotAwaitingApproval,
    /// No failing set still waits for an override.
    NothingToOverride,
    /// The clicker owns none of the sets that still wait.
    NotAnOwner,
    /// Whoever asked for the change may not override its failures.
    OwnChange,
    /// An override says why, for the audit log and the pull request.
    NoReason,
}

/// The combined digest of the sets (name, digest) a plan is checked against (None: no set).
pub fn digest<'a>(sets: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut any = false;
    for (set, digest) in sets {
        any = true;
        h.update(set.as_bytes());
        h.update([0]);
        h.update(digest.as_bytes());
        h.update([0]);
    }
    any.then(|| hex::encode(h.finalize()))
}

/// The combined digest of the sets these results came from.
pub fn digest_of(results: &[SetResult]) -> Option<String> {
    digest(results.iter().map(|r| (r.set.as_str(), r.digest.as_str())))
}

/// The sets whose failures still need overrides, given the overrides so far.
pub fn blocking<'a>(results: &'a [SetResult], overrides: &[Override]) -> Vec<&'a SetResult> {
    results
        .iter()
        .filter(|r| r.failures().next().is_some())
        .filter(|r| {
            let have = overrides.iter().filter(|o| o.set == r.set).count() as u32;
            have < r.overrides_needed.max(1)
        })
        .collect()
}

/// `user` overrides every still-blocking set they own (`owns(set)`), with `reason`. Returns the
/// sets overridden.
pub fn override_sets(
    results: &[SetResult],
    overrides: &mut Vec<Override>,
    user: &UserId,
    requested_by: &str,
    reason: &str,
    owns: impl Fn(&str) -> bool,
) -> Result<Vec<String>, OverrideRefusal> {
    let waiting = blocking(results, overrides);
    if waiting.is_empty() {
        return Err(OverrideRefusal::NothingToOverride);
    }
    if user.as_str() == requested_by {
        return Err(OverrideRefusal::OwnChange);
    }
    let mine: Vec<String> = waiting
        .iter()
        .filter(|r| owns(&r.set))
        .filter(|r| !overrides.iter().any(|o| o.set == r.set && &o.by == user))
        .map(|r| r.set.clone())
        .collect();
    if mine.is_empty() {
        return Err(OverrideRefusal::NotAnOwner);
    }
    for set in &mine {
        overrides.push(Override {
            set: set.clone(),
            by: user.clone(),
            reason: reason.to_owned(),
        });
    }
    Ok(mine)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing(set: &str, needed: u32) -> SetResult {
        SetResult {
            set: set.into(),
            digest: "d".into(),
            overrides_needed: needed,
            findings: vec![
                Finding {
                    level: Level::Fail,
                    namespace: "main".into(),
                    msg: "bucket is public".into(),
                    msg_ja: None,
                },
                Finding {
                    level: Level::Warn,
                    namespace: "main".into(),
                    msg: "no owner tag".into(),
                    msg_ja: None,
                },
            ],
        }
    }

    #[test]
    fn only_owners_override_and_each_set_counts_its_own() {
        let results = [failing("security", 2), failing("cost", 1)];
        let mut overrides = vec![];
        let sec_owner = |s: &str| s == "security";
        assert_eq!(blocking(&results, &overrides).len(), 2);
        assert_eq!(
            override_sets(
                &results,
                &mut overrides,
                &"UBOB".into(),
                "UBOB",
                "r",
                sec_owner
            ),
            Err(OverrideRefusal::OwnChange)
        );
        assert_eq!(
            override_sets(
                &results,
                &mut overrides,
                &"UEVE".into(),
                "UCAROL",
                "r",
                |_| false
            ),
            Err(OverrideRefusal::NotAnOwner)
        );
        assert_eq!(
            override_sets(
                &results,
                &mut overrides,
                &"UALICE".into(),
                "UCAROL",
                "ok",
                sec_owner
            ),
            Ok(vec!["security".to_string()])
        );
        // One of two security owners: still blocked; the same owner twice does not count twice.
        assert_eq!(blocking(&results, &overrides).len(), 2);
        assert_eq!(
            override_sets(
                &results,
                &mut overrides,
                &"UALICE".into(),
                "UCAROL",
                "ok",
                sec_owner
            ),
            Err(OverrideRefusal::NotAnOwner)
        );
        override_sets(
            &results,
            &mut overrides,
            &"UDAN".into(),
            "UCAROL",
            "ok",
            sec_owner,
        )
        .unwrap();
        let left: Vec<&str> = blocking(&results, &overrides)
            .iter()
            .map(|r| r.set.as_str())
            .collect();
        assert_eq!(left, ["cost"]);
        override_sets(
            &results,
            &mut overrides,
            &"UDAN".into(),
            "UCAROL",
            "ok",
            |_| true,
        )
        .unwrap();
        assert!(blocking(&results, &overrides).is_empty());
        assert_eq!(
            override_sets(
                &results,
                &mut overrides,
                &"UDAN".into(),
                "UCAROL",
                "ok",
                |_| true
            ),
            Err(OverrideRefusal::NothingToOverride)
        );
    }

    #[test]
    fn warnings_alone_never_block_and_the_digest_names_every_set() {
        let mut warn_only = failing("style", 1);
        warn_only.findings.retain(|f| f.level == Level::Warn);
        assert!(blocking(&[warn_only.clone()], &[]).is_empty());
        assert_eq!(digest_of(&[]), None);
        let a = digest_of(&[warn_only.clone()]);
        assert_eq!(a, digest([("style", "d")]));
        warn_only.digest = "e".into();
        assert_ne!(a, digest_of(&[warn_only]));
    }
}
