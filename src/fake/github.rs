//! An in-process fake of the parts of GitHub's REST API banto calls, in GitHub's wire format:
//! token and App (JWT → installation token) auth, pull request files with Link pagination,
//! and injectable failures.

use super::github_git as git;
use super::github_issues::{create_comment, edit_comment, insert_comment, list_comments};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Default)]
pub struct GithubState {
    /// Personal or installation tokens the fake accepts on repository routes.
    pub tokens: Vec<String>,
    pub installation_id: u64,
    /// `owner/repo` → pull request number → changed files (`(filename, status)`).
    pub pulls: BTreeMap<String, BTreeMap<u64, Vec<(String, String)>>>,
    /// Route (e.g. `pulls.files`) → statuses to answer with, one per call.
    pub faults: HashMap<String, VecDeque<u16>>,
    /// Route → statuses to answer with *after* the call took effect (the answer was lost).
    pub lost_answers: HashMap<String, VecDeque<u16>>,
    pub calls: Vec<String>,
    /// Every request's path and query exactly as sent (still percent-encoded).
    pub requests: Vec<String>,
    pub minted: usize,
    /// `(owner/repo, number)` → the PR's head SHA now.
    pub heads: BTreeMap<(String, u64), String>,
    /// `(owner/repo, branch or tag)` → commit SHA.
    pub refs: BTreeMap<(String, String), String>,
    /// Pull requests closed (or merged).
    pub closed: std::collections::BTreeSet<(String, u64)>,
    /// Repositories with branches, commits and pull requests (the GitOps write path).
    pub git: BTreeMap<String, super::github_git::FakeRepo>,
    /// Issue and PR comments by id.
    pub comments: BTreeMap<u64, FakeComment>,
    /// Issues opened, in order.
    pub issues: Vec<super::github_issues::FakeIssue>,
    /// Repositories that answer 404 (deleted, renamed, or never shared with banto).
    pub missing_repos: std::collections::BTreeSet<String>,
    /// Repositories banto's credentials may read but not write.
    pub read_only_repos: std::collections::BTreeSet<String>,
    /// Repositories whose settings do not allow squash merging.
    pub no_squash_repos: std::collections::BTreeSet<String>,
    /// Shared with the other fakes: a crash point armed by the test refuses calls.
    pub crash: crate::fake::crash::CrashPoint,
}

#[derive(Clone, Debug)]
pub struct FakeComment {
    pub repo: String,
    pub number: u64,
    pub body: String,
    /// How many times it was edited after it was posted.
    pub edits: usize,
}

#[derive(Clone)]
pub struct FakeGithub {
    state: Arc<Mutex<GithubState>>,
    pub base_url: String,
}

impl FakeGithub {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let fake = Self {
            state: Arc::new(Mutex::new(GithubState {
                installation_id: 4242,
                ..Default::default()
            })),
            base_url,
        };
        let app = Router::new()
            .route(
                "/repos/{owner}/{repo}/pulls/{number}/files",
                get(pull_files),
            )
            .route(
                "/repos/{owner}/{repo}/pulls/{number}",
                get(pull).patch(git::update_pull),
            )
            .route(
                "/repos/{owner}/{repo}/pulls",
                get(git::list_pulls).post(git::create_pull),
            )
            .route(
                "/repos/{owner}/{repo}/pulls/{number}/merge",
                axum::routing::put(git::merge_pull),
            )
            .route(
                "/repos/{owner}/{repo}/contents/{*path}",
                get(git::get_contents).put(git::put_contents),
            )
            .route(
                "/repos/{owner}/{repo}/git/ref/heads/{*branch}",
                get(git::get_ref),
            )
            .route("/repos/{owner}/{repo}/git/refs", post(git::create_ref))
            .route(
                "/repos/{owner}/{repo}/git/refs/heads/{*branch}",
                axum::routing::patch(git::update_ref).delete(git::delete_ref),
            )
            .route("/repos/{owner}/{repo}/commits/{*git_ref}", get(commit))
            .route("/repos/{owner}/{repo}", get(repository))
            .route(
                "/repos/{owner}/{repo}/issues/{number}/comments",
                post(create_comment).get(list_comments),
            )
            .route(
                "/repos/{owner}/{repo}/issues/comments/{id}",
                axum::routing::patch(edit_comment),
            )
            .route(
                "/repos/{owner}/{repo}/issues",
                post(super::github_issues::create_issue).get(super::github_issues::list_issues),
            )
            .route("/repos/{owner}/{repo}/installation", get(repo_installation))
            .route("/app/installations/{id}/access_tokens", post(access_token))
            .layer(axum::middleware::from_fn_with_state(fake.clone(), record))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    pub fn requests(&self) -> Vec<String> {
        self.state().requests.clone()
    }

