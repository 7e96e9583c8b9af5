//! The fake GitHub's repositories for the GitOps write path: branches, commits, file contents
//! with blob SHAs, pull requests and merges, answering like GitHub does when a write is stale
//! (409 on a blob SHA mismatch, 422 on a non-fast-forward ref update or an existing PR, 409 when
//! a PR's head moved before the merge).

use super::github::{FakeGithub, enter_authed, error};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, Default)]
pub struct FakeCommit {
    pub parent: Option<String>,
    pub files: BTreeMap<String, String>,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct FakePull {
    pub head: String,
    pub base: String,
    pub title: String,
    pub body: String,
    pub open: bool,
    pub merged: bool,
}

#[derive(Clone, Debug, Default)]
pub struct FakeRepo {
    pub branches: BTreeMap<String, String>,
    pub commits: BTreeMap<String, FakeCommit>,
    pub pulls: BTreeMap<u64, FakePull>,
}

/// Git's blob id for `content` (`sha1("blob <len>\0<content>")`), here a SHA-256 cut to 40 hex
/// digits: the same role, an opaque content hash.
pub fn blob_sha(content: &str) -> String {
    let mut h = <sha2::Sha256 as sha2::Digest>::new();
    sha2::Digest::update(&mut h, format!("blob {}\0", content.len()).as_bytes());
    sha2::Digest::update(&mut h, content.as_bytes());
    hex::encode(sha2::Digest::finalize(h))[..40].to_owned()
}

impl FakeRepo {
    fn commit(
        &mut self,
        parent: Option<String>,
        files: BTreeMap<String, String>,
        message: &str,
    ) -> String {
        let id = blob_sha(&format!(
            "{parent:?}{files:?}{message}{}",
            self.commits.len()
        ));
        self.commits.insert(
            id.clone(),
            FakeCommit {
                parent,
                files,
                message: message.to_owned(),
            },
        );
        id
    }

    /// A file at `git_ref`: a branch name or a commit SHA, as GitHub's `?ref=` takes either.
    pub fn file(&self, git_ref: &str, path: &str) -> Option<&str> {
        let commit = self.branches.get(git_ref).map_or(git_ref, String::as_str);
        self.commits
            .get(commit)?
            .files
            .get(path)
            .map(String::as_str)
    }

    fn is_ancestor(&self, ancestor: &str, of: &str) -> bool {
        let mut at = Some(of.to_owned());
        while let Some(c) = at {
            if c == ancestor {
                return true;
            }
            at = self.commits.get(&c).and_then(|c| c.parent.clone());
        }
        false
    }
}

impl FakeGithub {
    /// Create `repo` with `files` on its `main` branch (or add a commit with them).
    pub fn seed_repo(&self, repo: &str, files: &[(&str, &str)]) {
        let mut st = self.state();
        let r = st.git.entry(repo.to_owned()).or_default();
        let parent = r.branches.get("main").cloned();
        let mut all = parent
            .as_ref()
            .and_then(|p| r.commits.get(p))
            .map(|c| c.files.clone())
            .unwrap_or_default();
        for (path, content) in files {
            all.insert(path.to_string(), content.to_string());
        }
        let id = r.commit(parent, all, "seed");
        r.branches.insert("main".into(), id);
    }

    /// The commit a branch points at.
    pub fn head(&self, repo: &str, branch: &str) -> Option<String> {
        self.state().git.get(repo)?.branches.get(branch).cloned()
    }

    /// The message of the commit a branch points at.
    pub fn head_message(&self, repo: &str, branch: &str) -> Option<String> {
        let st = self.state();
        let r = st.git.get(repo)?;
        Some(r.commits.get(r.branches.get(branch)?)?.message.clone())
    }

    /// Pull requests of a repository, by number.
    pub fn pulls(&self, repo: &str) -> Vec<(u64, FakePull)> {
        self.state()
            .git
            .get(repo)
            .map(|r| r.pulls.iter().map(|(n, p)| (*n, p.clone())).collect())
            .unwrap_or_default()
    }

    /// A file on a branch now.
    pub fn file(&self, repo: &str, branch: &str, path: &str) -> Option<String> {
        self.state()
            .git
            .get(repo)?
            .file(branch, path)
            .map(str::to_owned)
    }
}

fn repo_of<'a>(
    st: &'a mut super::github::GithubState,
    owner: &str,
    repo: &str,
) -> Option<&'a mut FakeRepo> {
    st.git.get_mut(&format!("{owner}/{repo}"))
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found")
}

