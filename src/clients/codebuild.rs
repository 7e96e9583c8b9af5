//! AWS CodeBuild client (aws-sdk-codebuild): start plan/apply builds, read their status.
//! Endpoint injectable (the fake world) through `AwsTarget`.

pub use super::aws::AwsTarget;
use super::retry::{RetryPolicy, Verdict};
use aws_sdk_codebuild::types::{EnvironmentVariable, EnvironmentVariableType, StatusType};

#[derive(Clone, Debug)]
pub struct CodeBuildApi {
    client: aws_sdk_codebuild::Client,
    retry: RetryPolicy,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartBuild {
    pub project: String,
    /// The commit to build (CodeBuild `sourceVersion`).
    pub source_version: String,
    pub env: Vec<(String, String)>,
    /// The same token returns the same build instead of starting a second one.
    pub idempotency_token: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildStatus {
    InProgress,
    Succeeded,
    Failed,
    Fault,
    TimedOut,
    Stopped,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInfo {
    pub id: String,
    pub status: BuildStatus,
    pub current_phase: Option<String>,
    /// The first phase that did not succeed, for a build that failed.
    pub failed_phase: Option<String>,
    pub logs_url: Option<String>,
    /// The build's environment variables (banto's overrides included).
    pub env: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CodeBuildError {
    #[error("CodeBuild refused: {code}: {message}")]
    Refused { code: String, message: String },
    #[error("CodeBuild is unavailable: {0}")]
    Unavailable(String),
    #[error("CodeBuild does not know build {0}")]
    NotFound(String),
}

fn convert<E: aws_sdk_codebuild::error::ProvideErrorMetadata + std::fmt::Debug>(
    e: aws_sdk_codebuild::error::SdkError<E>,
) -> CodeBuildError {
    use aws_sdk_codebuild::error::SdkError;
    match &e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            let code = err.code().unwrap_or("Unknown").to_owned();
            let status = s.raw().status().as_u16();
            if status >= 500 || code == "ThrottlingException" {
                CodeBuildError::Unavailable(format!("{code} (HTTP {status})"))
            } else {
                CodeBuildError::Refused {
                    code,
                    message: err.message().unwrap_or("").to_owned(),
                }
            }
        }
        other => CodeBuildError::Unavailable(format!("{other:?}").chars().take(300).collect()),
    }
}

fn classify(e: &CodeBuildError) -> Verdict {
    match e {
        CodeBuildError::Unavailable(_) => Verdict::Retry(None),
        _ => Verdict::Fatal,
    }
}

impl CodeBuildApi {
    pub async fn new(target: &AwsTarget, retry: RetryPolicy) -> Self {
        let conf = target.sdk_config().await;
        Self {
            client: aws_sdk_codebuild::Client::new(&conf),
            retry: retry.for_service("codebuild"),
        }
    }

    pub async fn start_build(&self, req: &StartBuild) -> Result<BuildInfo, CodeBuildError> {
        let env: Vec<EnvironmentVariable> = req
            .env
            .iter()
            .map(|(k, v)| {
                EnvironmentVariable::builder()
                    .name(k)
                    .value(v)
                    .r#type(EnvironmentVariableType::Plaintext)
                    .build()
                    .expect("name and value are set")
            })
            .collect();
        let out = self
            .retry
            .run(
                || async {
                    self.client
                        .start_build()
                        .project_name(&req.project)
                        .source_version(&req.source_version)
                        .set_environment_variables_override(Some(env.clone()))
                        .idempotency_token(&req.idempotency_token)
                        .send()
                        .await
                        .map_err(convert)
                },
                classify,
            )
            .await?;
        out.build_value()
            .map(info)
            .ok_or_else(|| CodeBuildError::Unavailable("StartBuild returned no build".into()))
    }

    /// The build's status (BatchGetBuilds): the fallback when no EventBridge event arrives.
    pub async fn build(&self, id: &str) -> Result<BuildInfo, CodeBuildError> {
        let out = self
            .retry
            .run(
                || async {
                    self.client
                        .batch_get_builds()
                        .ids(id)
                        .send()
                        .await
                        .map_err(convert)
                },
                classify,
            )
            .await?;
        out.builds()
            .iter()
            .find(|b| b.id() == Some(id))
            .map(info)
            .ok_or_else(|| CodeBuildError::NotFound(id.to_owned()))
    }

    /// Which of `names` CodeBuild does not know (`BatchGetProjects`, up to 100 names a call).
    pub async fn missing_projects(&self, names: &[String]) -> Result<Vec<String>, CodeBuildError> {
        let mut missing = Vec::new();
        for chunk in names.chunks(100) {
            let out = self
                .retry
                .run(
                    || async {
                        self.client
                            .batch_get_projects()
                            .set_names(Some(chunk.to_vec()))
                            .send()
                            .await
                            .map_err(convert)
                    },
                    classify,
                )
                .await?;
            missing.extend(out.projects_not_found().iter().cloned());
        }
        Ok(missing)
    }

    pub async fn stop_build(&self, id: &str) -> Result<BuildInfo, CodeBuildError> {
        let out = self
            .retry
            .run(
                || async {
                    self.client
                        .stop_build()
                        .id(id)
                        .send()
                        .await
                        .map_err(convert)
                },
                classify,
            )
            .await?;
        out.build_value()
            .map(info)
            .ok_or_else(|| CodeBuildError::NotFound(id.to_owned()))
    }
}

fn info(b: &aws_sdk_codebuild::types::Build) -> BuildInfo {
    // `buildComplete` alone is not trusted: the status decides.
    let status = match b.build_status() {
        Some(StatusType::Succeeded) => BuildStatus::Succeeded,
        Some(StatusType::Failed) => BuildStatus::Failed,
        Some(StatusType::Fault) => BuildStatus::Fault,
        Some(StatusType::TimedOut) => BuildStatus::TimedOut,
        Some(StatusType::Stopped) => BuildStatus::Stopped,
        _ => BuildStatus::InProgress,
    };
    let failed_phase = b
        .phases()
        .iter()
        .find(|p| {
            p.phase_status()
                .is_some_and(|s| *s != StatusType::Succeeded && *s != StatusType::InProgress)
        })
        .and_then(|p| p.phase_type())
        .map(|t| t.as_str().to_owned());
    BuildInfo {
        id: b.id().unwrap_or_default().to_owned(),
        status,
        current_phase: b.current_phase().map(str::to_owned),
        failed_phase,
        logs_url: b.logs().and_then(|l| l.deep_link()).map(str::to_owned),
        env: b
            .environment()
            .map(|e| e.environment_variables())
            .unwrap_or_default()
            .iter()
            .map(|v| (v.name().to_owned(), v.value().to_owned()))
            .collect(),
    }
}
