//! A fake of AWS CodeBuild's JSON API (awsJson1.1: `POST /` with
//! `X-Amz-Target: CodeBuild_20161006.<Operation>`), shaped like the real responses in
//! `shared/corpus/codebuild`. Builds stay IN_PROGRESS until a test (or the console) finishes them
//! with a scripted outcome: SUCCEEDED, FAILED in a phase, FAULT, TIMED_OUT or STOPPED.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// FAILED in this phase (`BUILD`, `POST_BUILD`, …).
    Failed(String),
    Fault,
    TimedOut,
    Stopped,
}

#[derive(Clone, Debug)]
pub struct FakeBuild {
    pub id: String,
    pub project: String,
    pub source_version: String,
    pub env: Vec<(String, String)>,
    pub idempotency_token: Option<String>,
    pub status: String,
    pub current_phase: String,
    pub failed_phase: Option<String>,
    pub start_time: f64,
}

impl FakeBuild {
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
pub struct CodeBuildState {
    pub projects: Vec<String>,
    pub builds: Vec<FakeBuild>,
    /// `(operation)` per call, in order.
    pub calls: Vec<String>,
    /// Statuses to answer the next calls of an operation with (500, 400 throttling …).
    pub faults: HashMap<String, VecDeque<u16>>,
    /// Shared with the other fakes: a crash point armed by the test refuses calls.
    pub crash: crate::fake::crash::CrashPoint,
    seq: u64,
}

#[derive(Clone)]
pub struct FakeCodeBuild {
    state: Arc<Mutex<CodeBuildState>>,
    changed: watch::Sender<u64>,
    pub base_url: String,
}

const PHASES: &[&str] = &[
    "SUBMITTED",
    "QUEUED",
    "PROVISIONING",
    "DOWNLOAD_SOURCE",
    "INSTALL",
    "PRE_BUILD",
    "BUILD",
    "POST_BUILD",
    "UPLOAD_ARTIFACTS",
    "FINALIZING",
    "COMPLETED",
];

impl FakeCodeBuild {
    pub async fn start(projects: &[&str]) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let fake = Self {
            state: Arc::new(Mutex::new(CodeBuildState {
                projects: projects.iter().map(|p| p.to_string()).collect(),
                ..Default::default()
            })),
            changed: watch::channel(0).0,
            base_url: format!("http://{}", listener.local_addr()?),
        };
        let app = Router::new().route("/", post(api)).with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    pub fn state(&self) -> MutexGuard<'_, CodeBuildState> {
        self.state.lock().expect("fake CodeBuild state")
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub fn fail_next(&self, operation: &str, status: u16, times: usize) {
        self.state()
            .faults
            .entry(operation.to_owned())
            .or_default()
            .extend(std::iter::repeat_n(status, times));
    }

    /// Builds started for `project`, oldest first.
    pub fn started(&self, project: &str) -> Vec<FakeBuild> {
        self.state()
            .builds
            .iter()
            .filter(|b| b.project == project)
            .cloned()
            .collect()
    }