pub async fn get_contents(
    State(fake): State<FakeGithub>,
    Path((owner, repo, path)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "contents.get", &headers) {
        return r;
    }
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    let branch = q.get("ref").map_or("main", String::as_str);
    match r.file(branch, &path) {
        Some(content) => Json(json!({
            "type": "file", "encoding": "base64", "path": path, "name": path.rsplit('/').next(),
            "size": content.len(), "sha": blob_sha(content),
            "content": base64::engine::general_purpose::STANDARD.encode(content),
        }))
        .into_response(),
        None => not_found(),
    }
}

pub async fn put_contents(
    State(fake): State<FakeGithub>,
    Path((owner, repo, path)): Path<(String, String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "contents.put", &headers) {
        return r;
    }
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    let branch = body["branch"].as_str().unwrap_or("main").to_owned();
    let Some(head) = r.branches.get(&branch).cloned() else {
        return error(StatusCode::NOT_FOUND, &format!("Branch {branch} not found"));
    };
    let Some(content) = body["content"]
        .as_str()
        .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
        .and_then(|c| String::from_utf8(c).ok())
    else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "content is not valid Base64",
        );
    };
    let current = r.file(&branch, &path).map(blob_sha);
    match (current.as_deref(), body["sha"].as_str()) {
        (Some(_), None) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid request.\n\n\"sha\" wasn't supplied.",
            );
        }
        (Some(cur), Some(given)) if cur != given => {
            return error(
                StatusCode::CONFLICT,
                &format!("{path} does not match {given}"),
            );
        }
        _ => {}
    }
    let mut files = r.commits[&head].files.clone();
    files.insert(path.clone(), content.clone());
    let id = r.commit(Some(head), files, body["message"].as_str().unwrap_or(""));
    r.branches.insert(branch, id.clone());
    Json(json!({
        "content": { "path": path, "sha": blob_sha(&content) },
        "commit": { "sha": id, "message": body["message"] },
    }))
    .into_response()
}

pub async fn get_ref(
    State(fake): State<FakeGithub>,
    Path((owner, repo, branch)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "git.ref.get", &headers) {
        return r;
    }
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    match r.branches.get(&branch) {
        Some(sha) => Json(json!({ "ref": format!("refs/heads/{branch}"), "object": { "sha": sha, "type": "commit" } }))
            .into_response(),
        None => not_found(),
    }
}

pub async fn create_ref(
    State(fake): State<FakeGithub>,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "git.refs.create", &headers) {
        return r;
    }
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    let (Some(name), Some(sha)) = (
        body["ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("refs/heads/")),
        body["sha"].as_str(),
    ) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request.");
    };
    if r.branches.contains_key(name) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Reference already exists");
    }
    if !r.commits.contains_key(sha) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Object does not exist");
    }
    r.branches.insert(name.to_owned(), sha.to_owned());
    (
        StatusCode::CREATED,
        Json(json!({ "ref": format!("refs/heads/{name}"), "object": { "sha": sha, "type": "commit" } })),
    )
        .into_response()
}

pub async fn update_ref(
    State(fake): State<FakeGithub>,
    Path((owner, repo, branch)): Path<(String, String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "git.refs.update", &headers) {
        return r;
    }
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    let Some(sha) = body["sha"].as_str() else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request.");
    };
    let Some(current) = r.branches.get(&branch).cloned() else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Reference does not exist");
    };
    if body["force"] != true && !r.is_ancestor(&current, sha) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Update is not a fast forward",
        );
    }
    r.branches.insert(branch.clone(), sha.to_owned());
    Json(json!({ "ref": format!("refs/heads/{branch}"), "object": { "sha": sha, "type": "commit" } })).into_response()
}

pub async fn delete_ref(
    State(fake): State<FakeGithub>,
    Path((owner, repo, branch)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "git.refs.delete", &headers) {
        return r;
    }
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    match r.branches.remove(&branch) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => error(StatusCode::UNPROCESSABLE_ENTITY, "Reference does not exist"),
    }
}

pub(super) fn pull_json(
    base_url: &str,
    full: &str,
    number: u64,
    p: &FakePull,
    head_sha: &str,
) -> Value {
    json!({
        "url": format!("{base_url}/repos/{full}/pulls/{number}"), "number": number,
        "state": if p.open { "open" } else { "closed" }, "merged": p.merged,
        "title": p.title, "body": p.body,
        "html_url": format!("https://github.com/{full}/pull/{number}"),
        "head": { "ref": p.head, "sha": head_sha }, "base": { "ref": p.base },
    })
}

