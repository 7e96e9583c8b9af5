//! The GitOps write path on GitHub: read a file with its blob SHA, write it back only if it is
//! still that blob (compare-and-swap), branches that only fast-forward, one pull request per
//! branch, merges pinned to the head that was approved. GitHub's 409/422 come back as
//! `GithubError::Api` for the caller to re-read and decide.

use super::{GithubApi, GithubError, classify, convert, repo_route, sha_at};
use crate::domain::mask;
use crate::domain::url_path::{check_file, check_ref, segment, segments};
use base64::Engine;
use serde_json::{Value, json};

/// A file as it is on a branch: its text and its blob SHA (the compare-and-swap token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoFile {
    pub content: String,
    pub sha: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullRef {
    pub number: u64,
    pub head_sha: String,
    pub url: String,
}

fn pull_ref(v: &Value) -> Result<PullRef, GithubError> {
    Ok(PullRef {
        number: v["number"]
            .as_u64()
            .ok_or_else(|| GithubError::Unavailable("pull request without a number".into()))?,
        head_sha: sha_at(v, "/head/sha")?,
        url: v["html_url"].as_str().unwrap_or_default().to_owned(),
    })
}

fn absent(e: GithubError) -> Result<Option<Value>, GithubError> {
    match e {
        GithubError::Api { status: 404, .. } => Ok(None),
        e => Err(e),
    }
}

impl GithubApi {
    async fn send(
        &self,
        owner: &str,
        repo: &str,
        method: &str,
        route: &str,
        body: Option<&Value>,
    ) -> Result<Value, GithubError> {
        let client = self.client_for(owner, repo).await?;
        self.retry
            .run_as(
                &super::route_label(method, route),
                || async {
                    let r: Result<Value, octocrab::Error> = match method {
                        "GET" => client.get(route, None::<&()>).await,
                        "POST" => client.post(route, body).await,
                        "PUT" => client.put(route, body).await,
                        // 204 No Content: nothing to read.
                        "DELETE" => match client._delete(route, None::<&()>).await {
                            Ok(r) => octocrab::map_github_error(r).await.map(|_| Value::Null),
                            Err(e) => Err(e),
                        },
                        _ => client.patch(route, body).await,
                    };
                    r.map_err(convert)
                },
                classify,
            )
            .await
    }

    /// The file at `path` on `git_ref`, or `None` if it does not exist there.
    pub async fn file(
        &self,
        owner: &str,
        repo: &str,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<RepoFile>, GithubError> {
        let route = format!(
            "{}/contents/{}?ref={}",
            repo_route(owner, repo),
            segments(check_file(path)?),
            segment(check_ref(git_ref)?)
        );
        let Some(v) = self
            .send(owner, repo, "GET", &route, None)
            .await
            .map(Some)
            .or_else(absent)?
        else {
            return Ok(None);
        };
        let raw: String = v["content"]
            .as_str()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw)
            .map_err(|_| GithubError::Unavailable(format!("{path}: content is not Base64")))?;
        let content = String::from_utf8(bytes)
            .map_err(|_| GithubError::Unavailable(format!("{path} is not UTF-8 text")))?;
        Ok(Some(RepoFile {
            content,
            sha: sha_at(&v, "/sha")?,
        }))
    }

    /// The commit a branch points at, or `None` if there is no such branch.
    pub async fn branch_head(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
    ) -> Result<Option<String>, GithubError> {
        let route = format!(
            "{}/git/ref/heads/{}",
            repo_route(owner, repo),
            segments(check_ref(branch)?)
        );
        match self
            .send(owner, repo, "GET", &route, None)
            .await
            .map(Some)
            .or_else(absent)?
        {
            Some(v) => Ok(Some(sha_at(&v, "/object/sha")?)),
            None => Ok(None),
        }
    }

    /// Create `branch` at `sha`; one that already points there (made by an attempt whose answer
    /// was lost) is fine, one pointing elsewhere is GitHub's 422.
    pub async fn create_branch(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        sha: &str,
    ) -> Result<(), GithubError> {
        let body = json!({ "ref": format!("refs/heads/{}", check_ref(branch)?), "sha": sha });
        self.create_once(
            owner,
            repo,
            "POST",
            &format!("{}/git/refs", repo_route(owner, repo)),
            &body,
            |_| Ok(()),
            || async {
                let head = self.branch_head(owner, repo, branch).await?;
                Ok((head.as_deref() == Some(sha)).then_some(()))
            },
        )
        .await
    }

    /// Point `branch` at `sha`; without `force`, only a fast-forward is accepted (422 otherwise).
    pub async fn move_branch(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        sha: &str,
        force: bool,
    ) -> Result<(), GithubError> {
        let body = json!({ "sha": sha, "force": force });
        self.send(
            owner,
            repo,
            "PATCH",
            &format!(
                "{}/git/refs/heads/{}",
                repo_route(owner, repo),
                segments(check_ref(branch)?)
            ),
            Some(&body),
        )
        .await?;
        Ok(())
    }

