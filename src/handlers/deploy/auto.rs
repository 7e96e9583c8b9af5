//! Automatic bumps: a new image in a registry (GitHub Packages, ECR) or a successful CI run
//! deploys to the environments marked `auto_deploy`, within the app's tag policy, never
//! backwards, and never over a hold or in a freeze. What automation declines to do is said in
//! the app's channel when a person would want to know (held, frozen, refused), else logged.

use super::start::{Ask, Outcome, start};
use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::config::DeployApp;
use crate::event::{GithubEvent, ImagePushed};
use crate::ids::ChannelId;
use crate::messages::Message;
use crate::messages::deploy::DeployReply;

/// ECR pushed `tag` of `image`.
pub async fn image_pushed(app: &App, pushed: ImagePushed) -> anyhow::Result<()> {
    let trigger = format!("aws:{}", pushed.event_id);
    bump(app, &pushed.image, &pushed.tag, "aws:ecr", &trigger).await
}

/// GitHub `registry_package` / `package` published: a container image in GitHub Packages.
pub async fn package_published(app: &App, event: &GithubEvent) -> anyhow::Result<()> {
    let p = &event.payload;
    let package = if p["registry_package"].is_object() {
        &p["registry_package"]
    } else {
        &p["package"]
    };
    let version = &package["package_version"];
    let container = version["container_metadata"].is_object()
        || matches!(
            package["package_type"]
                .as_str()
                .map(str::to_lowercase)
                .as_deref(),
            Some("container" | "docker")
        );
    if event.action.as_deref() != Some("published") || !container {
        return Ok(());
    }
    let tag = version["container_metadata"]["tag"]["name"]
        .as_str()
        .filter(|t| !t.is_empty());
    let url = version["package_url"].as_str().unwrap_or_default();
    let image = url.rsplit_once(':').map_or(url, |(i, _)| i);
    let (Some(tag), false) = (tag, image.is_empty()) else {
        tracing::info!(image, "package published without a tag: nothing to deploy");
        return Ok(());
    };
    let by = format!(
        "github:{}",
        p["sender"]["login"].as_str().unwrap_or("packages")
    );
    bump(app, image, tag, &by, &format!("github:{}", event.delivery)).await
}

/// GitHub `workflow_run` completed successfully: the app whose `workflow` it is gets the tag
/// its rule names.
pub async fn workflow_run(app: &App, event: &GithubEvent) -> anyhow::Result<()> {
    let run = &event.payload["workflow_run"];
    if event.action.as_deref() != Some("completed") || run["conclusion"] != "success" {
        return Ok(());
    }
    let repo = event.repository.as_deref().unwrap_or_default();
    let branch = run["head_branch"].as_str().unwrap_or_default();
    let sha = run["head_sha"].as_str().unwrap_or_default();
    for a in &app.config.deploy.apps {
        let Some(w) = &a.workflow else { continue };
        if !w.repo.eq_ignore_ascii_case(repo)
            || workflow_name(&event.payload) != w.name
            || branch != w.branch
            || sha.is_empty()
        {
            continue;
        }
        let tag = w.tag_for(sha, branch, run["run_number"].as_u64().unwrap_or(0));
        let by = format!(
            "github:{}",
            event.payload["sender"]["login"]
                .as_str()
                .unwrap_or("actions")
        );
        bump_app(app, a, &tag, &by, &format!("github:{}", event.delivery)).await?;
    }
    Ok(())
}

/// The run's workflow name; some payloads carry it only on `workflow`.
fn workflow_name(payload: &serde_json::Value) -> &str {
    payload["workflow_run"]["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .or_else(|| payload["workflow"]["name"].as_str())
        .unwrap_or_default()
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
                let locale = app.config.locale_for_channel(&a.channel);
                crate::effects::post(
                    app,
                    &ChannelId::from(a.channel.as_str()),
                    &Outgoing::text(r.render(locale)),
                    None,
                )
                .await?;
            }
            // Started, merged or moved: the card says it.
            Outcome::Reply(_) => {}
        }
    }
    Ok(())
}
