//! Plan artifacts in S3 (aws-sdk-s3): the `terraform show -json` output and the saved plan's
//! hash live there; banto only ever reads them.

use super::aws::AwsTarget;
use super::retry::{RetryPolicy, Verdict};

#[derive(Clone, Debug)]
pub struct ArtifactStore {
    client: aws_sdk_s3::Client,
    retry: RetryPolicy,
    max_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("s3://{bucket}/{key} does not exist")]
    NotFound { bucket: String, key: String },
    #[error("s3://{bucket}/{key} is {size} bytes, over the {max} byte limit")]
    TooLarge {
        bucket: String,
        key: String,
        size: u64,
        max: u64,
    },
    #[error("S3 refused: {0}")]
    Refused(String),
    #[error("S3 is unavailable: {0}")]
    Unavailable(String),
}

fn classify(e: &S3Error) -> Verdict {
    match e {
        S3Error::Unavailable(_) => Verdict::Retry(None),
        _ => Verdict::Fatal,
    }
}

impl ArtifactStore {
    pub async fn new(target: &AwsTarget, retry: RetryPolicy, max_bytes: u64) -> Self {
        let shared = target.sdk_config().await;
        let conf = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(target.force_path_style)
            .build();
        Self {
            client: aws_sdk_s3::Client::from_conf(conf),
            retry: retry.for_service("s3"),
            max_bytes,
        }
    }

    /// The whole object, refused before download if it is larger than the limit.
    pub async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, S3Error> {
        self.retry
            .run(
                || async {
                    use aws_sdk_s3::error::SdkError;
                    let out = self
                        .client
                        .get_object()
                        .bucket(bucket)
                        .key(key)
                        .send()
                        .await
                        .map_err(|e| match &e {
                            SdkError::ServiceError(s) if s.err().is_no_such_key() => {
                                S3Error::NotFound {
                                    bucket: bucket.to_owned(),
                                    key: key.to_owned(),
                                }
                            }
                            SdkError::ServiceError(s) if s.raw().status().as_u16() < 500 => {
                                S3Error::Refused(format!("HTTP {}", s.raw().status().as_u16()))
                            }
                            other => S3Error::Unavailable(
                                format!("{other:?}").chars().take(200).collect(),
                            ),
                        })?;
                    let size = out.content_length().unwrap_or(0).max(0) as u64;
                    if size > self.max_bytes {
                        return Err(S3Error::TooLarge {
                            bucket: bucket.to_owned(),
                            key: key.to_owned(),
                            size,
                            max: self.max_bytes,
                        });
                    }
                    let body = out
                        .body
                        .collect()
                        .await
                        .map_err(|e| S3Error::Unavailable(e.to_string()))?;
                    Ok(body.into_bytes().to_vec())
                },
                classify,
            )
            .await
    }

    /// Whether banto may read plans under `prefix`: a key that cannot exist is asked for, and
    /// `NoSuchKey` is the good answer (S3 says `AccessDenied` instead when banto may not list
    /// the bucket, and `NoSuchBucket` when there is none).
    pub async fn probe(&self, bucket: &str, prefix: &str) -> Result<(), S3Error> {
        use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
        let key = format!("{}/banto-doctor-probe", prefix.trim_end_matches('/'))
            .trim_start_matches('/')
            .to_owned();
        self.retry
            .run(
                || async {
                    match self
                        .client
                        .get_object()
                        .bucket(bucket)
                        .key(&key)
                        .send()
                        .await
                    {
                        Ok(_) => Ok(()),
                        Err(SdkError::ServiceError(s)) if s.err().is_no_such_key() => Ok(()),
                        Err(SdkError::ServiceError(s)) if s.raw().status().as_u16() < 500 => Err(
                            S3Error::Refused(s.err().code().unwrap_or("HTTP error").to_owned()),
                        ),
                        Err(other) => Err(S3Error::Unavailable(
                            format!("{other:?}").chars().take(200).collect(),
                        )),
                    }
                },
                classify,
            )
            .await
    }
}
