//! What a button or a form means. Parsed at the door from Slack's `action_id` and `value` (a
//! modal's `callback_id` and `private_metadata`), and written back into the same wire form by
//! the cards and modals that offer them: one table, both directions.

use super::Malformed;
use crate::ids::{DeployId, RunId};
use serde::{Deserialize, Serialize};

/// A button clicked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    TfApprove {
        run: RunId,
    },
    TfReject {
        run: RunId,
    },
    DeployApprove {
        deploy: DeployId,
    },
    DeployReject {
        deploy: DeployId,
    },
    /// Nothing in banto acts on it (a link button, a button of another app's message).
    Other {
        action_id: String,
    },
}

/// A modal submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Form {
    TfRejectReason { run: RunId },
    DeployRejectReason { deploy: DeployId },
    Other { callback_id: String },
}

const TF_APPROVE: &str = "tf_approve";
const TF_REJECT: &str = "tf_reject";
const DEPLOY_APPROVE: &str = "deploy_approve";
const DEPLOY_REJECT: &str = "deploy_reject";
const TF_REJECT_REASON: &str = "tf_reject_reason";
const DEPLOY_REJECT_REASON: &str = "deploy_reject_reason";

fn id(what: &str, value: Option<&str>) -> Result<i64, Malformed> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| Malformed(format!("`{what}` without an id: {value:?}")))
}

impl Action {
    pub fn parse(action_id: &str, value: Option<&str>) -> Result<Self, Malformed> {
        Ok(match action_id {
            TF_APPROVE => Action::TfApprove {
                run: RunId(id(action_id, value)?),
            },
            TF_REJECT => Action::TfReject {
                run: RunId(id(action_id, value)?),
            },
            DEPLOY_APPROVE => Action::DeployApprove {
                deploy: DeployId(id(action_id, value)?),
            },
            DEPLOY_REJECT => Action::DeployReject {
                deploy: DeployId(id(action_id, value)?),
            },
            other => Action::Other {
                action_id: other.to_owned(),
            },
        })
    }

    /// `(action_id, value)` for a button.
    pub fn wire(&self) -> (&str, String) {
        match self {
            Action::TfApprove { run } => (TF_APPROVE, run.0.to_string()),
            Action::TfReject { run } => (TF_REJECT, run.0.to_string()),
            Action::DeployApprove { deploy } => (DEPLOY_APPROVE, deploy.0.to_string()),
            Action::DeployReject { deploy } => (DEPLOY_REJECT, deploy.0.to_string()),
            Action::Other { action_id } => (action_id, String::new()),
        }
    }
}

impl Form {
    pub fn parse(callback_id: &str, private_metadata: &str) -> Result<Self, Malformed> {
        Ok(match callback_id {
            TF_REJECT_REASON => Form::TfRejectReason {
                run: RunId(id(callback_id, Some(private_metadata))?),
            },
            DEPLOY_REJECT_REASON => Form::DeployRejectReason {
                deploy: DeployId(id(callback_id, Some(private_metadata))?),
            },
            other => Form::Other {
                callback_id: other.to_owned(),
            },
        })
    }

    /// `(callback_id, private_metadata)` for a modal.
    pub fn wire(&self) -> (&str, String) {
        match self {
            Form::TfRejectReason { run } => (TF_REJECT_REASON, run.0.to_string()),
            Form::DeployRejectReason { deploy } => (DEPLOY_REJECT_REASON, deploy.0.to_string()),
            Form::Other { callback_id } => (callback_id, String::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_and_form_reads_back_what_it_writes() {
        for a in [
            Action::TfApprove { run: RunId(7) },
            Action::TfReject { run: RunId(7) },
            Action::DeployApprove {
                deploy: DeployId(3),
            },
            Action::DeployReject {
                deploy: DeployId(3),
            },
        ] {
            let (id, value) = a.wire();
            assert_eq!(Action::parse(id, Some(&value)), Ok(a.clone()));
        }
        for f in [
            Form::TfRejectReason { run: RunId(7) },
            Form::DeployRejectReason {
                deploy: DeployId(3),
            },
        ] {
            let (id, meta) = f.wire();
            assert_eq!(Form::parse(id, &meta), Ok(f.clone()));
        }
    }

    #[test]
    fn a_known_button_without_its_id_is_malformed_and_others_are_not_ours() {
        assert!(Action::parse("tf_approve", Some("run-x")).is_err());
        assert!(Form::parse("deploy_reject_reason", "").is_err());
        assert_eq!(
            Action::parse("open_pr", None),
            Ok(Action::Other {
                action_id: "open_pr".into()
            })
        );
    }
}
