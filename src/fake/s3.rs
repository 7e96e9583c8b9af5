//! A fake S3 (path-style `GET`/`PUT /{bucket}/{key}`) holding plan artifacts, with S3's XML errors.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// `(bucket, key)` → object bytes.
type Objects = BTreeMap<(String, String), Vec<u8>>;

#[derive(Default)]
struct Buckets {
    objects: Objects,
    /// Buckets that exist (a `put` makes its bucket).
    names: BTreeSet<String>,
    /// Buckets banto's credentials may not read.
    denied: BTreeSet<String>,
}

#[derive(Clone)]
pub struct FakeS3 {
    objects: Arc<Mutex<Buckets>>,
    pub base_url: String,
}

impl FakeS3 {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let fake = Self {
            objects: Arc::default(),
            base_url: format!("http://{}", listener.local_addr()?),
        };
        let app = Router::new()
            .route("/{bucket}/{*key}", get(get_object).put(put_object))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    pub fn put(&self, bucket: &str, key: &str, body: impl Into<Vec<u8>>) {
        let mut b = self.objects.lock().expect("fake S3");
        b.names.insert(bucket.to_owned());
        b.objects
            .insert((bucket.to_owned(), key.to_owned()), body.into());
    }

    pub fn create_bucket(&self, bucket: &str) {
        self.objects
            .lock()
            .expect("fake S3")
            .names
            .insert(bucket.to_owned());
    }

    /// From now on every read in `bucket` answers `AccessDenied`.
    pub fn deny(&self, bucket: &str) {
        self.objects
            .lock()
            .expect("fake S3")
            .denied
            .insert(bucket.to_owned());
    }
}

fn xml_error(status: StatusCode, code: &str, message: &str, key: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><Key>{key}</Key><RequestId>FAKE</RequestId></Error>"
    );
    (status, [("content-type", "application/xml")], body).into_response()
}

fn signed(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 "))
}

async fn get_object(
    State(fake): State<FakeS3>,
    Path((bucket, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !signed(&headers) {
        return xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &key);
    }
    let b = fake.objects.lock().expect("fake S3");
    if b.denied.contains(&bucket) {
        return xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &key);
    }
    if !b.names.contains(&bucket) {
        return xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist",
            &key,
        );
    }
    match b.objects.get(&(bucket, key.clone())) {
        Some(body) => {
            let etag = format!("\"{:x}\"", body.len() * 2654435761 % 4294967296);
            (
                StatusCode::OK,
                [
                    ("content-type", "application/json".to_owned()),
                    ("etag", etag),
                ],
                body.clone(),
            )
                .into_response()
        }
        None => xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
            &key,
        ),
    }
}

async fn put_object(
    State(fake): State<FakeS3>,
    Path((bucket, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !signed(&headers) {
        return xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &key);
    }
    fake.put(&bucket, &key, body.to_vec());
    (StatusCode::OK, [("etag", "\"fake\"")]).into_response()
}