    /// End a running build the way CodeBuild would.
    pub fn finish(&self, build_id: &str, outcome: Outcome) -> anyhow::Result<()> {
        {
            let mut st = self.state();
            let b = st
                .builds
                .iter_mut()
                .find(|b| b.id == build_id)
                .ok_or_else(|| anyhow::anyhow!("no build {build_id}"))?;
            anyhow::ensure!(
                b.status == "IN_PROGRESS",
                "build {build_id} already ended as {}",
                b.status
            );
            let (status, failed) = match outcome {
                Outcome::Succeeded => ("SUCCEEDED", None),
                Outcome::Failed(phase) => ("FAILED", Some(phase)),
                Outcome::Fault => ("FAULT", Some("PROVISIONING".to_owned())),
                Outcome::TimedOut => ("TIMED_OUT", Some("BUILD".to_owned())),
                Outcome::Stopped => ("STOPPED", Some("BUILD".to_owned())),
            };
            b.status = status.to_owned();
            b.failed_phase = failed;
            b.current_phase = "COMPLETED".to_owned();
        }
        self.changed.send_modify(|n| *n += 1);
        Ok(())
    }
}

fn aws_error(status: StatusCode, kind: &str, message: &str) -> Response {
    let mut r = (
        status,
        axum::Json(json!({ "__type": kind, "message": message })),
    )
        .into_response();
    r.headers_mut().insert(
        "content-type",
        "application/x-amz-json-1.1".parse().expect("ascii"),
    );
    r
}

fn ok(v: Value) -> Response {
    let mut r = axum::Json(v).into_response();
    r.headers_mut().insert(
        "content-type",
        "application/x-amz-json-1.1".parse().expect("ascii"),
    );
    r
}

fn build_json(b: &FakeBuild) -> Value {
    let failed_at = b.failed_phase.as_deref();
    let mut phases = vec![];
    for (i, p) in PHASES.iter().enumerate() {
        let reached = b.status != "IN_PROGRESS"
            || PHASES
                .iter()
                .position(|x| *x == b.current_phase)
                .is_some_and(|c| i <= c);
        if !reached {
            break;
        }
        let status = if Some(*p) == failed_at {
            Some(b.status.as_str())
        } else if *p == "COMPLETED" || (b.status == "IN_PROGRESS" && *p == b.current_phase) {
            None
        } else {
            Some("SUCCEEDED")
        };
        let mut phase = json!({ "phaseType": p, "startTime": b.start_time + i as f64 });
        if let Some(s) = status {
            phase["phaseStatus"] = json!(s);
            phase["endTime"] = json!(b.start_time + i as f64 + 0.5);
            phase["durationInSeconds"] = json!(0);
        }
        phases.push(phase);
        if Some(*p) == failed_at {
            break;
        }
    }
    let (project, uuid) = b.id.split_once(':').unwrap_or((&b.project, &b.id));
    json!({
        "id": b.id, "arn": format!("arn:aws:codebuild:ap-northeast-1:123456789012:build/{}", b.id),
        "projectName": project, "buildNumber": 1, "startTime": b.start_time,
        "currentPhase": b.current_phase, "buildStatus": b.status, "buildComplete": b.status != "IN_PROGRESS",
        "sourceVersion": b.source_version, "resolvedSourceVersion": b.source_version,
        "initiator": "banto", "timeoutInMinutes": 60, "queuedTimeoutInMinutes": 480,
        "phases": phases,
        "source": { "type": "GITHUB", "location": "https://github.com/acme/infra.git", "insecureSsl": false },
        "environment": { "type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL",
            "environmentVariables": b.env.iter().map(|(k, v)| json!({ "name": k, "value": v, "type": "PLAINTEXT" })).collect::<Vec<_>>(),
            "privilegedMode": false, "imagePullCredentialsType": "CODEBUILD" },
        "serviceRole": format!("arn:aws:iam::123456789012:role/{project}"),
        "logs": { "groupName": format!("/aws/codebuild/{project}"), "streamName": uuid,
            "deepLink": format!("https://console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logEvent:group=/aws/codebuild/{project};stream={uuid}"),
            "cloudWatchLogs": { "status": "ENABLED" }, "s3Logs": { "status": "DISABLED" } },
        "artifacts": { "location": "" }, "cache": { "type": "NO_CACHE" },
        "encryptionKey": "arn:aws:kms:ap-northeast-1:123456789012:alias/aws/s3",
    })
}

async fn api(State(fake): State<FakeCodeBuild>, headers: HeaderMap, body: Bytes) -> Response {
    let op = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("CodeBuild_20161006."))
        .unwrap_or("")
        .to_owned();
    if !headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 "))
    {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        );
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "SerializationException",
            "body is not JSON",
        );
    };
    let resp = {
        let mut st = fake.state();
        if !st.crash.enter() {
            return aws_error(
                StatusCode::BAD_REQUEST,
                "AccessDeniedException",
                "banto crashed before this call",
            );
        }
        st.calls.push(op.clone());
        if let Some(status) = st.faults.get_mut(&op).and_then(VecDeque::pop_front) {
            let kind = if status == 400 {
                "ThrottlingException"
            } else {
                "InternalFailure"
            };
            return aws_error(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                kind,
                "injected",
            );
        }
        match op.as_str() {
            "StartBuild" => start_build(&mut st, &req),
            "BatchGetBuilds" => {
                let ids: Vec<&str> = req["ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let found: Vec<Value> = ids
                    .iter()
                    .filter_map(|id| st.builds.iter().find(|b| b.id == *id))
                    .map(build_json)
                    .collect();
                let missing: Vec<&str> = ids
                    .iter()
                    .copied()
                    .filter(|id| !st.builds.iter().any(|b| b.id == *id))
                    .collect();
                ok(json!({ "builds": found, "buildsNotFound": missing }))
            }
            "BatchGetProjects" => {
                let (found, missing): (Vec<&str>, Vec<&str>) = req["names"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .partition(|n| st.projects.iter().any(|p| p == n));
                let found: Vec<Value> = found
                    .iter()
                    .map(|n| json!({ "name": n,
                        "arn": format!("arn:aws:codebuild:ap-northeast-1:123456789012:project/{n}"),
                        "source": { "type": "GITHUB", "location": "https://github.com/acme/infra.git" },
                        "environment": { "type": "LINUX_CONTAINER", "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0", "computeType": "BUILD_GENERAL1_SMALL" },
                        "serviceRole": format!("arn:aws:iam::123456789012:role/{n}"),
                        "timeoutInMinutes": 60, "queuedTimeoutInMinutes": 480 }))
                    .collect();
                ok(json!({ "projects": found, "projectsNotFound": missing }))
            }
            "StopBuild" => {
                let id = req["id"].as_str().unwrap_or_default();
                match st.builds.iter_mut().find(|b| b.id == id) {
                    Some(b) => {
                        if b.status == "IN_PROGRESS" {
                            b.status = "STOPPED".into();
                            b.failed_phase = Some(b.current_phase.clone());
                            b.current_phase = "COMPLETED".into();
                        }
                        ok(json!({ "build": build_json(b) }))
                    }
                    None => aws_error(
                        StatusCode::BAD_REQUEST,
                        "ResourceNotFoundException",
                        &format!("Build {id} does not exist"),
                    ),
                }
            }
            other => aws_error(
                StatusCode::BAD_REQUEST,
                "UnknownOperationException",
                &format!("unknown operation {other}"),
            ),
        }
    };
    fake.changed.send_modify(|n| *n += 1);
    resp
}

fn start_build(st: &mut CodeBuildState, req: &Value) -> Response {
    let project = req["projectName"].as_str().unwrap_or_default().to_owned();
    if !st.projects.contains(&project) {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "ResourceNotFoundException",
            &format!(
                "Project cannot be found: arn:aws:codebuild:ap-northeast-1:123456789012:project/{project}"
            ),
        );
    }
    let token = req["idempotencyToken"].as_str().map(str::to_owned);
    if let Some(t) = &token
        && let Some(b) = st
            .builds
            .iter()
            .find(|b| b.idempotency_token.as_ref() == Some(t) && b.project == project)
    {
        return ok(json!({ "build": build_json(b) }));
    }
    st.seq += 1;
    let env = req["environmentVariablesOverride"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_owned(),
                e["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let build = FakeBuild {
        id: format!("{project}:{:08x}-0000-4000-8000-{:012x}", st.seq, st.seq),
        project,
        source_version: req["sourceVersion"].as_str().unwrap_or("main").to_owned(),
        env,
        idempotency_token: token,
        status: "IN_PROGRESS".into(),
        current_phase: "QUEUED".into(),
        failed_phase: None,
        start_time: 1_767_225_600.0 + st.seq as f64,
    };
    let resp = ok(json!({ "build": build_json(&build) }));
    st.builds.push(build);
    resp
}
