//! A fake OpenAI-compatible server (`POST /v1/chat/completions`, as vLLM or Ollama serve it):
//! it reads the target language and the team's terms from the system message, translates the
//! user message as every fake does, keeps `⟦n⟧` placeholders, and answers a `chat.completion`.
//! It can drop a placeholder (as small models do) or fail with an injected status.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct LlmState {
    key: Option<String>,
    /// Statuses answered before any real work, one per request.
    faults: VecDeque<u16>,
    drop_placeholder: usize,
    requests: Vec<Value>,
}

#[derive(Clone)]
pub struct FakeLlm {
    state: Arc<Mutex<LlmState>>,
    /// The API base banto is given (`…/v1`).
    pub base_url: String,
    pub latency: super::Latency,
}

impl FakeLlm {
    /// A server that wants `key` as a bearer token, or nothing.
    pub async fn start(key: Option<&str>) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let fake = Self {
            state: Arc::new(Mutex::new(LlmState {
                key: key.map(str::to_owned),
                ..Default::default()
            })),
            base_url: format!("http://{}/v1", listener.local_addr()?),
            latency: super::Latency::default(),
        };
        let app = Router::new()
            .route("/v1/chat/completions", post(complete))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    pub fn fail_next(&self, status: u16) {
        self.state
            .lock()
            .expect("fake LLM")
            .faults
            .push_back(status);
    }

    /// The next answer leaves out its first placeholder.
    pub fn drop_placeholder_next(&self) {
        self.state.lock().expect("fake LLM").drop_placeholder += 1;
    }

    pub fn requests(&self) -> Vec<Value> {
        self.state.lock().expect("fake LLM").requests.clone()
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "message": message, "type": "invalid_request_error" } })),
    )
        .into_response()
}

async fn complete(
    State(fake): State<FakeLlm>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    fake.latency.wait().await;
    let mut st = fake.state.lock().expect("fake LLM");
    st.requests.push(body.clone());
    if let Some(status) = st.faults.pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return refuse(status, "injected");
    }
    if let Some(key) = &st.key {
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given != Some(key.as_str()) {
            return refuse(StatusCode::UNAUTHORIZED, "Incorrect API key provided");
        }
    }
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let said = |role: &str| {
        messages
            .iter()
            .find(|m| m["role"] == role)
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (system, user) = (said("system"), said("user"));
    if body["model"].as_str().is_none_or(str::is_empty) || user.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "model and messages are required");
    }
    let to_japanese = system.contains("into Japanese");
    let pairs: Vec<(String, String)> = system
        .lines()
        .filter_map(|l| l.split_once(" → "))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    let mut content = super::translate(
        &user,
        to_japanese,
        &pairs,
        if to_japanese { "ja" } else { "en" },
    );
    if st.drop_placeholder > 0 {
        st.drop_placeholder -= 1;
        if let (Some(start), Some(end)) = (content.find('⟦'), content.find('⟧')) {
            content.replace_range(start..end + '⟧'.len_utf8(), "");
        }
    }
    axum::Json(json!({
        "id": format!("chatcmpl-fake{}", st.requests.len()),
        "object": "chat.completion",
        "created": 1_795_000_000,
        "model": body["model"],
        "choices": [{ "index": 0, "finish_reason": "stop", "logprobs": null,
            "message": { "role": "assistant", "content": content, "refusal": null } }],
        "usage": { "prompt_tokens": 40, "completion_tokens": 20, "total_tokens": 60 },
    }))
    .into_response()
}
