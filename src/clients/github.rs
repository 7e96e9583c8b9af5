//! GitHub REST client: octocrab with App or token auth, base URL injectable, octocrab's own
//! retries off (banto's retry policy owns retries).

mod access;
mod contents;
pub use access::RepoAccess;

use super::retry::{RetryPolicy, Verdict};
use crate::config::Secrets;
use crate::domain::mask;
use crate::domain::url_path::{PathError, check_ref, segment, segments};
pub use contents::{PullRef, RepoFile};
use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct GithubApi {
    octocrab: Octocrab,
    is_app: bool,
    retry: RetryPolicy,
    /// `owner/repo` → the App installation's client (it mints and refreshes its own tokens).
    installations: Arc<Mutex<HashMap<String, Arc<Octocrab>>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    #[error("GitHub answered {status}: {message}")]
    Api { status: u16, message: String },
    #[error("GitHub is unreachable: {0}")]
    Unavailable(String),
    #[error("GitHub was not asked: {0}")]
    Refused(#[from] PathError),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullState {
    pub head: String,
    /// The branch it merges into.
    pub base_ref: String,
    pub open: bool,
}

/// A file a pull request changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: String,
    /// The old path of a renamed file: a move touches both directories.
    pub previous_path: Option<String>,
}

fn convert(e: octocrab::Error) -> GithubError {
    match e {
        octocrab::Error::GitHub { source, .. } => GithubError::Api {
            status: source.status_code.as_u16(),
            message: source.message,
        },
        other => GithubError::Unavailable(other.to_string()),
    }
}

fn classify(e: &GithubError) -> Verdict {
    match e {
        GithubError::Api { status, .. } if *status == 429 || *status >= 500 => Verdict::Retry(None),
        GithubError::Api { .. } | GithubError::Refused(_) => Verdict::Fatal,
        GithubError::Unavailable(_) => Verdict::Retry(None),
    }
}

impl GithubApi {
    /// App auth (`GITHUB_APP_ID` + `GITHUB_APP_PRIVATE_KEY`) wins over `GITHUB_TOKEN`; with
    /// neither, the client is anonymous and every call that needs auth fails with GitHub's 401.
    pub fn new(api_url: &str, secrets: &Secrets, retry: RetryPolicy) -> anyhow::Result<Self> {
        crate::install_crypto_provider();
        let mut builder = Octocrab::builder()
            .base_uri(api_url)
            .map_err(|e| anyhow::anyhow!("github.api_url {api_url:?}: {e}"))?
            .add_retry_config(RetryConfig::None);
        let mut is_app = false;
        if let (Some(id), Some(key)) = (secrets.github_app_id, &secrets.github_app_private_key) {
            let key = octocrab::EncodingKey::from_rsa_pem(key.expose().as_bytes())
                .map_err(|_| anyhow::anyhow!("GITHUB_APP_PRIVATE_KEY is not an RSA PEM key"))?;
            builder = builder.app(id.into(), key);
            is_app = true;
        } else if let Some(token) = &secrets.github_token {
            builder = builder.personal_token(token.expose().to_owned());
        }
        Ok(Self {
            octocrab: builder.build()?,
            is_app,
            retry: retry.for_service("github"),
            installations: Arc::default(),
        })
    }

    /// The client to use for `owner/repo`: the token client, or the App's installation on it.
    async fn client_for(&self, owner: &str, repo: &str) -> Result<Arc<Octocrab>, GithubError> {
        if !self.is_app {
            return Ok(Arc::new(self.octocrab.clone()));
        }
        let key = format!("{owner}/{repo}");
        if let Some(c) = self.installations.lock().expect("installations").get(&key) {
            return Ok(c.clone());
        }
        let installation = self
            .retry
            .run(
                || async {
                    self.octocrab
                        .apps()
                        .get_repository_installation(owner, repo)
                        .await
                        .map_err(convert)
                },
                classify,
            )
            .await?;
        // One shared client per installation: a clone would start with an empty token cache.
        let client = Arc::new(
            self.octocrab
                .installation(installation.id)
                .map_err(convert)?,
        );
        self.installations
            .lock()
            .expect("installations")
            .insert(key, client.clone());
        Ok(client)
    }

    /// Every file a pull request changes, all pages.
    pub async fn changed_files(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
    ) -> Result<Vec<ChangedFile>, GithubError> {
        let client = self.client_for(owner, repo).await?;
        let entries = self
            .retry
            .run(
                || async {
                    let first = client
                        .pulls(owner, repo)
                        .list_files(number)
                        .await
                        .map_err(convert)?;
                    client.all_pages(first).await.map_err(convert)
                },
                classify,
            )
            .await?;
        Ok(entries
            .into_iter()
            .map(|e| ChangedFile {
                path: e.filename,
                previous_path: e.previous_filename,
            })
            .collect())
    }

    /// A JSON GET under the retry policy (raw JSON: octocrab's typed models refuse some of
    /// GitHub's real payloads).
    async fn get_json(&self, owner: &str, repo: &str, route: &str) -> Result<Value, GithubError> {
        let client = self.client_for(owner, repo).await?;
        self.retry
            .run_as(
                &route_label("GET", route),
                || async { client.get(route, None::<&()>).await.map_err(convert) },
                classify,
            )
            .await
    }

    /// A pull request as it is now: its head commit, its base branch and whether it is open.
    pub async fn pull(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
    ) -> Result<PullState, GithubError> {
        let v = self
            .get_json(
                owner,
                repo,
                &format!("{}/pulls/{number}", repo_route(owner, repo)),
            )
            .await?;
        Ok(PullState {
            head: sha_at(&v, "/head/sha")?,
            base_ref: v["base"]["ref"].as_str().unwrap_or_default().to_owned(),
            open: v["state"] == "open",
        })
    }

