//! Typed identifiers: a `ChannelId` cannot be passed where a `UserId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Self {
                Self(s.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    )*};
}

string_id!(
    /// Slack user, `U…` or `W…`.
    UserId,
    /// Slack conversation, `C…`, `G…` or `D…`.
    ChannelId,
    /// Slack workspace, `T…`.
    TeamId,
    /// Slack message timestamp, which is also the message's id within its channel.
    MessageTs,
    /// Slack user group, `S…`.
    UserGroupId,
    /// GitHub `X-GitHub-Delivery` header.
    DeliveryId,
);

/// Users as the audit log and change records name several: `U1,U2`.
pub fn joined(users: &[UserId]) -> String {
    users
        .iter()
        .map(UserId::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// Row id of an accepted event in the inbox or of a timer in the jobs table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct QueueId(pub i64);

impl fmt::Display for QueueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A Terraform run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "run-{}", self.0)
    }
}

/// An incident (`INC-7`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncidentId(pub i64);

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "INC-{}", self.0)
    }
}

/// An alert episode: one alert group (or alarm) from firing to resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlertId(pub i64);

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "alert-{}", self.0)
    }
}

/// A GitOps deploy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeployId(pub i64);

impl fmt::Display for DeployId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A recorded change: a merged deploy, a Terraform apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChangeId(pub i64);

impl fmt::Display for ChangeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A GitHub repository, `owner/name`: parsed once (config, webhooks), never split by hand.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoName {
    full: String,
    slash: usize,
}

impl RepoName {
    pub fn owner(&self) -> &str {
        &self.full[..self.slash]
    }

    pub fn name(&self) -> &str {
        &self.full[self.slash + 1..]
    }

    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// GitHub compares repository names without case.
    pub fn is(&self, other: impl AsRef<str>) -> bool {
        self.full.eq_ignore_ascii_case(other.as_ref())
    }
}

impl std::str::FromStr for RepoName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a GitHub repository (owner/name)");
        let (owner, name) = s.split_once('/').ok_or_else(bad)?;
        let owner_ok = !owner.is_empty()
            && owner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let name_ok = !name.is_empty()
            && name != "."
            && name != ".."
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !(owner_ok && name_ok) {
            return Err(bad());
        }
        Ok(Self {
            full: s.to_owned(),
            slash: owner.len(),
        })
    }
}

impl AsRef<str> for RepoName {
    fn as_ref(&self) -> &str {
        &self.full
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

impl Serialize for RepoName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.full)
    }
}

impl<'de> Deserialize<'de> for RepoName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl MessageTs {
    /// When the message was posted, in Unix milliseconds (`1539904112.000100`).
    pub fn millis(&self) -> Option<i64> {
        let (secs, micros) = self.0.split_once('.').unwrap_or((&self.0, "0"));
        let micros = format!("{micros:0<6}");
        Some(secs.parse::<i64>().ok()? * 1000 + micros.get(..6)?.parse::<i64>().ok()? / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::{MessageTs, RepoName};

    #[test]
    fn a_message_ts_is_when_it_was_posted() {
        assert_eq!(
            MessageTs::from("1539904112.000100").millis(),
            Some(1_539_904_112_000)
        );
        assert_eq!(
            MessageTs::from("1539904112.123456").millis(),
            Some(1_539_904_112_123)
        );
        assert_eq!(MessageTs::from("x.1").millis(), None);
    }

    #[test]
    fn a_repository_name_is_owner_slash_name_and_nothing_else() {
        let r: RepoName = "acme/infra.live".parse().unwrap();
        assert_eq!((r.owner(), r.name()), ("acme", "infra.live"));
        assert!(r.is("ACME/Infra.Live"));
        for bad in [
            "acme",
            "acme/",
            "/infra",
            "acme/infra/x",
            "acme/..",
            "ac me/x",
            "acme/x?y",
        ] {
            assert!(bad.parse::<RepoName>().is_err(), "{bad}");
        }
    }
}
