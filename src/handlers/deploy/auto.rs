//! Automatic bumps: a new image in a registry (GitHub Packages, ECR) or a successful CI run
//! deploys to the environments marked `auto_deploy`, within the app's tag policy, never
//! backwards, and never over a hold or in a freeze. What automation declines to do is said in
//! the app's channel when a person would want to know (held, frozen, refused), else logged.

use super::start::{Ask, Outcome, start};
use crate::app::App;
use crate::config::DeployApp;
use crate::event::{ImagePushed, PackagePublished, WorkflowRun};
use crate::ids::DeliveryId;
use crate::messages::deploy::DeployReply;

/// ECR pushed `tag` of `image`.
pub async fn image_pushed(app: &App, pushed: ImagePushed) -> anyhow::Result<()> {
    let trigger = format!("aws:{}", pushed.event_id);
    bump(app, &pushed.image, &pushed.tag, "aws:ecr", &trigger).await
}

/// A container image published to GitHub Packages.
pub async fn package_published(
    app: &App,
    delivery: &DeliveryId,
    p: &PackagePublished,
) -> anyhow::Result<()> {
    let (Some(tag), false) = (&p.tag, p.image.is_empty()) else {
        tracing::info!(
            image = p.image,
            "package published without a tag: nothing to deploy"
        );
        return Ok(());
    };
    let by = format!("github:{}", p.sender);
    bump(app, &p.image, tag, &by, &format!("github:{delivery}")).await
}

/// A workflow run completed successfully: the app whose `workflow` it is gets the tag its
/// rule names.
pub async fn workflow_run(
    app: &App,
    delivery: &DeliveryId,
    run: &WorkflowRun,
) -> anyhow::Result<()> {
    for a in &app.config.deploy.apps {
        let Some(w) = &a.workflow else { continue };
        if !w.repo.is(&run.repo)
            || run.name != w.name
            || run.branch != w.branch
            || run.sha.is_empty()
        {
            continue;
        }
        let tag = w.tag_for(&run.sha, &run.branch, run.run_number);
        let by = format!("github:{}", run.sender);
        bump_app(app, a, &tag, &by, &format!("github:{delivery}")).await?;
    }
    Ok(())
}

async fn bump(app: &App, image: &str, tag: &str, by: &str, trigger: &str) -> anyhow::Result<()> {
    for a in &app.config.deploy.apps {
        if a.image.eq_ignore_ascii_case(image) {
            bump_app(app, a, tag, by, trigger).await?;
        }
    }
    Ok(())
}

async fn bump_app(
    app: &App,
    a: &DeployApp,
    tag: &str,
    by: &str,
    trigger: &str,
) -> anyhow::Result<()> {
    for e in a.envs.iter().filter(|e| e.auto_deploy) {
        let outcome = start(
            app,
            Ask {
                app: a,
                env: e,
                tag: tag.to_owned(),
                requested_by: by.to_owned(),
                automatic: true,
                break_glass: None,
                rollback: false,
                trigger_key: format!("{trigger}:{}", e.name),
            },
        )
        .await?;
        match outcome {
            Outcome::Skipped(why) => {
                tracing::info!(
                    app = a.name,
                    env = e.name,
                    tag,
                    why,
                    "automatic bump skipped"
                );
            }
            Outcome::Reply(
                r @ (DeployReply::Held { .. }
                | DeployReply::Frozen { .. }
                | DeployReply::Refused { .. }
                | DeployReply::FileMissing { .. }),
            ) => {
                crate::effects::say(app, &a.channel, &r).await?;
            }
            // Started, merged or moved: the card says it.
            Outcome::Reply(_) => {}
        }
    }
    Ok(())
}
