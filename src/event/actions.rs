//! What a button or a form means. Parsed at the door from Slack's `action_id` and `value` (a
//! modal's `callback_id` and `private_metadata`), and written back into the same wire form by
//! the cards and modals that offer them: one table, both directions.

use super::Malformed;
use crate::ids::{AlertId, ChangeId, ChannelId, DeployId, IncidentId, RunId, UserId};
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
    /// An owner lets a run's failing policy sets through (a modal asks why).
    TfOverride {
        run: RunId,
    },
    DeployApprove {
        deploy: DeployId,
    },
    DeployReject {
        deploy: DeployId,
    },
    /// A checklist step done (or undone).
    IncidentTick {
        incident: IncidentId,
        step: usize,
    },
    SuspectConfirm {
        incident: IncidentId,
        change: ChangeId,
    },
    SuspectDismiss {
        incident: IncidentId,
        change: ChangeId,
    },
    /// Roll back the deploy a suspect change made.
    SuspectRollback {
        incident: IncidentId,
        change: ChangeId,
    },
    /// Declare an incident from an alert's card (the form, prefilled).
    AlertDeclare {
        alert: AlertId,
    },
    /// Attach an alert to an open incident (a form to choose it).
    AlertAttach {
        alert: AlertId,
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
    TfRejectReason {
        run: RunId,
    },
    TfOverrideReason {
        run: RunId,
    },
    DeployRejectReason {
        deploy: DeployId,
    },
    /// The declaration form, opened from `channel` (or from a message, `source` its link; or
    /// from an alert's card).
    DeclareIncident {
        channel: ChannelId,
        source: Option<String>,
        alert: Option<AlertId>,
    },
    AttachAlert {
        alert: AlertId,
    },
    IncidentHandover {
        incident: IncidentId,
        to: UserId,
    },
    Other {
        callback_id: String,
    },
}

const TF_APPROVE: &str = "tf_approve";
const TF_REJECT: &str = "tf_reject";
const TF_OVERRIDE: &str = "tf_override";
const TF_OVERRIDE_REASON: &str = "tf_override_reason";
const DEPLOY_APPROVE: &str = "deploy_approve";
const DEPLOY_REJECT: &str = "deploy_reject";
const INCIDENT_TICK: &str = "incident_tick";
const SUSPECT_CONFIRM: &str = "suspect_confirm";
const SUSPECT_DISMISS: &str = "suspect_dismiss";
const SUSPECT_ROLLBACK: &str = "suspect_rollback";
const TF_REJECT_REASON: &str = "tf_reject_reason";
const DECLARE_INCIDENT: &str = "declare_incident";
const INCIDENT_HANDOVER: &str = "incident_handover";
const DEPLOY_REJECT_REASON: &str = "deploy_reject_reason";
const ALERT_DECLARE: &str = "alert_declare";
const ALERT_ATTACH: &str = "alert_attach";
const ATTACH_ALERT: &str = "attach_alert";

fn id(what: &str, value: Option<&str>) -> Result<i64, Malformed> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| Malformed(format!("`{what}` without an id: {value:?}")))
}

