//! Which tags an automatic bump may deploy, and the rule that it never moves backwards: a
//! semver range (`>=1.4, <2`) or a regex allow-list. Manual `/deploy` and `/rollback` are not
//! bound by it; automation is.

use semver::{Version, VersionReq};
use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub enum TagPolicy {
    Semver(VersionReq),
    Regex(regex::Regex),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Bump,
    /// The tag is outside the policy.
    NotAllowed,
    /// The tag is not newer than the one deployed: automation never moves an environment
    /// backwards or sideways.
    NotNewer {
        current: String,
    },
}

/// `v1.2.3` and `1.2.3` both read as 1.2.3.
pub fn version(tag: &str) -> Option<Version> {
    Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok()
}

impl TagPolicy {
    pub fn semver(range: &str) -> Result<Self, String> {
        VersionReq::parse(range)
            .map(TagPolicy::Semver)
            .map_err(|e| format!("tag policy semver {range:?}: {e}"))
    }

    pub fn regex(pattern: &str) -> Result<Self, String> {
        regex::Regex::new(pattern)
            .map(TagPolicy::Regex)
            .map_err(|e| format!("tag policy regex {pattern:?}: {e}"))
    }

    pub fn allows(&self, tag: &str) -> bool {
        match self {
            TagPolicy::Semver(req) => version(tag).is_some_and(|v| req.matches(&v)),
            TagPolicy::Regex(re) => re.is_match(tag),
        }
    }

    /// May automation move `current` to `candidate`?
    pub fn judge(&self, current: Option<&str>, candidate: &str) -> Verdict {
        if !self.allows(candidate) {
            return Verdict::NotAllowed;
        }
        let Some(current) = current else {
            return Verdict::Bump;
        };
        match (version(current), version(candidate)) {
            (Some(a), Some(b)) if b.cmp(&a) != Ordering::Greater => Verdict::NotNewer {
                current: current.to_owned(),
            },
            // Tags without an order (commit SHAs): the newest event wins; a rollback's hold is
            // what stops automation from undoing it.
            _ if current == candidate => Verdict::NotNewer {
                current: current.to_owned(),
            },
            _ => Verdict::Bump,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_ranges_and_never_backwards() {
        let p = TagPolicy::semver(">=1.4.0, <2.0.0").unwrap();
        assert_eq!(p.judge(Some("v1.4.2"), "v1.5.0"), Verdict::Bump);
        assert_eq!(
            p.judge(Some("v1.5.0"), "v1.4.9"),
            Verdict::NotNewer {
                current: "v1.5.0".into()
            }
        );
        assert_eq!(
            p.judge(Some("v1.5.0"), "v1.5.0"),
            Verdict::NotNewer {
                current: "v1.5.0".into()
            }
        );
        assert_eq!(p.judge(Some("v1.5.0"), "v2.0.0"), Verdict::NotAllowed);
        assert_eq!(p.judge(Some("v1.5.0"), "latest"), Verdict::NotAllowed);
        assert_eq!(
            p.judge(Some("v1.5.0"), "v1.6.0-rc.1"),
            Verdict::NotAllowed,
            "pre-releases need an explicit range"
        );
        assert_eq!(p.judge(None, "1.4.0"), Verdict::Bump);
    }

    #[test]
    fn regex_allow_lists_still_never_go_backwards() {
        let p = TagPolicy::regex(r"^v\d+\.\d+\.\d+$").unwrap();
        assert_eq!(p.judge(Some("v1.2.3"), "v1.2.4"), Verdict::Bump);
        assert_eq!(p.judge(Some("v1.2.3"), "main-abc123"), Verdict::NotAllowed);
        let shas = TagPolicy::regex(r"^main-[0-9a-f]{7}$").unwrap();
        assert_eq!(
            shas.judge(Some("main-1111111"), "main-2222222"),
            Verdict::Bump
        );
        assert_eq!(
            shas.judge(Some("main-1111111"), "main-1111111"),
            Verdict::NotNewer {
                current: "main-1111111".into()
            }
        );
        assert!(TagPolicy::semver("not a range").is_err());
        assert!(TagPolicy::regex("(").is_err());
    }
}
