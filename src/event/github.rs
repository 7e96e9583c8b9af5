//! GitHub webhook bodies into typed events. Only what banto acts on is read, and read leniently
//! (octocrab's models are stricter than GitHub itself: a real `issue_comment` with
//! `license.spdx_id: null` fails them); everything else is recorded as `Webhook::Other`.

use super::*;
use crate::ids::RepoName;
use serde_json::Value;

/// What a webhook asks banto to act on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "webhook", rename_all = "snake_case")]
pub enum Webhook {
    PullRequest(PullRequest),
    Push(Push),
    /// A container image published to GitHub Packages (`registry_package`, `package`).
    PackagePublished(PackagePublished),
    /// A workflow run that completed successfully.
    WorkflowRun(WorkflowRun),
    /// Verified and recorded; nothing in banto acts on it.
    Other,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    /// `opened`, `synchronize`, `reopened`, `closed`, …
    pub action: String,
    pub repo: RepoName,
    pub number: u64,
    pub head_sha: String,
    pub head_ref: String,
    pub author: String,
    /// For `closed` when it was merged: the branch it went into and the commit the merge made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<Merged>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Merged {
    pub base_ref: String,
    pub commit: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Push {
    pub repo: RepoName,
    /// `refs/heads/main`.
    pub git_ref: String,
    pub default_branch: String,
    pub deleted: bool,
    pub after: String,
    pub pusher: String,
    /// Files added, modified or removed by the pushed commits.
    pub paths: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackagePublished {
    /// `ghcr.io/owner/name`.
    pub image: String,
    pub tag: Option<String>,
    pub sender: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRun {
    pub repo: RepoName,
    pub name: String,
    pub branch: String,
    pub sha: String,
    pub run_number: u64,
    pub sender: String,
}

/// A GitHub webhook body of event `kind` (`X-GitHub-Event`).
pub fn parse_github(kind: &str, delivery: &str, body: &[u8]) -> Result<Event, Malformed> {
    let payload: Value = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("GitHub `{kind}` payload is not JSON: {e}")))?;
    if !payload.is_object() {
        return Err(Malformed(format!(
            "GitHub `{kind}` payload is not a JSON object"
        )));
    }
    if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(Malformed(format!(
            "X-GitHub-Event {kind:?} is not an event name"
        )));
    }
    let action = str_at(&payload, "/action");
    let webhook = match (kind, action) {
        ("pull_request", Some(action)) => Webhook::PullRequest(pull_request(&payload, action)?),
        ("push", _) => Webhook::Push(push(&payload)?),
        ("registry_package" | "package", Some("published")) => {
            package(&payload).map_or(Webhook::Other, Webhook::PackagePublished)
        }
        ("workflow_run", Some("completed")) => {
            workflow_run(&payload)?.map_or(Webhook::Other, Webhook::WorkflowRun)
        }
        _ => Webhook::Other,
    };
    Ok(Event::Github(Box::new(GithubEvent {
        delivery: DeliveryId::new(delivery),
        kind: kind.to_owned(),
        action: action.map(str::to_owned),
        repository: str_at(&payload, "/repository/full_name").map(str::to_owned),
        payload: webhook,
    })))
}

fn repo(p: &Value, what: &str) -> Result<RepoName, Malformed> {
    required(p, "/repository/full_name", what)?
        .parse()
        .map_err(Malformed)
}

fn pull_request(p: &Value, action: &str) -> Result<PullRequest, Malformed> {
    let what = "pull_request";
    Ok(PullRequest {
        action: action.to_owned(),
        repo: repo(p, what)?,
        number: p
            .pointer("/pull_request/number")
            .and_then(Value::as_u64)
            .ok_or_else(|| Malformed(format!("{what}: missing `pull_request.number`")))?,
        head_sha: required(p, "/pull_request/head/sha", what)?,
        head_ref: required(p, "/pull_request/head/ref", what)?,
        author: required(p, "/pull_request/user/login", what)?,
        merged: (action == "closed"
            && p.pointer("/pull_request/merged").and_then(Value::as_bool) == Some(true))
        .then(|| {
            Some(Merged {
                base_ref: required(p, "/pull_request/base/ref", what).ok()?,
                commit: required(p, "/pull_request/merge_commit_sha", what).ok()?,
            })
        })
        .flatten(),
    })
}

fn push(p: &Value) -> Result<Push, Malformed> {
    let mut paths = vec![];
    for c in p["commits"].as_array().into_iter().flatten() {
        for key in ["added", "modified", "removed"] {
            paths.extend(
                c[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned),
            );
        }
    }
    Ok(Push {
        repo: repo(p, "push")?,
        git_ref: required(p, "/ref", "push")?,
        default_branch: str_at(p, "/repository/default_branch")
            .unwrap_or("main")
            .to_owned(),
        deleted: p["deleted"] == true,
        after: required(p, "/after", "push")?,
        pusher: str_at(p, "/pusher/name")
            .or_else(|| str_at(p, "/sender/login"))
            .unwrap_or("unknown")
            .to_owned(),
        paths,
    })
}

/// A published container image; `None` for other package types.
fn package(p: &Value) -> Option<PackagePublished> {
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
    if !container {
        return None;
    }
    let url = version["package_url"].as_str().unwrap_or_default();
    Some(PackagePublished {
        image: url.rsplit_once(':').map_or(url, |(i, _)| i).to_owned(),
        tag: str_at(version, "/container_metadata/tag/name")
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        sender: str_at(p, "/sender/login").unwrap_or("packages").to_owned(),
    })
}

/// A successful run; `None` for runs that did not succeed.
fn workflow_run(p: &Value) -> Result<Option<WorkflowRun>, Malformed> {
    let run = &p["workflow_run"];
    if run["conclusion"] != "success" {
        return Ok(None);
    }
    // Some payloads carry the name only on `workflow`.
    let name = str_at(run, "/name")
        .filter(|n| !n.is_empty())
        .or_else(|| str_at(p, "/workflow/name"))
        .unwrap_or_default();
    Ok(Some(WorkflowRun {
        repo: repo(p, "workflow_run")?,
        name: name.to_owned(),
        branch: str_at(run, "/head_branch").unwrap_or_default().to_owned(),
        sha: str_at(run, "/head_sha").unwrap_or_default().to_owned(),
        run_number: run["run_number"].as_u64().unwrap_or(0),
        sender: str_at(p, "/sender/login").unwrap_or("actions").to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::corpus;

    fn pull(body: &str) -> PullRequest {
        let payload: Value = serde_json::from_str(body).unwrap();
        pull_request(&payload, "closed").unwrap()
    }

    #[test]
    fn a_closed_pull_request_says_whether_and_where_it_was_merged() {
        let closed = corpus::text("github-webhooks/octokit__pull_request__closed.json");
        assert_eq!(pull(&closed).merged, None, "closed unmerged");
        let mut merged: Value = serde_json::from_str(&closed).unwrap();
        merged["pull_request"]["merged"] = Value::Bool(true);
        assert_eq!(
            pull(&merged.to_string()).merged,
            Some(Merged {
                base_ref: "master".into(),
                commit: "c4295bd74fb0f4fda03689c3df3f2803b658fd85".into(),
            })
        );
    }
}
