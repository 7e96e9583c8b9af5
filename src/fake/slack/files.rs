//! Slack's file upload flow: `files.getUploadURLExternal` gives an upload URL and a file id,
//! the bytes are POSTed there (answered `OK - <length>` in plain text, as Slack does), and
//! `files.completeUploadExternal` shares the file in a channel (or a thread).

use super::*;

/// A file whose upload URL was handed out: its name, declared length and bytes once sent.
#[derive(Clone, Debug, Default)]
pub struct PendingUpload {
    pub filename: String,
    pub length: usize,
    pub content: Option<Vec<u8>>,
}

pub(super) fn call(st: &mut SlackState, method: &str, p: &Map<String, Value>) -> ApiResult {
    match method {
        "files.getUploadURLExternal" => {
            let filename = req(p, "filename")?.to_owned();
            let length: usize = s(p, "length")
                .and_then(|l| l.parse().ok())
                .or_else(|| p.get("length").and_then(Value::as_u64).map(|l| l as usize))
                .ok_or_else(|| SlackErr::code("invalid_arguments"))?;
            let id = st.next_id('F');
            st.uploads.insert(
                id.clone(),
                PendingUpload {
                    filename,
                    length,
                    content: None,
                },
            );
            Ok(json!({ "upload_url": format!("http://{}/upload/{id}", st.host), "file_id": id }))
        }
        // A file exists once its upload is completed.
        "files.info" => {
            let id = req(p, "file")?;
            let f = st
                .files
                .iter()
                .find(|f| f.id == id)
                .ok_or_else(|| SlackErr::code("file_not_found"))?;
            Ok(json!({ "file": { "id": f.id, "name": f.filename, "title": f.title } }))
        }
        _ => complete(st, p),
    }
}

fn complete(st: &mut SlackState, p: &Map<String, Value>) -> ApiResult {
    let files = p
        .get("files")
        .and_then(|f| match f {
            Value::String(raw) => serde_json::from_str::<Vec<Value>>(raw).ok(),
            Value::Array(a) => Some(a.clone()),
            _ => None,
        })
        .ok_or_else(|| SlackErr::code("invalid_arguments"))?;
    let channel = match s(p, "channel_id") {
        Some(c) => Some(visible_channel(st, c)?),
        None => None,
    };
    let mut done = Vec::new();
    for f in &files {
        let id = f["id"]
            .as_str()
            .ok_or_else(|| SlackErr::code("invalid_arguments"))?;
        let upload = st
            .uploads
            .get(id)
            .ok_or_else(|| SlackErr::code("file_not_found"))?;
        let content = upload
            .content
            .clone()
            .ok_or_else(|| SlackErr::code("file_upload_not_complete"))?;
        if content.len() != upload.length {
            return Err(SlackErr::code("file_upload_size_mismatch"));
        }
        let file = FakeFile {
            id: id.to_owned(),
            channel: channel.clone(),
            filename: upload.filename.clone(),
            title: f["title"].as_str().map(str::to_owned),
            content: String::from_utf8_lossy(&content).into_owned(),
        };
        done.push(
            json!({ "id": id, "name": file.filename, "title": file.title, "size": content.len() }),
        );
        st.uploads.remove(id);
        if let Some(channel) = &channel {
            let comment = s(p, "initial_comment").unwrap_or_default();
            let m = FakeMessage {
                channel: channel.clone(),
                ts: String::new(),
                thread_ts: s(p, "thread_ts").map(str::to_owned),
                user: st.bot_user.clone(),
                text: format!("{comment} [file: {}]", file.filename)
                    .trim()
                    .to_owned(),
                blocks: None,
                ephemeral_to: None,
                reactions: BTreeMap::new(),
                edited: false,
                from_bot: true,
                seen: false,
                metadata: None,
            };
            st.add_message(m);
        }
        st.files.push(file);
    }
    Ok(json!({ "files": done }))
}

/// `POST /upload/{id}`: the bytes of a file whose URL was handed out.
pub(super) async fn upload(
    State(fake): State<FakeSlack>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> (StatusCode, String) {
    let len = body.len();
    let known = fake.mutate(|st| match st.uploads.get_mut(&id) {
        Some(u) => {
            u.content = Some(body.to_vec());
            true
        }
        None => false,
    });
    if known {
        (StatusCode::OK, format!("OK - {len}"))
    } else {
        (StatusCode::NOT_FOUND, "unknown upload".into())
    }
}
