//! The one place an event meets its handler: an exhaustive `match` on the closed event enum.
//! Handlers are boxed: their futures are deep, and a worker should not carry the largest inline.

use crate::app::App;
use crate::domain::deploy::Deploy;
use crate::domain::tf_run::Run;
use crate::event::{Action, Event, Form, Timer};
use crate::handlers::{self, approval, deploy, incident, terraform};

pub async fn dispatch(app: &App, event: Event) -> anyhow::Result<()> {
    match event {
        Event::SlashCommand(cmd) => Box::pin(handlers::slash::handle(app, cmd)).await,
        Event::BlockAction(click) => match click.action.clone() {
            Action::TfApprove { run } => Box::pin(approval::approve::<Run>(app, click, run)).await,
            Action::TfReject { run } => {
                Box::pin(approval::reject_clicked::<Run>(app, click, run)).await
            }
            Action::TfOverride { run } => {
                Box::pin(terraform::policies::override_clicked(app, click, run)).await
            }
            Action::DeployApprove { deploy } => {
                Box::pin(approval::approve::<Deploy>(app, click, deploy)).await
            }
            Action::DeployReject { deploy } => {
                Box::pin(approval::reject_clicked::<Deploy>(app, click, deploy)).await
            }
            Action::IncidentTick { incident: id, step } => {
                Box::pin(incident::tick(app, click, id, step)).await
            }
            Action::SuspectConfirm {
                incident: id,
                change,
            } => Box::pin(incident::suspect_verdict(app, click, id, change, true)).await,
            Action::SuspectDismiss {
                incident: id,
                change,
            } => Box::pin(incident::suspect_verdict(app, click, id, change, false)).await,
            Action::SuspectRollback {
                incident: id,
                change,
            } => Box::pin(incident::suspect_rollback(app, click, id, change)).await,
            Action::AlertDeclare { alert } => {
                Box::pin(incident::declare_clicked(app, click, alert)).await
            }
            Action::AlertAttach { alert } => {
                Box::pin(incident::attach_clicked(app, click, alert)).await
            }
            Action::Other { action_id } => {
                tracing::debug!(action_id, "no handler owns this action");
                Ok(())
            }
        },
        Event::ViewSubmission(view) => match view.form.clone() {
            Form::TfRejectReason { run } => {
                Box::pin(approval::reject_submitted::<Run>(app, view, run)).await
            }
            Form::TfOverrideReason { run } => {
                Box::pin(terraform::policies::override_submitted(app, view, run)).await
            }
            Form::DeployRejectReason { deploy } => {
                Box::pin(approval::reject_submitted::<Deploy>(app, view, deploy)).await
            }
            Form::DeclareIncident {
                channel,
                source,
                alert,
            } => {
                Box::pin(incident::declare_submitted(
                    app, &view, channel, source, alert,
                ))
                .await
            }
            Form::AttachAlert { alert } => {
                Box::pin(incident::attach_submitted(app, &view, alert)).await
            }
            Form::IncidentHandover { incident: id, to } => {
                Box::pin(incident::handover_submitted(app, &view, id, to)).await
            }
            Form::Other { callback_id } => {
                tracing::debug!(callback_id, "no handler owns this form");
                Ok(())
            }
        },
        Event::MessageShortcut(m) => match m.callback_id.as_str() {
            crate::event::DECLARE_FROM_MESSAGE => {
                Box::pin(incident::declare_from_message(app, m)).await
            }
            crate::event::TRANSLATE_MESSAGE => {
                Box::pin(handlers::translate::shortcut(app, &m)).await
            }
            other => {
                tracing::debug!(callback_id = other, "no handler owns this shortcut");
                Ok(())
            }
        },
        Event::Message(m) => Box::pin(handlers::translate::posted(app, &m)).await,
        Event::ReactionAdded(r) => {
            Box::pin(handlers::translate::reacted(app, &r)).await?;
            Box::pin(incident::reacted(app, r)).await
        }
        Event::PinAdded(p) => Box::pin(incident::pinned(app, p)).await,
        Event::MessageChanged(m) => {
            Box::pin(handlers::translate::edited(app, &m)).await?;
            Box::pin(incident::edited(app, m)).await
        }
        Event::MessageDeleted(m) => {
            Box::pin(handlers::translate::deleted(app, &m)).await?;
            Box::pin(incident::deleted(app, m)).await
        }
        Event::Github(g) => Box::pin(handlers::github::handle(app, *g)).await,
        Event::CodeBuild(b) => Box::pin(terraform::build_event(app, b)).await,
        Event::ImagePushed(p) => Box::pin(deploy::image_pushed(app, p)).await,
        Event::ArgoCd(n) => Box::pin(deploy::argocd(app, n)).await,
        Event::Alert(n) => Box::pin(incident::alert(app, n)).await,
        Event::Timer(Timer::PurgeHandled) => handlers::housekeeping::purge(app).await,
        Event::Timer(Timer::ReconcileTerraform) => Box::pin(terraform::reconcile(app)).await,
        Event::Timer(Timer::ResumeDeploys) => Box::pin(deploy::resume(app)).await,
        Event::Timer(Timer::MergeDeploy { id }) => Box::pin(deploy::resume_one(app, id)).await,
        Event::Timer(Timer::ChangeRecorded { id }) => {
            Box::pin(incident::change_recorded(app, id)).await
        }
        Event::Timer(Timer::PostmortemDraft { id, regenerated }) => {
            Box::pin(handlers::postmortem::write(app, id, regenerated)).await
        }
        Event::Timer(Timer::PostmortemReview { id, round }) => {
            Box::pin(handlers::postmortem::review_due(app, id, round)).await
        }
        Event::Timer(Timer::AskForCommander { id }) => {
            Box::pin(incident::ask_for_commander_due(app, id)).await
        }
        Event::Timer(Timer::IncidentReminder { id, at_ms }) => {
            Box::pin(incident::remind(app, id, at_ms)).await
        }
        Event::Timer(Timer::PollBuild { build_id }) => {
            Box::pin(terraform::poll(app, &build_id)).await
        }
        Event::Ignored { source, kind, .. } => {
            tracing::debug!(source, kind, "event recorded; nothing acts on it");
            Ok(())
        }
    }
}
