//! Builds in CodeBuild and events from GitHub, as banto meets them.

use super::*;

impl World {
    /// The first `n`-th build started in CodeBuild `project` (waits for it).
    pub async fn build(&self, project: &str, n: usize) -> anyhow::Result<FakeBuild> {
        let mut changed = self.codebuild.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            changed.borrow_and_update();
            if let Some(b) = self.codebuild.started(project).into_iter().nth(n) {
                return Ok(b);
            }
            if expired(deadline, changed.changed()).await {
                bail!(
                    "no build #{n} of {project} within {WAIT:?}; started: {:?}",
                    self.codebuild
                        .state()
                        .builds
                        .iter()
                        .map(|b| &b.id)
                        .collect::<Vec<_>>()
                );
            }
        }
    }

    /// The AWS side of the world (CodeBuild finishing builds, EventBridge calling banto).
    pub fn aws_side(&self) -> AwsSide {
        AwsSide {
            codebuild: self.codebuild.clone(),
            s3: self.s3.clone(),
            http: self.http.clone(),
            events_url: format!("{}/aws/events", self.url),
            secret: self.aws_events_secret.clone(),
        }
    }

    /// See [`AwsSide::finish_plan`].
    pub async fn finish_plan(&self, build: &FakeBuild, plan_json: &str) -> anyhow::Result<String> {
        self.aws_side().finish_plan(build, plan_json).await
    }

    /// See [`AwsSide::finish_build`].
    pub async fn finish_build(&self, build: &FakeBuild, outcome: Outcome) -> anyhow::Result<()> {
        self.aws_side().finish_build(build, outcome).await
    }

    /// A pull request is opened (or pushed to: `action` = `synchronize`) with `files` changed.
    pub async fn pull_request(
        &self,
        action: &str,
        repo: &str,
        number: u64,
        head: &str,
        author: &str,
        files: &[&str],
    ) -> anyhow::Result<()> {
        self.pull_request_event(action, repo, number, head, author, files, None)
            .await
    }

    /// The pull request is merged into `main` as `merge_commit` (GitHub's `closed` with
    /// `merged: true`).
    pub async fn merge_pull(
        &self,
        repo: &str,
        number: u64,
        head: &str,
        author: &str,
        merge_commit: &str,
    ) -> anyhow::Result<()> {
        self.github.set_ref(repo, "main", merge_commit);
        self.pull_request_event(
            "closed",
            repo,
            number,
            head,
            author,
            &[],
            Some(merge_commit),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn pull_request_event(
        &self,
        action: &str,
        repo: &str,
        number: u64,
        head: &str,
        author: &str,
        files: &[&str],
        merge_commit: Option<&str>,
    ) -> anyhow::Result<()> {
        let files: Vec<(&str, &str)> = files.iter().map(|f| (*f, "modified")).collect();
        self.github.add_pull(repo, number, &files);
        self.github.set_head(repo, number, head);
        if action == "closed" {
            self.github.state().closed.insert((repo.to_owned(), number));
        }
        let body = json!({
            "action": action, "number": number,
            "pull_request": { "number": number, "state": if action == "closed" { "closed" } else { "open" },
                "head": { "sha": head, "ref": format!("pr-{number}") }, "base": { "ref": "main" },
                "user": { "login": author }, "merged": merge_commit.is_some(),
                "merge_commit_sha": merge_commit },
            "repository": { "full_name": repo, "name": repo.split('/').nth(1), "default_branch": "main" },
            "sender": { "login": author },
        });
        let r = self
            .post_github(
                "pull_request",
                &format!("pr-{number}-{action}-{}", self.next()),
                body.to_string().as_bytes(),
            )
            .await?;
        anyhow::ensure!(
            r.status().is_success(),
            "banto refused the pull_request: {}",
            r.status()
        );
        Ok(())
    }
}
