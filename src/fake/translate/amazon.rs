//! A fake Amazon Translate speaking what aws-sdk-translate sends: Smithy RPC v2 CBOR at
//! `POST /service/AWSShineFrontendService_20170701/operation/{TranslateText,ImportTerminology}`
//! with `smithy-protocol: rpc-v2-cbor` and a SigV4 `Authorization`. It keeps `translate="no"`
//! spans, applies an imported terminology when a request names it, refuses text over 10,000
//! bytes (`TextSizeLimitExceededException`), and replays injected errors
//! (`ThrottlingException`, `ServiceUnavailableException`, …).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use ciborium::Value as Cbor;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

const SERVICE: &str = "AWSShineFrontendService_20170701";
const MAX_TEXT_BYTES: usize = 10_000;

#[derive(Default)]
struct AmazonState {
    /// `(status, body)` answered before any real work, one per request.
    next: VecDeque<(u16, Value)>,
    /// `(operation, request as JSON)` of every call.
    calls: Vec<(String, Value)>,
    /// Terminology name → `(en, ja)` pairs.
    terminologies: BTreeMap<String, Vec<(String, String)>>,
}

#[derive(Clone)]
pub struct FakeAmazonTranslate {
    state: Arc<Mutex<AmazonState>>,
    pub base_url: String,
    pub latency: super::Latency,
}

/// CBOR as JSON (byte strings as UTF-8 text), to read requests simply.
fn to_json(v: &Cbor) -> Value {
    match v {
        Cbor::Text(s) => json!(s),
        Cbor::Bytes(b) => json!(String::from_utf8_lossy(b)),
        Cbor::Integer(i) => json!(i128::from(*i) as i64),
        Cbor::Bool(b) => json!(b),
        Cbor::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Cbor::Map(m) => Value::Object(
            m.iter()
                .filter_map(|(k, v)| k.as_text().map(|k| (k.to_owned(), to_json(v))))
                .collect(),
        ),
        Cbor::Tag(_, inner) => to_json(inner),
        _ => Value::Null,
    }
}

fn from_json(v: &Value) -> Cbor {
    match v {
        Value::String(s) => Cbor::Text(s.clone()),
        Value::Bool(b) => Cbor::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(|i| Cbor::Integer(i.into()))
            .unwrap_or(Cbor::Float(n.as_f64().unwrap_or_default())),
        Value::Array(a) => Cbor::Array(a.iter().map(from_json).collect()),
        Value::Object(o) => Cbor::Map(
            o.iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), from_json(v)))
                .collect(),
        ),
        Value::Null => Cbor::Null,
    }
}

/// A response body as the service sends it: CBOR with the protocol header.
fn cbor(status: StatusCode, body: &Value) -> Response {
    let mut bytes = Vec::new();
    ciborium::into_writer(&from_json(body), &mut bytes).expect("CBOR encodes");
    (
        status,
        [
            ("smithy-protocol", "rpc-v2-cbor"),
            ("content-type", "application/cbor"),
            ("x-amzn-requestid", "6a1e2c8e-0f7b-4bd5-9d1f-2a7f6c7e9b10"),
        ],
        bytes,
    )
        .into_response()
}

fn error(status: u16, kind: &str, message: &str) -> Response {
    cbor(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        &json!({ "__type": format!("com.amazonaws.translate#{kind}"), "message": message }),
    )
}

impl FakeAmazonTranslate {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let fake = Self {
            state: Arc::default(),
            base_url: format!("http://{}", listener.local_addr()?),
            latency: super::Latency::default(),
        };
        let app = Router::new()
            .route(&format!("/service/{SERVICE}/operation/{{op}}"), post(api))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    /// The next call fails with `status` and error type `kind` (e.g. 400 `ThrottlingException`).
    pub fn fail_next(&self, status: u16, kind: &str) {
        let body =
            json!({ "__type": format!("com.amazonaws.translate#{kind}"), "message": "injected" });
        self.answer_next(status, body);
    }

