//! The fake's HTTP side: Web API calls (auth, rate limits, injected faults, latency),
//! `response_url` answers and the Socket Mode WebSocket.

use super::*;

pub(super) async fn api(
    State(fake): State<FakeSlack>,
    Path(method): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&query, &headers, &body);
    let result = {
        let mut st = fake.state();
        if !st.crash.enter() {
            return crashed();
        }
        st.calls.push(method.clone());
        // Timestamps follow the wall clock (and the test clock, through `keep_up_with`); the
        // sequence number after the dot keeps them growing within a second.
        st.keep_up_with(chrono::Utc::now().timestamp());
        authorize(&st, &headers, &p, &method)
            .and_then(|()| super::limits::admit(&mut st, &method, &p))
            .and_then(
                |()| match st.faults.get_mut(&method).and_then(VecDeque::pop_front) {
                    Some(Fault::Error(code)) => Err(SlackErr::code(&code)),
                    Some(Fault::RateLimited { retry_after_secs }) => Err(SlackErr {
                        status: StatusCode::TOO_MANY_REQUESTS,
                        code: "ratelimited".into(),
                        retry_after: Some(retry_after_secs),
                    }),
                    Some(Fault::Http(status)) => Err(SlackErr::http(status)),
                    Some(Fault::HttpAfter(status)) => {
                        call(&mut st, &method, &p).and(Err(SlackErr::http(status)))
                    }
                    None => call(&mut st, &method, &p),
                },
            )
    };
    fake.changed.send_modify(|n| *n += 1);
    let (latency, scopes) = {
        let st = fake.state();
        (st.latency, st.scopes.join(","))
    };
    crate::fake::latency::wait(latency).await;
    match result {
        Ok(mut v) => {
            v.as_object_mut()
                .expect("responses are objects")
                .insert("ok".into(), Value::Bool(true));
            let mut resp = axum::Json(v).into_response();
            if let Ok(scopes) = scopes.parse() {
                resp.headers_mut().insert("x-oauth-scopes", scopes);
            }
            resp
        }
        Err(e) => {
            let mut resp = (
                e.status,
                axum::Json(json!({ "ok": false, "error": e.code })),
            )
                .into_response();
            if let Some(secs) = e.retry_after {
                resp.headers_mut()
                    .insert("retry-after", secs.to_string().parse().expect("digits"));
            }
            resp
        }
    }
}

/// The answer to a call banto never made (it died first): a permanent error it cannot act on.
fn crashed() -> Response {
    axum::Json(json!({ "ok": false, "error": "fake_banto_crashed" })).into_response()
}

fn authorize(
    st: &SlackState,
    headers: &HeaderMap,
    p: &Map<String, Value>,
    method: &str,
) -> Result<(), SlackErr> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| s(p, "token"));
    match token {
        None => Err(SlackErr::code("not_authed")),
        // apps.connections.open takes the app-level token (xapp-…) and nothing else.
        Some(t) if method == "apps.connections.open" => {
            if !st.app_token.is_empty() && t == st.app_token {
                Ok(())
            } else {
                Err(SlackErr::code("not_allowed_token_type"))
            }
        }
        Some(t) if t == st.bot_token => Ok(()),
        Some(_) => Err(SlackErr::code("invalid_auth")),
    }
}

/// A POST to a `response_url`: an ephemeral reply (or `in_channel`, or a replacement of the
/// message the action came from).
pub(super) async fn response_url(
    State(fake): State<FakeSlack>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "invalid_payload").into_response();
    };
    if !fake.state().crash.enter() {
        return crashed();
    }
    let status = fake.mutate(|st| {
        let Some((channel, user)) = st.response_urls.get(&id).cloned() else {
            return StatusCode::NOT_FOUND;
        };
        *st.response_url_hits.entry(id.clone()).or_default() += 1;
        let p = v.as_object().cloned().unwrap_or_default();
        let in_channel = s(&p, "response_type") == Some("in_channel");
        match bot_message(st, &channel, &p, (!in_channel).then_some(user)) {
            Ok(m) => {
                st.add_message(m);
                StatusCode::OK
            }
            Err(_) => StatusCode::BAD_REQUEST,
        }
    });
    let latency = fake.state().latency;
    crate::fake::latency::wait(latency).await;
    match status {
        StatusCode::OK => axum::Json(json!({ "ok": true })).into_response(),
        StatusCode::NOT_FOUND => (status, "used_url").into_response(),
        _ => (status, "no_text").into_response(),
    }
}

/// Socket Mode's WebSocket: `hello`, then every envelope from `socket_send`; acks are recorded.
pub(super) async fn socket(
    State(fake): State<FakeSlack>,
    ws: axum::extract::ws::WebSocketUpgrade,
) -> Response {
    use axum::extract::ws::Message;
    ws.on_upgrade(move |mut sock| async move {
        let mut outgoing = fake.socket.subscribe();
        let hello = json!({ "type": "hello", "num_connections": 1,
            "debug_info": { "host": "fake-slack", "approximate_connection_time": 18060 },
            "connection_info": { "app_id": "A0BANTO01" } });
        if sock.send(Message::Text(hello.to_string().into())).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                out = outgoing.recv() => match out {
                    Ok(frame) => if sock.send(Message::Text(frame.into())).await.is_err() { return },
                    Err(_) => return,
                },
                incoming = sock.recv() => match incoming {
                    Some(Ok(Message::Text(t))) => {
                        if let Ok(v) = serde_json::from_str::<Value>(&t) {
                            fake.mutate(|s| s.socket_acks.push(v));
                        }
                    }
                    Some(Ok(Message::Ping(p))) => { let _ = sock.send(Message::Pong(p)).await; }
                    Some(Ok(_)) => {}
                    _ => return,
                },
            }
        }
    })
}
