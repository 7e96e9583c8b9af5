//! Fake GitHub issues: `POST /repos/{owner}/{repo}/issues` answered in the shape of GitHub's
//! 201 (the octokit fixture in the shared corpus), title required, labels kept; comments on
//! issues and pull requests, listed a page at a time and edited in place.

use super::github::{FakeComment, FakeGithub, GithubState, account, enter_authed, error};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct FakeIssue {
    pub repo: String,
    pub number: u64,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
}

pub(super) async fn create_issue(
    State(fake): State<FakeGithub>,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "issues.create", &headers) {
        return r;
    }
    let Some(title) = body["title"].as_str().filter(|t| !t.is_empty()) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid request: title is required",
        );
    };
    let full = format!("{owner}/{repo}");
    let number = 1 + st.issues.iter().filter(|i| i.repo == full).count() as u64 + 1000;
    let labels: Vec<String> = body["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l.as_str().map(str::to_owned))
        .collect();
    let issue = FakeIssue {
        repo: full.clone(),
        number,
        title: title.to_owned(),
        body: body["body"].as_str().unwrap_or_default().to_owned(),
        labels: labels.clone(),
    };
    st.issues.push(issue);
    let api = format!("{}/repos/{full}/issues/{number}", fake.base_url);
    let json = json!({
        "url": api, "repository_url": format!("{}/repos/{full}", fake.base_url),
        "html_url": format!("https://github.com/{full}/issues/{number}"),
        "id": 1_000_000 + number, "node_id": "MDU6SXNzdWUx", "number": number,
        "title": title, "state": "open", "locked": false, "comments": 0,
        "labels": labels.iter().map(|l| json!({ "name": l, "color": "ededed", "default": false })).collect::<Vec<_>>(),
        "user": { "login": "banto[bot]", "id": 1, "type": "Bot" },
        "assignees": [], "body": body["body"], "created_at": "2026-11-28T00:00:00Z",
        "updated_at": "2026-11-28T00:00:00Z", "closed_at": null, "author_association": "NONE",
    });
    (StatusCode::CREATED, axum::Json(json)).into_response()
}

/// `GET /repos/{owner}/{repo}/issues?labels=a,b&state=all`: issues with every label asked for.
pub(super) async fn list_issues(
    State(fake): State<FakeGithub>,
    Path((owner, repo)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "issues.list", &headers) {
        return r;
    }
    let full = format!("{owner}/{repo}");
    let wanted: Vec<&str> = q
        .get("labels")
        .map(|l| l.split(',').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let list: Vec<Value> = st
        .issues
        .iter()
        .filter(|i| i.repo == full && wanted.iter().all(|w| i.labels.iter().any(|l| l == w)))
        .map(|i| {
            json!({ "number": i.number, "title": i.title, "body": i.body, "state": "open",
                "html_url": format!("https://github.com/{full}/issues/{}", i.number),
                "labels": i.labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>() })
        })
        .collect();
    axum::Json(Value::Array(list)).into_response()
}

fn comment_json(base: &str, id: u64, c: &FakeComment) -> Value {
    json!({
        "id": id, "node_id": format!("IC_{id}"), "body": c.body,
        "url": format!("{base}/repos/{}/issues/comments/{id}", c.repo),
        "html_url": format!("https://github.com/{}/pull/{}#issuecomment-{id}", c.repo, c.number),
        "user": account("banto[bot]"),
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    })
}

pub(super) async fn list_comments(
    State(fake): State<FakeGithub>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "issues.comments.list", &headers) {
        return r;
    }
    let full = format!("{owner}/{repo}");
    let per_page: usize = q
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30)
        .min(100);
    let page: usize = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let list: Vec<Value> = st
        .comments
        .iter()
        .filter(|(_, c)| c.repo == full && c.number == number)
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|(id, c)| comment_json(&fake.base_url, *id, c))
        .collect();
    axum::Json(Value::Array(list)).into_response()
}

pub(super) async fn create_comment(
    State(fake): State<FakeGithub>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "issues.comments.create", &headers) {
        return r;
    }
    let Some(text) = body["body"].as_str() else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid request: body is required",
        );
    };
    let c = FakeComment {
        repo: format!("{owner}/{repo}"),
        number,
        body: text.to_owned(),
        edits: 0,
    };
    let json = comment_json(&fake.base_url, insert_comment(&mut st, c.clone()), &c);
    (StatusCode::CREATED, axum::Json(json)).into_response()
}

pub(super) fn insert_comment(st: &mut GithubState, c: FakeComment) -> u64 {
    let id = 1_000_000 + st.comments.len() as u64 + 1;
    st.comments.insert(id, c);
    id
}

pub(super) async fn edit_comment(
    State(fake): State<FakeGithub>,
    Path((owner, repo, id)): Path<(String, String, u64)>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut st = fake.state();
    if let Some(r) = enter_authed(&mut st, "issues.comments.update", &headers) {
        return r;
    }
    let full = format!("{owner}/{repo}");
    let (Some(text), Some(c)) = (body["body"].as_str(), st.comments.get_mut(&id)) else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    if c.repo != full {
        return error(StatusCode::NOT_FOUND, "Not Found");
    }
    c.body = text.to_owned();
    c.edits += 1;
    let c = c.clone();
    axum::Json(comment_json(&fake.base_url, id, &c)).into_response()
}