    /// The next call is answered with `body` (JSON, sent as CBOR) and `status`.
    pub fn answer_next(&self, status: u16, body: Value) {
        self.state
            .lock()
            .expect("fake Amazon Translate")
            .next
            .push_back((status, body));
    }

    /// `(operation, request)` of every call, requests as JSON.
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.state
            .lock()
            .expect("fake Amazon Translate")
            .calls
            .clone()
    }
}

async fn api(
    State(fake): State<FakeAmazonTranslate>,
    Path(op): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    fake.latency.wait().await;
    if headers.get("smithy-protocol").and_then(|v| v.to_str().ok()) != Some("rpc-v2-cbor") {
        return error(
            400,
            "SerializationException",
            "smithy-protocol header missing",
        );
    }
    if !headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 "))
    {
        return error(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
    }
    let Ok(req) = ciborium::from_reader::<Cbor, _>(body.as_ref()) else {
        return error(400, "SerializationException", "body is not CBOR");
    };
    let req = to_json(&req);
    let mut st = fake.state.lock().expect("fake Amazon Translate");
    st.calls.push((op.clone(), req.clone()));
    if let Some((status, body)) = st.next.pop_front() {
        return cbor(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            &body,
        );
    }
    match op.as_str() {
        "TranslateText" => {
            let text = req["Text"].as_str().unwrap_or_default();
            if text.len() > MAX_TEXT_BYTES {
                return error(
                    400,
                    "TextSizeLimitExceededException",
                    "Input text size exceeds limit. Max length of request text allowed is 10000 bytes while in this request the text size is larger.",
                );
            }
            let target = req["TargetLanguageCode"].as_str().unwrap_or("en");
            let source = req["SourceLanguageCode"].as_str().unwrap_or("auto");
            let to_japanese = target == "ja";
            let mut pairs = Vec::new();
            let mut applied = Vec::new();
            for name in req["TerminologyNames"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                let Some(terms) = st.terminologies.get(name) else {
                    return error(
                        400,
                        "ResourceNotFoundException",
                        &format!("The resource {name} does not exist."),
                    );
                };
                pairs.extend(terms.iter().map(|(en, ja)| {
                    if to_japanese {
                        (en.clone(), ja.clone())
                    } else {
                        (ja.clone(), en.clone())
                    }
                }));
                applied.push(json!({ "Name": name, "Terms": [] }));
            }
            let mut answer = json!({
                "TranslatedText": super::translate(text, to_japanese, &pairs, target),
                "SourceLanguageCode": if source == "auto" { if to_japanese { "en" } else { "ja" } } else { source },
                "TargetLanguageCode": target,
            });
            if !applied.is_empty() {
                answer["AppliedTerminologies"] = json!(applied);
            }
            cbor(StatusCode::OK, &answer)
        }
        "ImportTerminology" => {
            let name = req["Name"].as_str().unwrap_or_default().to_owned();
            let file = req["TerminologyData"]["File"].as_str().unwrap_or_default();
            let mut lines = file.lines();
            if lines.next() != Some("en,ja") {
                return error(
                    400,
                    "InvalidParameterValueException",
                    "The terminology file's header must name the languages.",
                );
            }
            let terms: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(','))
                .map(|(en, ja)| {
                    (
                        en.trim_matches('"').to_owned(),
                        ja.trim_matches('"').to_owned(),
                    )
                })
                .collect();
            let count = terms.len();
            st.terminologies.insert(name.clone(), terms);
            cbor(
                StatusCode::OK,
                &json!({ "TerminologyProperties": { "Name": name, "SourceLanguageCode": "en",
                    "TargetLanguageCodes": ["ja"], "TermCount": count, "Format": "CSV",
                    "Directionality": "MULTI" } }),
            )
        }
        other => error(
            400,
            "UnknownOperationException",
            &format!("{other} is not faked"),
        ),
    }
}