    pub fn state(&self) -> MutexGuard<'_, GithubState> {
        self.state.lock().expect("fake GitHub state")
    }

    pub fn add_pull(&self, repo: &str, number: u64, files: &[(&str, &str)]) {
        self.state()
            .pulls
            .entry(repo.to_owned())
            .or_default()
            .insert(
                number,
                files
                    .iter()
                    .map(|(f, s)| (f.to_string(), s.to_string()))
                    .collect(),
            );
    }

    /// The PR's head moves to `sha` (a push to its branch).
    pub fn set_head(&self, repo: &str, number: u64, sha: &str) {
        self.state()
            .heads
            .insert((repo.to_owned(), number), sha.to_owned());
    }

    pub fn set_ref(&self, repo: &str, git_ref: &str, sha: &str) {
        self.state()
            .refs
            .insert((repo.to_owned(), git_ref.to_owned()), sha.to_owned());
    }

    /// Comments on one PR, oldest first.
    pub fn comments_on(&self, repo: &str, number: u64) -> Vec<FakeComment> {
        self.state()
            .comments
            .values()
            .filter(|c| c.repo == repo && c.number == number)
            .cloned()
            .collect()
    }

    /// A comment as if banto had posted it (e.g. in a run that crashed before saving its id).
    pub fn add_comment(&self, repo: &str, number: u64, body: &str) -> u64 {
        insert_comment(
            &mut self.state(),
            FakeComment {
                repo: repo.to_owned(),
                number,
                body: body.to_owned(),
                edits: 0,
            },
        )
    }

    pub fn fail_next(&self, route: &str, status: u16, times: usize) {
        self.state()
            .faults
            .entry(route.to_owned())
            .or_default()
            .extend(std::iter::repeat_n(status, times));
    }

    /// The next `times` calls to `route` take effect, then answer `status` instead: what a
    /// timeout or a 5xx after the fact looks like to the caller.
    pub fn lose_answer_next(&self, route: &str, status: u16, times: usize) {
        self.state()
            .lost_answers
            .entry(route.to_owned())
            .or_default()
            .extend(std::iter::repeat_n(status, times));
    }

    pub fn calls(&self, route: &str) -> usize {
        self.state().calls.iter().filter(|c| *c == route).count()
    }
}

pub(super) fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({ "message": message, "documentation_url": "https://docs.github.com/rest" });
    (status, axum::Json(body)).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("token "))
        })
}

/// Record the call, then answer an injected failure if one is queued.
fn enter(st: &mut GithubState, route: &str) -> Option<Response> {
    if !st.crash.enter() {
        // 418: no handler treats it as anything but a failure, and nothing retries it.
        return Some(error(
            StatusCode::IM_A_TEAPOT,
            "banto crashed before this call",
        ));
    }
    st.calls.push(route.to_owned());
    if let Some(status) = st.lost_answers.get_mut(route).and_then(VecDeque::pop_front) {
        let _ = LOSE_ANSWER.try_with(|lose| lose.set(Some(status)));
    }
    let status = st.faults.get_mut(route).and_then(VecDeque::pop_front)?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = error(status, "injected failure");
    if status == StatusCode::TOO_MANY_REQUESTS {
        resp.headers_mut()
            .insert("retry-after", "1".parse().expect("digits"));
    }
    Some(resp)
}