    /// The repository's default branch (`main`, `master`, …).
    pub async fn default_branch(&self, owner: &str, repo: &str) -> Result<String, GithubError> {
        let v = self.get_json(owner, repo, &repo_route(owner, repo)).await?;
        v["default_branch"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| GithubError::Unavailable("an answer without default_branch".into()))
    }

    /// The commit SHA a branch, tag or SHA names.
    pub async fn resolve_ref(
        &self,
        owner: &str,
        repo: &str,
        git_ref: &str,
    ) -> Result<String, GithubError> {
        let v = self
            .get_json(
                owner,
                repo,
                &format!(
                    "{}/commits/{}",
                    repo_route(owner, repo),
                    segments(check_ref(git_ref)?)
                ),
            )
            .await?;
        sha_at(&v, "/sha")
    }

    /// Post a comment on an issue or PR, or edit `existing` in place. Returns the comment id.
    /// `body` starts with `marker`; with no `existing` id (a run that crashed before saving it)
    /// the comment is looked for by its marker and edited if found.
    pub async fn upsert_comment(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        existing: Option<u64>,
        marker: &str,
        body: &str,
    ) -> Result<u64, GithubError> {
        let client = self.client_for(owner, repo).await?;
        let payload = json!({ "body": mask::text(body) });
        let existing = match existing {
            Some(id) => Some(id),
            None => self.find_comment(owner, repo, number, marker).await?,
        };
        if let Some(id) = existing {
            let route = format!("{}/issues/comments/{id}", repo_route(owner, repo));
            let _: Value = self
                .retry
                .run(
                    || async { client.patch(&route, Some(&payload)).await.map_err(convert) },
                    classify,
                )
                .await?;
            return Ok(id);
        }
        let route = format!("{}/issues/{number}/comments", repo_route(owner, repo));
        self.create_once(
            owner,
            repo,
            "POST",
            &route,
            &payload,
            |v| {
                v["id"]
                    .as_u64()
                    .ok_or_else(|| GithubError::Unavailable("comment without an id".into()))
            },
            || self.find_comment(owner, repo, number, marker),
        )
        .await
    }

    /// POST (or PUT) `payload` to `route`, once: before trying again after a failure (a timeout
    /// or a 5xx can come after GitHub made the thing), `find` looks for what the first attempt
    /// made.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn create_once<T, F, Fut>(
        &self,
        owner: &str,
        repo: &str,
        method: &str,
        route: &str,
        payload: &Value,
        made: impl Fn(&Value) -> Result<T, GithubError>,
        find: F,
    ) -> Result<T, GithubError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, GithubError>>,
    {
        let client = self.client_for(owner, repo).await?;
        let tried = std::sync::atomic::AtomicBool::new(false);
        self.retry
            .run_as(
                &route_label(method, route),
                || async {
                    if tried.swap(true, std::sync::atomic::Ordering::Relaxed)
                        && let Some(found) = find().await?
                    {
                        return Ok(found);
                    }
                    let v: Value = match method {
                        "PUT" => client.put(route, Some(payload)).await,
                        _ => client.post(route, Some(payload)).await,
                    }
                    .map_err(convert)?;
                    made(&v)
                },
                classify,
            )
            .await
    }

    /// The first comment on issue or PR `number` whose body starts with `marker`.
    async fn find_comment(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        marker: &str,
    ) -> Result<Option<u64>, GithubError> {
        const PER_PAGE: usize = 100;
        const MAX_PAGES: usize = 30;
        for page in 1..=MAX_PAGES {
            let route = format!(
                "{}/issues/{number}/comments?per_page={PER_PAGE}&page={page}",
                repo_route(owner, repo)
            );
            let v = self.get_json(owner, repo, &route).await?;
            let comments = v.as_array().map(Vec::as_slice).unwrap_or_default();
            if let Some(id) = comments
                .iter()
                .find(|c| c["body"].as_str().is_some_and(|b| b.starts_with(marker)))
                .and_then(|c| c["id"].as_u64())
            {
                return Ok(Some(id));
            }
            if comments.len() < PER_PAGE {
                break;
            }
        }
        Ok(None)
    }
}

/// `/repos/{owner}/{repo}`, each part one encoded segment.
/// `PUT /repos/{owner}/{repo}/pulls/{n}/merge` for `PUT /repos/acme/gitops/pulls/7/merge`: a
/// call's name in metrics, without the names and numbers that would make every call its own.
fn route_label(method: &str, route: &str) -> String {
    let path = route.split('?').next().unwrap_or(route);
    let mut out = String::from(method) + " ";
    for (i, seg) in path.trim_start_matches('/').split('/').enumerate() {
        out.push('/');
        match (i, seg) {
            (1, _) if path.starts_with("/repos/") => out.push_str("{owner}"),
            (2, _) if path.starts_with("/repos/") => out.push_str("{repo}"),
            (_, s) if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() => out.push_str("{n}"),
            (_, s) => out.push_str(s),
        }
        if ["contents", "heads", "commits"].contains(&seg) {
            out.push_str("/{…}");
            break;
        }
    }
    out
}

pub(crate) fn repo_route(owner: &str, repo: &str) -> String {
    format!("/repos/{}/{}", segment(owner), segment(repo))
}

fn sha_at(v: &Value, pointer: &str) -> Result<String, GithubError> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| GithubError::Unavailable(format!("no `{pointer}` in GitHub's answer")))
}
