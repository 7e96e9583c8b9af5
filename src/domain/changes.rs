//! The change record: what finished changing production (a merged deploy, a Terraform apply),
//! as one typed value every slice reads (freshness checks, suspects, timelines, postmortems)
//! without parsing another slice's text.

use crate::ids::{ChangeId, DeployId, RunId};
use serde::{Deserialize, Serialize};

/// What changed. Drift corrections and policy overrides will be further variants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Deploy(DeployChange),
    TerraformApply(ApplyChange),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployChange {
    pub deploy: DeployId,
    pub app: String,
    pub env: String,
    /// The tag the environment ran before (None: the file had no tag yet).
    pub from: Option<String>,
    pub to: String,
    pub requested_by: String,
    /// The environment needs approval: this reached production.
    pub production: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyChange {
    pub run: RunId,
    pub project: String,
    pub commit: String,
    pub plan_sha256: String,
    pub build: String,
    pub requested_by: String,
    /// Addresses of the resources the plan changed.
    #[serde(default)]
    pub resources: Vec<String>,
    /// How many of them it destroyed or replaced.
    #[serde(default)]
    pub destructive: u32,
}

/// The kinds of change, as the store indexes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Deploy,
    TerraformApply,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deploy => "deploy",
            Self::TerraformApply => "terraform_apply",
        }
    }

    pub fn is_deploy(self) -> bool {
        self == Self::Deploy
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Deploy, Self::TerraformApply]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A recorded change: what changed, who made it happen, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeEvent {
    /// Given by the store; `ChangeId(0)` for a change not recorded yet.
    pub id: ChangeId,
    pub change: Change,
    /// Who made it happen: the last approver of a deploy, the approvers of an apply.
    pub actor: String,
    pub started_at: i64,
    pub finished_at: i64,
}

impl Change {
    pub fn kind(&self) -> ChangeKind {
        match self {
            Self::Deploy(_) => ChangeKind::Deploy,
            Self::TerraformApply(_) => ChangeKind::TerraformApply,
        }
    }

    /// What changed, as incidents name their services: `app/env` or the Terraform project.
    pub fn subject(&self) -> String {
        match self {
            Self::Deploy(d) => format!("{}/{}", d.app, d.env),
            Self::TerraformApply(a) => a.project.clone(),
        }
    }

    /// The id of the record it came from: the deploy's or the run's.
    pub fn ref_id(&self) -> i64 {
        match self {
            Self::Deploy(d) => d.deploy.0,
            Self::TerraformApply(a) => a.run.0,
        }
    }

    /// One line, the same in every language: `#12 v1.4.1 → v1.5.0`, `run #3 abc1234`.
    pub fn summary(&self) -> String {
        match self {
            Self::Deploy(d) => format!(
                "#{} {} → {}",
                d.deploy,
                d.from.as_deref().unwrap_or("none"),
                d.to
            ),
            Self::TerraformApply(a) => format!(
                "run #{} {}",
                a.run.0,
                a.commit.chars().take(7).collect::<String>()
            ),
        }
    }

    /// A deploy that reached production.
    pub fn production(&self) -> bool {
        matches!(self, Self::Deploy(d) if d.production)
    }

    /// Resources an apply destroyed or replaced.
    pub fn destructive(&self) -> u32 {
        match self {
            Self::TerraformApply(a) => a.destructive,
            Self::Deploy(_) => 0,
        }
    }

    /// The deploy a Roll back undoes.
    pub fn deploy(&self) -> Option<DeployId> {
        match self {
            Self::Deploy(d) => Some(d.deploy),
            Self::TerraformApply(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploy(from: Option<&str>, production: bool) -> Change {
        Change::Deploy(DeployChange {
            deploy: DeployId(12),
            app: "web".into(),
            env: "production".into(),
            from: from.map(str::to_owned),
            to: "v1.5.0".into(),
            requested_by: "U1".into(),
            production,
        })
    }

    #[test]
    fn a_deploy_reads_as_its_tags_and_its_app_and_env() {
        let d = deploy(Some("v1.4.1"), true);
        assert_eq!(d.summary(), "#12 v1.4.1 → v1.5.0");
        assert_eq!(d.subject(), "web/production");
        assert_eq!(d.deploy(), Some(DeployId(12)));
        assert!(d.production());
        assert_eq!(deploy(None, false).summary(), "#12 none → v1.5.0");
        assert!(!deploy(None, false).production());
    }

    #[test]
    fn an_apply_reads_as_its_run_and_short_commit() {
        let a = Change::TerraformApply(ApplyChange {
            run: RunId(3),
            project: "network".into(),
            commit: "abc1234def".into(),
            plan_sha256: "f".repeat(64),
            build: "b:1".into(),
            requested_by: "U1".into(),
            resources: vec!["aws_vpc.main".into()],
            destructive: 2,
        });
        assert_eq!(a.summary(), "run #3 abc1234");
        assert_eq!(a.subject(), "network");
        assert_eq!(
            (a.destructive(), a.deploy(), a.production()),
            (2, None, false)
        );
        assert_eq!(a.kind(), ChangeKind::TerraformApply);
        assert_eq!(ChangeKind::parse("terraform_apply"), Some(a.kind()));
        assert_eq!(ChangeKind::parse("drift"), None);
    }
}