async fn pull_files(
    State(fake): State<FakeGithub>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter(&mut st, "pulls.files") {
        return r;
    }
    if !bearer(&headers).is_some_and(|t| st.tokens.iter().any(|k| k == t)) {
        return error(StatusCode::UNAUTHORIZED, "Bad credentials");
    }
    let full = format!("{owner}/{repo}");
    let Some(files) = st.pulls.get(&full).and_then(|p| p.get(&number)) else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    let per_page: usize = q
        .get("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page: usize = q
        .get("page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let items: Vec<Value> = files
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|(name, status)| {
            json!({
                "sha": "bbcd538c8e72b8c175046e27cc8f907076331401", "filename": name, "status": status,
                "additions": 1, "deletions": 1, "changes": 2,
                "blob_url": format!("https://github.com/{full}/blob/HEAD/{name}"),
                "raw_url": format!("https://github.com/{full}/raw/HEAD/{name}"),
                "contents_url": format!("https://api.github.com/repos/{full}/contents/{name}?ref=HEAD"),
                "patch": "@@ -1 +1 @@",
            })
        })
        .collect();
    let mut resp = axum::Json(items).into_response();
    if page * per_page < files.len() {
        let next = format!(
            "<{}/repos/{full}/pulls/{number}/files?per_page={per_page}&page={}>; rel=\"next\"",
            fake.base_url,
            page + 1
        );
        resp.headers_mut()
            .insert("link", next.parse().expect("ascii"));
    }
    resp
}

/// Record the call, answer an injected failure, or refuse a request without a known token.
pub(super) fn enter_authed(
    st: &mut GithubState,
    route: &str,
    headers: &HeaderMap,
) -> Option<Response> {
    if let Some(r) = enter(st, route) {
        return Some(r);
    }
    if !bearer(headers).is_some_and(|t| st.tokens.iter().any(|k| k == t)) {
        return Some(error(StatusCode::UNAUTHORIZED, "Bad credentials"));
    }
    None
}

async fn pull(
    State(fake): State<FakeGithub>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "pulls.get", &headers) {
        return r;
    }
    let full = format!("{owner}/{repo}");
    if let Some(r) = st.git.get(&full)
        && let Some(p) = r.pulls.get(&number)
    {
        let head = r.branches.get(&p.head).cloned().unwrap_or_default();
        return axum::Json(git::pull_json(&fake.base_url, &full, number, p, &head)).into_response();
    }
    match st.heads.get(&(full.clone(), number)) {
        Some(sha) => axum::Json(json!({
            "url": format!("{}/repos/{full}/pulls/{number}", fake.base_url), "number": number,
            "state": if st.closed.contains(&(full.clone(), number)) { "closed" } else { "open" },
            "title": format!("PR {number}"),
            "html_url": format!("https://github.com/{full}/pull/{number}"),
            "head": { "sha": sha, "ref": format!("pr-{number}"), "label": format!("{owner}:pr-{number}") },
            "base": { "sha": "0000000000000000000000000000000000000000", "ref": "main" },
        }))
        .into_response(),
        None => error(StatusCode::NOT_FOUND, "Not Found"),
    }
}

async fn record(
    State(fake): State<FakeGithub>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let uri = req.uri();
    let raw = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    fake.state().requests.push(raw.to_owned());
    LOSE_ANSWER
        .scope(std::cell::Cell::new(None), async {
            let answer = next.run(req).await;
            match LOSE_ANSWER.with(std::cell::Cell::take) {
                Some(status) => error(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                    "injected failure after the call took effect",
                ),
                None => answer,
            }
        })
        .await
}

tokio::task_local! {
    /// Set by `enter` while a request is handled: its answer is replaced after it took effect.
    static LOSE_ANSWER: std::cell::Cell<Option<u16>>;
}

