//! A fake DeepL (`POST /v2/translate`, `GET`/`POST /v2/glossaries`): it translates as every
//! fake does (see `super`), with the named glossary's entries, never touching the `<x …/>`
//! tags it is told to ignore. It checks the `DeepL-Auth-Key` header, answers DeepL's errors
//! (400 for no text, 403, 456 quota) and replays injected answers (429 with `Retry-After`,
//! 5xx, a raw body).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct DeeplState {
    key: String,
    /// `(status, body)` answered before any real work, one per request.
    next: VecDeque<(u16, String)>,
    /// Every translate request body received.
    requests: Vec<Value>,
    glossaries: Vec<Glossary>,
}

struct Glossary {
    id: String,
    name: String,
    source: String,
    target: String,
    entries: Vec<(String, String)>,
}

#[derive(Clone)]
pub struct FakeDeepl {
    state: Arc<Mutex<DeeplState>>,
    pub base_url: String,
    pub latency: super::Latency,
}

impl FakeDeepl {
    pub async fn start(key: &str) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let fake = Self {
            state: Arc::new(Mutex::new(DeeplState {
                key: key.to_owned(),
                ..Default::default()
            })),
            base_url: format!("http://{}", listener.local_addr()?),
            latency: super::Latency::default(),
        };
        let app = Router::new()
            .route("/v2/translate", post(translate))
            .route("/v2/glossaries", get(glossaries).post(make_glossary))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    /// The next request is answered with `status` and `body` as they are.
    pub fn answer_next(&self, status: u16, body: &str) {
        self.state
            .lock()
            .expect("fake DeepL")
            .next
            .push_back((status, body.to_owned()));
    }

    pub fn requests(&self) -> Vec<Value> {
        self.state.lock().expect("fake DeepL").requests.clone()
    }

    /// `(name, entries)` of each glossary banto made.
    pub fn glossaries(&self) -> Vec<(String, Vec<(String, String)>)> {
        let st = self.state.lock().expect("fake DeepL");
        st.glossaries
            .iter()
            .map(|g| (g.name.clone(), g.entries.clone()))
            .collect()
    }
}

fn authorized(st: &DeeplState, headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("DeepL-Auth-Key "))
        == Some(st.key.as_str())
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        axum::Json(json!({ "message": "Wrong endpoint. Use https://api.deepl.com" })),
    )
        .into_response()
}

fn glossary_json(g: &Glossary) -> Value {
    json!({ "glossary_id": g.id, "name": g.name, "ready": true, "source_lang": g.source,
        "target_lang": g.target, "creation_time": "2026-11-28T09:00:00.000000Z",
        "entry_count": g.entries.len() })
}

async fn glossaries(State(fake): State<FakeDeepl>, headers: HeaderMap) -> Response {
    let st = fake.state.lock().expect("fake DeepL");
    if !authorized(&st, &headers) {
        return forbidden();
    }
    let all: Vec<Value> = st.glossaries.iter().map(glossary_json).collect();
    axum::Json(json!({ "glossaries": all })).into_response()
}

async fn make_glossary(
    State(fake): State<FakeDeepl>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut st = fake.state.lock().expect("fake DeepL");
    if !authorized(&st, &headers) {
        return forbidden();
    }
    if body["entries_format"] != "tsv" {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "message": "Unsupported entries format" })),
        )
            .into_response();
    }
    let entries = body["entries"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    let g = Glossary {
        id: format!("def3a26b-{:04x}", st.glossaries.len()),
        name: text("name"),
        source: text("source_lang"),
        target: text("target_lang"),
        entries,
    };
    let answer = glossary_json(&g);
    st.glossaries.push(g);
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}

async fn translate(
    State(fake): State<FakeDeepl>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    fake.latency.wait().await;
    let mut st = fake.state.lock().expect("fake DeepL");
    st.requests.push(body.clone());
    if let Some((status, raw)) = st.next.pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, [("retry-after", "0")], raw).into_response();
    }
    if !authorized(&st, &headers) {
        return forbidden();
    }
    let Some(texts) = body["text"].as_array().filter(|t| !t.is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "message": "Parameter 'text' not specified." })),
        )
            .into_response();
    };
    if body.get("glossary_id").is_some() && body.get("source_lang").is_none() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "message": "Use of a glossary requires the source_lang parameter to be set." })),
        )
            .into_response();
    }
    let target = body["target_lang"].as_str().unwrap_or("EN-US");
    let source = if target == "JA" { "EN" } else { "JA" };
    let pairs = body["glossary_id"]
        .as_str()
        .and_then(|id| st.glossaries.iter().find(|g| g.id == id))
        .map(|g| g.entries.clone())
        .unwrap_or_default();
    let translations: Vec<Value> = texts
        .iter()
        .map(|t| {
            let text = t.as_str().unwrap_or_default();
            json!({ "detected_source_language": source,
                "text": super::translate(text, target == "JA", &pairs, target) })
        })
        .collect();
    axum::Json(json!({ "translations": translations })).into_response()
}
