//! The AWS side of the fake world: a plan build uploading its artifacts, builds ending, and
//! EventBridge delivering "CodeBuild Build State Change" to banto. The console's autopilot ends
//! every build by itself, as a real CodeBuild would.

use super::codebuild::{FakeBuild, FakeCodeBuild, Outcome};
use super::s3::FakeS3;
use anyhow::Context;
use serde_json::{Value, json};
use std::time::Duration;

/// What the fake plan build says it planned with (`binding.json`).
pub const TERRAFORM_VERSION: &str = "1.9.8";
pub const LOCK_SHA256: &str = "3c0e0f2fd9e6b3d5c1b1a4a8f37f5b6d0c8e4a1b2d3e4f5a6b7c8d9e0f1a2b3c";

#[derive(Clone)]
pub struct AwsSide {
    pub codebuild: FakeCodeBuild,
    pub s3: FakeS3,
    pub http: reqwest::Client,
    pub events_url: String,
    pub secret: String,
}

impl AwsSide {
    /// The plan build writes `plan_json` (and the plan file's hash and `binding.json`) where banto
    /// reads them, succeeds, and EventBridge tells banto. Returns the plan file's SHA-256.
    pub async fn finish_plan(&self, build: &FakeBuild, plan_json: &str) -> anyhow::Result<String> {
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            format!("tfplan for {}", build.id).as_bytes(),
        ));
        self.put_artifact(build, "plan.json", plan_json)?;
        self.put_artifact(build, "tfplan.sha256", &format!("{sha}  tfplan\n"))?;
        let binding = json!({ "terraform_version": TERRAFORM_VERSION, "lock_sha256": LOCK_SHA256 });
        self.put_artifact(build, "binding.json", &binding.to_string())?;
        self.finish_build(build, Outcome::Succeeded).await?;
        Ok(sha)
    }

    /// End a build the way CodeBuild would, then deliver its EventBridge event to banto.
    pub async fn finish_build(&self, build: &FakeBuild, outcome: Outcome) -> anyhow::Result<()> {
        self.codebuild.finish(&build.id, outcome)?;
        let status = self
            .codebuild
            .state()
            .builds
            .iter()
            .find(|b| b.id == build.id)
            .map(|b| b.status.clone())
            .unwrap_or_default();
        let r = self
            .http
            .post(&self.events_url)
            .header("content-type", "application/json")
            .bearer_auth(&self.secret)
            .body(build_state_event(&build.id, &build.project, &status).to_string())
            .send()
            .await?;
        anyhow::ensure!(
            r.status().is_success(),
            "banto refused the build event: {}",
            r.status()
        );
        Ok(())
    }

    /// End every build shortly after it starts: plans succeed with `plan_json`, applies succeed.
    /// A file the plan build writes beside the plan (e.g. `infracost.json`).
    pub fn put_artifact(&self, build: &FakeBuild, name: &str, body: &str) -> anyhow::Result<()> {
        let bucket = build
            .env("BANTO_ARTIFACT_BUCKET")
            .context("no BANTO_ARTIFACT_BUCKET")?;
        let dir = build
            .env("BANTO_ARTIFACT_PREFIX")
            .context("no BANTO_ARTIFACT_PREFIX")?;
        self.s3
            .put(bucket, &format!("{dir}/{name}"), body.as_bytes().to_vec());
        Ok(())
    }

    /// Plan builds also leave `extra` files (name, text) beside the plan.
    pub fn autopilot(
        self,
        plan_json: String,
        extra: Vec<(&'static str, String)>,
        delay: Duration,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut changed = self.codebuild.subscribe();
            loop {
                let running: Vec<FakeBuild> = self
                    .codebuild
                    .state()
                    .builds
                    .iter()
                    .filter(|b| b.status == "IN_PROGRESS")
                    .cloned()
                    .collect();
                for b in running {
                    tokio::time::sleep(delay).await;
                    let done = if b.env("BANTO_MODE") == Some("plan") {
                        match extra
                            .iter()
                            .try_for_each(|(name, body)| self.put_artifact(&b, name, body))
                        {
                            Ok(()) => self.finish_plan(&b, &plan_json).await.map(|_| ()),
                            Err(e) => Err(e),
                        }
                    } else {
                        self.finish_build(&b, Outcome::Succeeded).await
                    };
                    if let Err(e) = done {
                        tracing::warn!(build = b.id, error = %e, "autopilot could not finish a build");
                    }
                }
                if changed.changed().await.is_err() {
                    return;
                }
            }
        })
    }
}

/// An EventBridge "CodeBuild Build State Change" event, shaped like `shared/corpus/codebuild`.
pub fn build_state_event(build_id: &str, project: &str, status: &str) -> Value {
    let arn = format!("arn:aws:codebuild:us-east-1:123456789012:build/{build_id}");
    json!({
        "version": "0", "id": format!("{:08x}-fake-{}", rand::random::<u32>(), build_id.len()),
        "detail-type": "CodeBuild Build State Change", "source": "aws.codebuild",
        "account": "123456789012", "time": chrono::Utc::now().to_rfc3339(), "region": "us-east-1",
        "resources": [arn.clone()],
        "detail": { "build-status": status, "project-name": project, "build-id": arn,
            "current-phase": "COMPLETED", "current-phase-context": "[: ]", "version": "1",
            "additional-information": { "build-complete": status != "IN_PROGRESS", "initiator": "banto" } },
    })
}