pub async fn create_pull(
    State(fake): State<FakeGithub>,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let base_url = fake.base_url.clone();
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "pulls.create", &headers) {
        return r;
    }
    let next = 100 + st.git.values().map(|r| r.pulls.len() as u64).sum::<u64>() + 1;
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    let head = body["head"].as_str().unwrap_or("").to_owned();
    let head = head
        .split_once(':')
        .map_or(head.clone(), |(_, b)| b.to_owned());
    let Some(head_sha) = r.branches.get(&head).cloned() else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation Failed: head invalid",
        );
    };
    if r.pulls.values().any(|p| p.open && p.head == head) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("A pull request already exists for {owner}:{head}."),
        );
    }
    let p = FakePull {
        head,
        base: body["base"].as_str().unwrap_or("main").to_owned(),
        title: body["title"].as_str().unwrap_or("").to_owned(),
        body: body["body"].as_str().unwrap_or("").to_owned(),
        open: true,
        merged: false,
    };
    let json = pull_json(&base_url, &format!("{owner}/{repo}"), next, &p, &head_sha);
    r.pulls.insert(next, p);
    (StatusCode::CREATED, Json(json)).into_response()
}

pub async fn list_pulls(
    State(fake): State<FakeGithub>,
    Path((owner, repo)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let base_url = fake.base_url.clone();
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "pulls.list", &headers) {
        return r;
    }
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    let head = q
        .get("head")
        .map(|h| h.split_once(':').map_or(h.as_str(), |(_, b)| b).to_owned());
    let open_only = q.get("state").is_none_or(|s| s == "open");
    let full = format!("{owner}/{repo}");
    let list: Vec<Value> = r
        .pulls
        .iter()
        .filter(|(_, p)| (!open_only || p.open) && head.as_ref().is_none_or(|h| *h == p.head))
        .map(|(n, p)| {
            pull_json(
                &base_url,
                &full,
                *n,
                p,
                r.branches.get(&p.head).map_or("", String::as_str),
            )
        })
        .collect();
    Json(list).into_response()
}

pub async fn update_pull(
    State(fake): State<FakeGithub>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let base_url = fake.base_url.clone();
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "pulls.update", &headers) {
        return r;
    }
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    let Some(p) = r.pulls.get_mut(&number) else {
        return not_found();
    };
    if let Some(t) = body["title"].as_str() {
        p.title = t.to_owned();
    }
    if let Some(b) = body["body"].as_str() {
        p.body = b.to_owned();
    }
    if body["state"] == "closed" {
        p.open = false;
    }
    let p = p.clone();
    let head_sha = r.branches.get(&p.head).cloned().unwrap_or_default();
    Json(pull_json(
        &base_url,
        &format!("{owner}/{repo}"),
        number,
        &p,
        &head_sha,
    ))
    .into_response()
}

/// Merge: the head's changes since it left the base go onto the base's current files; a file
/// changed on both sides is a conflict (405), a head that moved since `sha` is a 409.
pub async fn merge_pull(
    State(fake): State<FakeGithub>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "pulls.merge", &headers) {
        return r;
    }
    let Some(r) = repo_of(&mut st, &owner, &repo) else {
        return not_found();
    };
    let Some(p) = r.pulls.get(&number).cloned() else {
        return not_found();
    };
    if !p.open {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Pull Request is not mergeable",
        );
    }
    let head_sha = r.branches[&p.head].clone();
    if body["sha"].as_str().is_some_and(|s| s != head_sha) {
        return error(
            StatusCode::CONFLICT,
            "Head branch was modified. Review and try the merge again.",
        );
    }
    let base_sha = r.branches[&p.base].clone();
    // The merge base: the newest commit of the head's history that is in the base's history.
    let mut fork = Some(head_sha.clone());
    while let Some(c) = fork.clone() {
        if r.is_ancestor(&c, &base_sha) {
            break;
        }
        fork = r.commits[&c].parent.clone();
    }
    let fork_files = fork
        .map(|f| r.commits[&f].files.clone())
        .unwrap_or_default();
    let head_files = r.commits[&head_sha].files.clone();
    let mut files = r.commits[&base_sha].files.clone();
    for (path, content) in &head_files {
        if fork_files.get(path) == Some(content) {
            continue;
        }
        if files.get(path) != fork_files.get(path) {
            return error(
                StatusCode::METHOD_NOT_ALLOWED,
                "Pull Request is not mergeable",
            );
        }
        files.insert(path.clone(), content.clone());
    }
    // A squash merge's commit: GitHub's default title unless the caller gives one.
    let title = body["commit_title"]
        .as_str()
        .map_or_else(|| format!("{} (#{number})", p.title), str::to_owned);
    let message = match body["commit_message"].as_str() {
        Some(m) => format!("{title}\n\n{m}"),
        None => title,
    };
    let id = r.commit(Some(base_sha), files, &message);
    r.branches.insert(p.base.clone(), id.clone());
    let p = r.pulls.get_mut(&number).expect("exists");
    p.open = false;
    p.merged = true;
    Json(json!({ "sha": id, "merged": true, "message": "Pull Request successfully merged" }))
        .into_response()
}