/// `incident:n`, as buttons about one incident carry it.
fn pair(what: &str, value: Option<&str>) -> Result<(IncidentId, i64), Malformed> {
    value
        .and_then(|v| v.split_once(':'))
        .and_then(|(a, b)| Some((IncidentId(a.parse().ok()?), b.parse().ok()?)))
        .ok_or_else(|| Malformed(format!("`{what}` without `incident:n`: {value:?}")))
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
            TF_OVERRIDE => Action::TfOverride {
                run: RunId(id(action_id, value)?),
            },
            DEPLOY_APPROVE => Action::DeployApprove {
                deploy: DeployId(id(action_id, value)?),
            },
            DEPLOY_REJECT => Action::DeployReject {
                deploy: DeployId(id(action_id, value)?),
            },
            INCIDENT_TICK => {
                let (incident, step) = pair(action_id, value)?;
                Action::IncidentTick {
                    incident,
                    step: step as usize,
                }
            }
            SUSPECT_CONFIRM => {
                let (incident, change) = pair(action_id, value)?;
                Action::SuspectConfirm {
                    incident,
                    change: ChangeId(change),
                }
            }
            SUSPECT_DISMISS => {
                let (incident, change) = pair(action_id, value)?;
                Action::SuspectDismiss {
                    incident,
                    change: ChangeId(change),
                }
            }
            SUSPECT_ROLLBACK => {
                let (incident, change) = pair(action_id, value)?;
                Action::SuspectRollback {
                    incident,
                    change: ChangeId(change),
                }
            }
            ALERT_DECLARE => Action::AlertDeclare {
                alert: AlertId(id(action_id, value)?),
            },
            ALERT_ATTACH => Action::AlertAttach {
                alert: AlertId(id(action_id, value)?),
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
            Action::TfOverride { run } => (TF_OVERRIDE, run.0.to_string()),
            Action::DeployApprove { deploy } => (DEPLOY_APPROVE, deploy.0.to_string()),
            Action::DeployReject { deploy } => (DEPLOY_REJECT, deploy.0.to_string()),
            Action::IncidentTick { incident, step } => {
                (INCIDENT_TICK, format!("{}:{step}", incident.0))
            }
            Action::SuspectConfirm { incident, change } => {
                (SUSPECT_CONFIRM, format!("{}:{change}", incident.0))
            }
            Action::SuspectDismiss { incident, change } => {
                (SUSPECT_DISMISS, format!("{}:{change}", incident.0))
            }
            Action::SuspectRollback { incident, change } => {
                (SUSPECT_ROLLBACK, format!("{}:{change}", incident.0))
            }
            Action::AlertDeclare { alert } => (ALERT_DECLARE, alert.0.to_string()),
            Action::AlertAttach { alert } => (ALERT_ATTACH, alert.0.to_string()),
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
            TF_OVERRIDE_REASON => Form::TfOverrideReason {
                run: RunId(id(callback_id, Some(private_metadata))?),
            },
            DEPLOY_REJECT_REASON => Form::DeployRejectReason {
                deploy: DeployId(id(callback_id, Some(private_metadata))?),
            },
            DECLARE_INCIDENT => {
                // `channel[ alert:<id>][ <link>]`
                let mut parts = private_metadata.splitn(2, ' ');
                let channel = parts.next().unwrap_or_default();
                let mut rest = parts.next();
                let alert = match rest.and_then(|r| r.strip_prefix("alert:")) {
                    Some(r) => {
                        let (n, tail) = r.split_once(' ').map_or((r, None), |(n, t)| (n, Some(t)));
                        rest = tail;
                        Some(AlertId(id(callback_id, Some(n))?))
                    }
                    None => None,
                };
                if channel.is_empty() {
                    return Err(Malformed(format!("`{callback_id}` without a channel")));
                }
                Form::DeclareIncident {
                    channel: ChannelId::from(channel),
                    source: rest.map(str::to_owned),
                    alert,
                }
            }
            ATTACH_ALERT => Form::AttachAlert {
                alert: AlertId(id(callback_id, Some(private_metadata))?),
            },
            INCIDENT_HANDOVER => {
                let (incident, to) = private_metadata
                    .split_once(':')
                    .and_then(|(i, u)| Some((IncidentId(i.parse().ok()?), UserId::from(u))))
                    .ok_or_else(|| Malformed(format!("`{callback_id}` without `incident:user`")))?;
                Form::IncidentHandover { incident, to }
            }
            other => Form::Other {
                callback_id: other.to_owned(),
            },
        })
    }

    /// `(callback_id, private_metadata)` for a modal.
    pub fn wire(&self) -> (&str, String) {
        match self {
            Form::TfRejectReason { run } => (TF_REJECT_REASON, run.0.to_string()),
            Form::TfOverrideReason { run } => (TF_OVERRIDE_REASON, run.0.to_string()),
            Form::DeployRejectReason { deploy } => (DEPLOY_REJECT_REASON, deploy.0.to_string()),
            Form::DeclareIncident {
                channel,
                source,
                alert,
            } => {
                let mut meta = channel.0.clone();
                if let Some(a) = alert {
                    meta.push_str(&format!(" alert:{}", a.0));
                }
                if let Some(s) = source {
                    meta.push(' ');
                    meta.push_str(s);
                }
                (DECLARE_INCIDENT, meta)
            }
            Form::AttachAlert { alert } => (ATTACH_ALERT, alert.0.to_string()),
            Form::IncidentHandover { incident, to } => {
                (INCIDENT_HANDOVER, format!("{}:{to}", incident.0))
            }
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
            Action::TfOverride { run: RunId(7) },
            Action::DeployApprove {
                deploy: DeployId(3),
            },
            Action::DeployReject {
                deploy: DeployId(3),
            },
            Action::IncidentTick {
                incident: IncidentId(2),
                step: 4,
            },
            Action::SuspectRollback {
                incident: IncidentId(2),
                change: ChangeId(11),
            },
            Action::AlertDeclare { alert: AlertId(5) },
            Action::AlertAttach { alert: AlertId(5) },
        ] {
            let (id, value) = a.wire();
            assert_eq!(Action::parse(id, Some(&value)), Ok(a.clone()));
        }
        for f in [
            Form::TfRejectReason { run: RunId(7) },
            Form::TfOverrideReason { run: RunId(7) },
            Form::DeployRejectReason {
                deploy: DeployId(3),
            },
            Form::DeclareIncident {
                channel: ChannelId::from("C1"),
                source: Some("https://acme.slack.com/archives/C1/p1".into()),
                alert: None,
            },
            Form::DeclareIncident {
                channel: ChannelId::from("C1"),
                source: Some("https://acme.slack.com/archives/C1/p1".into()),
                alert: Some(AlertId(5)),
            },
            Form::DeclareIncident {
                channel: ChannelId::from("C1"),
                source: None,
                alert: Some(AlertId(5)),
            },
            Form::AttachAlert { alert: AlertId(5) },
            Form::IncidentHandover {
                incident: IncidentId(2),
                to: UserId::from("U0BOB"),
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
