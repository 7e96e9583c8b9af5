//! The CodeBuild client (aws-sdk-codebuild) against the fake CodeBuild and against CodeBuild's
//! real responses from the corpus.

use banto::clients::codebuild::{AwsTarget, BuildStatus, CodeBuildApi, CodeBuildError, StartBuild};
use banto::clients::retry::RetryPolicy;
use banto::fake::codebuild::{FakeCodeBuild, Outcome};

fn target(url: &str) -> AwsTarget {
    AwsTarget {
        region: "ap-northeast-1".into(),
        endpoint_url: Some(url.into()),
        static_credentials: Some(("AKIDFAKEFAKEFAKE".into(), "fake-secret".into())),
        force_path_style: false,
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: std::time::Duration::from_millis(5),
        max_delay: std::time::Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

fn plan_request(token: &str) -> StartBuild {
    StartBuild {
        project: "banto-tf-plan".into(),
        source_version: "9f1c2d3".into(),
        env: vec![
            ("BANTO_MODE".into(), "plan".into()),
            ("BANTO_DIR".into(), "envs/prod/network".into()),
        ],
        idempotency_token: token.into(),
    }
}

#[tokio::test]
async fn starts_once_per_token_and_reports_the_failing_phase() {
    let fake = FakeCodeBuild::start(&["banto-tf-plan", "banto-tf-apply"])
        .await
        .unwrap();
    let cb = CodeBuildApi::new(&target(&fake.base_url), quick()).await;
    let first = cb.start_build(&plan_request("run-1-plan")).await.unwrap();
    let again = cb.start_build(&plan_request("run-1-plan")).await.unwrap();
    assert_eq!(first.id, again.id, "same idempotency token, same build");
    assert_eq!(fake.started("banto-tf-plan").len(), 1);
    let started = &fake.started("banto-tf-plan")[0];
    assert_eq!(started.source_version, "9f1c2d3");
    assert_eq!(started.env("BANTO_DIR"), Some("envs/prod/network"));
    assert_eq!(first.status, BuildStatus::InProgress);

    fake.finish(&first.id, Outcome::Failed("BUILD".into()))
        .unwrap();
    let done = cb.build(&first.id).await.unwrap();
    assert_eq!(done.status, BuildStatus::Failed);
    assert_eq!(done.failed_phase.as_deref(), Some("BUILD"));
    assert!(
        done.logs_url
            .unwrap()
            .contains("/aws/codebuild/banto-tf-plan")
    );

    let other = cb.start_build(&plan_request("run-2-plan")).await.unwrap();
    let stopped = cb.stop_build(&other.id).await.unwrap();
    assert_eq!(stopped.status, BuildStatus::Stopped);
}

#[tokio::test]
async fn refusals_are_not_retried_and_outages_are() {
    let fake = FakeCodeBuild::start(&["banto-tf-plan"]).await.unwrap();
    let cb = CodeBuildApi::new(&target(&fake.base_url), quick()).await;
    let mut req = plan_request("t");
    req.project = "no-such-project".into();
    let err = cb.start_build(&req).await.unwrap_err();
    assert!(
        matches!(&err, CodeBuildError::Refused { code, .. } if code == "ResourceNotFoundException"),
        "{err}"
    );
    assert_eq!(fake.state().calls.len(), 1);

    fake.fail_next("StartBuild", 500, 2);
    cb.start_build(&plan_request("t2")).await.unwrap();
    fake.fail_next("BatchGetBuilds", 400, 1); // ThrottlingException
    let id = fake.started("banto-tf-plan")[0].id.clone();
    assert_eq!(cb.build(&id).await.unwrap().status, BuildStatus::InProgress);
    let err = cb.build("banto-tf-plan:unknown").await.unwrap_err();
    assert!(matches!(err, CodeBuildError::NotFound(_)), "{err}");
}

#[tokio::test]
async fn reads_codebuilds_real_batch_get_builds_response() {
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/codebuild/aws-cli__BatchGetBuilds.response.json"
    ))
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move || {
            let body = body.clone();
            async move { ([("content-type", "application/x-amz-json-1.1")], body) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let cb = CodeBuildApi::new(&target(&url), quick()).await;
    let b = cb
        .build("codebuild-demo-project:815e755f-bade-4a7e-80f0-efe51EXAMPLE")
        .await
        .unwrap();
    assert_eq!(
        b.id, "codebuild-demo-project:815e755f-bade-4a7e-80f0-efe51EXAMPLE",
        "the asked-for build, not the first"
    );
    assert_eq!(b.status, BuildStatus::Succeeded);
    assert_eq!(b.failed_phase, None);
    assert!(
        b.logs_url
            .unwrap()
            .starts_with("https://console.aws.amazon.com/cloudwatch")
    );
}
