//! An in-process fake of the parts of GitHub's REST API banto calls, in GitHub's wire format:
//! token and App (JWT → installation token) auth, pull request files with Link pagination,
//! and injectable failures.

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
    pub calls: Vec<String>,
    pub minted: usize,
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
            .route("/repos/{owner}/{repo}/installation", get(repo_installation))
            .route("/app/installations/{id}/access_tokens", post(access_token))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
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

    pub fn fail_next(&self, route: &str, status: u16, times: usize) {
        self.state()
            .faults
            .entry(route.to_owned())
            .or_default()
            .extend(std::iter::repeat_n(status, times));
    }

    pub fn calls(&self, route: &str) -> usize {
        self.state().calls.iter().filter(|c| *c == route).count()
    }
}

fn error(status: StatusCode, message: &str) -> Response {
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
    st.calls.push(route.to_owned());
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
    if !st.pulls.contains_key(&format!("{owner}/{repo}")) {
        return error(StatusCode::NOT_FOUND, "Not Found");
    }
    let id = st.installation_id;
    axum::Json(json!({
        "id": id, "app_id": 1, "app_slug": "banto", "target_id": 1, "target_type": "Organization",
        "account": account(&owner),
        "html_url": format!("https://github.com/organizations/{owner}/settings/installations/{id}"),
        "access_tokens_url": format!("{}/app/installations/{id}/access_tokens", fake.base_url),
        "repositories_url": format!("{}/installation/repositories", fake.base_url),
        "permissions": { "pull_requests": "read", "contents": "write" }, "events": [],
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
fn account(login: &str) -> Value {
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
