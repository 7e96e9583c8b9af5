//! A fake DeepL (`POST /v2/translate`), deterministic so tests and the console need no key:
//! it "translates" by a small phrase table and otherwise marks the text with its target
//! (`[JA] …`), never touching the `<x …/>` tags it is told to ignore. It checks the
//! `DeepL-Auth-Key` header, answers DeepL's errors (400 for no text, 403, 456 quota) and
//! replays injected answers (429 with `Retry-After`, 5xx, a raw body).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct DeeplState {
    key: String,
    /// `(status, body)` answered before any real work, one per request.
    next: VecDeque<(u16, String)>,
    /// Every request body received.
    requests: Vec<Value>,
}

#[derive(Clone)]
pub struct FakeDeepl {
    state: Arc<Mutex<DeeplState>>,
    pub base_url: String,
}

/// Words an ops channel says, both ways; anything else is marked with its target language.
const PHRASES: &[(&str, &str)] = &[
    ("rollback", "ロールバック"),
    ("deploy", "デプロイ"),
    ("started", "開始しました"),
    ("finished", "完了しました"),
    ("the runbook", "手順書"),
];

fn fake_translation(text: &str, target: &str) -> String {
    let mut out = text.to_owned();
    for (en, ja) in PHRASES {
        out = if target == "JA" {
            out.replace(en, ja)
        } else {
            out.replace(ja, en)
        };
    }
    if out == text {
        format!("[{target}] {text}")
    } else {
        out
    }
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
        };
        let app = Router::new()
            .route("/v2/translate", post(translate))
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
}

async fn translate(
    State(fake): State<FakeDeepl>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut st = fake.state.lock().expect("fake DeepL");
    st.requests.push(body.clone());
    if let Some((status, raw)) = st.next.pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, [("retry-after", "0")], raw).into_response();
    }
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("DeepL-Auth-Key "));
    if key != Some(st.key.as_str()) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(json!({ "message": "Wrong endpoint. Use https://api.deepl.com" })),
        )
            .into_response();
    }
    let Some(texts) = body["text"].as_array().filter(|t| !t.is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "message": "Parameter 'text' not specified." })),
        )
            .into_response();
    };
    let target = body["target_lang"].as_str().unwrap_or("EN-US");
    let source = if target == "JA" { "EN" } else { "JA" };
    let translations: Vec<Value> = texts
        .iter()
        .map(|t| {
            json!({ "detected_source_language": source,
                "text": fake_translation(t.as_str().unwrap_or_default(), target) })
        })
        .collect();
    axum::Json(json!({ "translations": translations })).into_response()
}