async fn repository(
    State(fake): State<FakeGithub>,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "repos.get", &headers) {
        return r;
    }
    let full = format!("{owner}/{repo}");
    if st.missing_repos.contains(&full) {
        return error(StatusCode::NOT_FOUND, "Not Found");
    }
    let push = !st.read_only_repos.contains(&full);
    axum::Json(
        json!({ "name": repo, "full_name": full, "private": true,
        "default_branch": "main", "allow_squash_merge": !st.no_squash_repos.contains(&full),
        "allow_merge_commit": true, "allow_rebase_merge": true, "delete_branch_on_merge": false,
        "permissions": { "admin": false, "maintain": false, "push": push, "triage": true, "pull": true } }),
    )
    .into_response()
}

async fn commit(
    State(fake): State<FakeGithub>,
    Path((owner, repo, git_ref)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "commits.get", &headers) {
        return r;
    }
    let full = format!("{owner}/{repo}");
    let sha = st
        .refs
        .get(&(full.clone(), git_ref.clone()))
        .cloned()
        .or_else(|| {
            (git_ref.len() == 40 && git_ref.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| git_ref.clone())
        })
        // The base its pull requests name, until a test moves it.
        .or_else(|| (git_ref == "main").then(|| "0".repeat(40)));
    match sha {
        Some(sha) => axum::Json(json!({
            "sha": sha, "url": format!("{}/repos/{full}/commits/{sha}", fake.base_url),
            "html_url": format!("https://github.com/{full}/commit/{sha}"),
            "commit": { "message": "fake commit" },
        }))
        .into_response(),
        None => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("No commit found for SHA: {git_ref}"),
        ),
    }
}

/// App routes take the App's JWT (three base64url parts), never an installation token.
fn is_jwt(headers: &HeaderMap) -> bool {
    bearer(headers).is_some_and(|t| t.split('.').count() == 3)
}

async fn repo_installation(
    State(fake): State<FakeGithub>,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter(&mut st, "repo.installation") {
        return r;
    }
    if !is_jwt(&headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "A JSON web token could not be decoded",
        );
    }
    let full = format!("{owner}/{repo}");
    if !(st.pulls.contains_key(&full) || st.git.contains_key(&full))
        || st.missing_repos.contains(&full)
    {
        return error(StatusCode::NOT_FOUND, "Not Found");
    }
    let contents = if st.read_only_repos.contains(&full) {
        "read"
    } else {
        "write"
    };
    let id = st.installation_id;
    axum::Json(json!({
        "id": id, "app_id": 1, "app_slug": "banto", "target_id": 1, "target_type": "Organization",
        "account": account(&owner),
        "html_url": format!("https://github.com/organizations/{owner}/settings/installations/{id}"),
        "access_tokens_url": format!("{}/app/installations/{id}/access_tokens", fake.base_url),
        "repositories_url": format!("{}/installation/repositories", fake.base_url),
        "permissions": { "pull_requests": "write", "contents": contents, "issues": "write", "metadata": "read" }, "events": [],
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        "single_file_name": null, "repository_selection": "all",
    }))
    .into_response()
}

async fn access_token(
    State(fake): State<FakeGithub>,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter(&mut st, "installation.token") {
        return r;
    }
    if !is_jwt(&headers) || id != st.installation_id {
        return error(
            StatusCode::UNAUTHORIZED,
            "A JSON web token could not be decoded",
        );
    }
    st.minted += 1;
    let token = format!("ghs_fake{:08}", st.minted);
    st.tokens.push(token.clone());
    let expires = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    (StatusCode::CREATED, axum::Json(json!({ "token": token, "expires_at": expires, "permissions": {}, "repository_selection": "all" }))).into_response()
}

/// A user/organization object as GitHub embeds it.
pub(super) fn account(login: &str) -> Value {
    let api = format!("https://api.github.com/users/{login}");
    json!({
        "login": login, "id": 1, "node_id": "MDEyOk9yZ2FuaXphdGlvbjE=", "type": "Organization", "site_admin": false,
        "avatar_url": "https://avatars.githubusercontent.com/u/1?v=4", "gravatar_id": "",
        "url": api, "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{api}/followers"), "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"), "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"), "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"), "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
    })
}