    /// Delete `branch` (a closed deploy's): already gone is fine.
    pub async fn delete_branch(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
    ) -> Result<(), GithubError> {
        let route = format!(
            "{}/git/refs/heads/{}",
            repo_route(owner, repo),
            segments(check_ref(branch)?)
        );
        match self.send(owner, repo, "DELETE", &route, None).await {
            Err(GithubError::Api { status: 422, .. }) | Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Write `content` to `path` on `branch` if the file is still blob `expected` (`None`: the
    /// file must not exist). 409/422 mean someone else changed it. Returns the new commit; a
    /// retry after a lost answer finds the content in place instead of meeting its own 409.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_file(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        path: &str,
        content: &str,
        expected: Option<&str>,
        message: &str,
    ) -> Result<String, GithubError> {
        let mut body = json!({
            "message": message, "branch": branch,
            "content": base64::engine::general_purpose::STANDARD.encode(content),
        });
        if let Some(sha) = expected {
            body["sha"] = json!(sha);
        }
        let route = format!(
            "{}/contents/{}",
            repo_route(owner, repo),
            segments(check_file(path)?)
        );
        self.create_once(
            owner,
            repo,
            "PUT",
            &route,
            &body,
            |v| sha_at(v, "/commit/sha"),
            || async {
                // Written by the attempt whose answer was lost: the branch's head is that commit.
                match self.file(owner, repo, path, branch).await? {
                    Some(f) if f.content == content => self.branch_head(owner, repo, branch).await,
                    _ => Ok(None),
                }
            },
        )
        .await
    }

    /// The open pull request from `branch`, if any.
    pub async fn open_pull(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
    ) -> Result<Option<PullRef>, GithubError> {
        let route = format!(
            "{}/pulls?state=open&head={}",
            repo_route(owner, repo),
            segment(&format!("{owner}:{}", check_ref(branch)?))
        );
        let v = self.send(owner, repo, "GET", &route, None).await?;
        v.as_array()
            .and_then(|a| a.first())
            .map(pull_ref)
            .transpose()
    }

    /// Open a pull request from `branch`; a retry after a lost answer finds the one it opened.
    pub async fn create_pull(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        base: &str,
        title: &str,
        body: &str,
    ) -> Result<PullRef, GithubError> {
        let payload = json!({ "title": mask::text(title), "head": branch, "base": base,
            "body": mask::text(body) });
        self.create_once(
            owner,
            repo,
            "POST",
            &format!("{}/pulls", repo_route(owner, repo)),
            &payload,
            pull_ref,
            || self.open_pull(owner, repo, branch),
        )
        .await
    }

    /// Open an issue whose body holds `marker`; returns its web URL. A retry after a lost answer
    /// finds the issue the first attempt opened.
    pub async fn create_issue(
        &self,
        owner: &str,
        repo: &str,
        title: &str,
        body: &str,
        labels: &[String],
        marker: &str,
    ) -> Result<String, GithubError> {
        let payload =
            json!({ "title": mask::text(title), "body": mask::text(body), "labels": labels });
        self.create_once(
            owner,
            repo,
            "POST",
            &format!("{}/issues", repo_route(owner, repo)),
            &payload,
            |v| {
                v["html_url"]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| GithubError::Unavailable("issue without an html_url".into()))
            },
            || self.find_issue(owner, repo, labels.first().map(String::as_str), marker),
        )
        .await
    }

    /// The web URL of the issue (any state, labelled `label` if given) whose body holds `marker`.
    pub async fn find_issue(
        &self,
        owner: &str,
        repo: &str,
        label: Option<&str>,
        marker: &str,
    ) -> Result<Option<String>, GithubError> {
        let mut route = format!("{}/issues?state=all&per_page=100", repo_route(owner, repo));
        if let Some(label) = label {
            route = format!("{route}&labels={}", segment(label));
        }
        let v = self.send(owner, repo, "GET", &route, None).await?;
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .find(|i| i["body"].as_str().is_some_and(|b| b.contains(marker)))
            .and_then(|i| i["html_url"].as_str())
            .map(str::to_owned))
    }

    /// Retitle or describe a pull request, or close it (superseded).
    pub async fn update_pull(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        title: &str,
        body: &str,
        close: bool,
    ) -> Result<(), GithubError> {
        let mut payload = json!({ "title": mask::text(title), "body": mask::text(body) });
        if close {
            payload["state"] = json!("closed");
        }
        self.send(
            owner,
            repo,
            "PATCH",
            &format!("{}/pulls/{number}", repo_route(owner, repo)),
            Some(&payload),
        )
        .await?;
        Ok(())
    }

    /// Squash-merge with `message` (first line: title), only if the head is still `head_sha`
    /// (409 otherwise). Returns the merge commit.
    pub async fn merge_pull(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        head_sha: &str,
        message: &str,
    ) -> Result<String, GithubError> {
        let message = mask::text(message);
        let (title, rest) = message.split_once("\n\n").unwrap_or((&message, ""));
        let body = json!({ "sha": head_sha, "merge_method": "squash",
            "commit_title": title, "commit_message": rest });
        let v = self
            .send(
                owner,
                repo,
                "PUT",
                &format!("{}/pulls/{number}/merge", repo_route(owner, repo)),
                Some(&body),
            )
            .await?;
        sha_at(&v, "/sha")
    }
}
