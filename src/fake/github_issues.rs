//! Fake GitHub issues: `POST /repos/{owner}/{repo}/issues` answered in the shape of GitHub's
//! 201 (the octokit fixture in the shared corpus), title required, labels kept.

use super::github::{FakeGithub, enter_authed, error};
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
