//! One smoke test against moto's server (a third-party AWS emulator, `moto[server]` from PyPI):
//! banto's real S3 and CodeBuild clients against an implementation that is not ours. The setup
//! installs moto into a virtualenv under the target directory on first use and starts it on a
//! free port; without Python or PyPI the test fails and says so.

use banto::clients::aws::AwsTarget;
use banto::clients::codebuild::{BuildStatus, CodeBuildApi, StartBuild};
use banto::clients::retry::RetryPolicy;
use banto::clients::s3::{ArtifactStore, S3Error};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MOTO: &str = "moto[server]==5.2.5";

struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed (moto is needed for this test):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn moto() -> Moto {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("moto-venv");
    let server = venv.join("bin/moto_server");
    if !server.exists() {
        eprintln!("installing {MOTO} into {} (first run only)", venv.display());
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv",
        );
        run(
            Command::new(venv.join("bin/pip")).args(["install", "-q", MOTO]),
            "pip install moto[server]",
        );
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let url = format!("http://127.0.0.1:{port}");
    let moto = Moto { child, url };
    let deadline = Instant::now() + Duration::from_secs(60);
    while reqwest::get(format!("{}/moto-api/", moto.url))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "moto_server did not answer within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    moto
}

fn target(url: &str) -> AwsTarget {
    AwsTarget {
        region: "us-east-1".into(),
        endpoint_url: Some(url.to_owned()),
        static_credentials: Some(("testing".into(), "testing".into())),
        force_path_style: true,
    }
}

#[tokio::test]
async fn banto_clients_work_against_moto() {
    let moto = moto().await;
    let aws = target(&moto.url);
    let conf = aws.sdk_config().await;

    // S3: banto reads the plan artifacts the plan build uploaded; misses and oversize are errors.
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket("acme-banto-plans")
        .send()
        .await
        .unwrap();
    let plan = br#"{"format_version":"1.2","resource_changes":[]}"#.to_vec();
    s3.put_object()
        .bucket("acme-banto-plans")
        .key("banto/plans/network/run-1/plan.json")
        .body(plan.clone().into())
        .send()
        .await
        .unwrap();
    let store = ArtifactStore::new(&aws, RetryPolicy::default(), 1024).await;
    let got = store
        .get("acme-banto-plans", "banto/plans/network/run-1/plan.json")
        .await
        .unwrap();
    assert_eq!(got, plan);
    assert!(matches!(
        store
            .get("acme-banto-plans", "banto/plans/network/run-2/plan.json")
            .await,
        Err(S3Error::NotFound { .. })
    ));
    let small = ArtifactStore::new(&aws, RetryPolicy::default(), 10).await;
    assert!(matches!(
        small
            .get("acme-banto-plans", "banto/plans/network/run-1/plan.json")
            .await,
        Err(S3Error::TooLarge { .. })
    ));

    // CodeBuild: start a plan build with banto's environment, read it back.
    let cb = aws_sdk_codebuild::Client::new(&conf);
    use aws_sdk_codebuild::types::{
        ArtifactsType, ComputeType, EnvironmentType, ProjectArtifacts, ProjectEnvironment,
        ProjectSource, SourceType,
    };
    cb.create_project()
        .name("banto-tf-plan")
        .source(
            ProjectSource::builder()
                .r#type(SourceType::Github)
                .location("https://github.com/acme/infra.git")
                .build()
                .unwrap(),
        )
        .artifacts(
            ProjectArtifacts::builder()
                .r#type(ArtifactsType::NoArtifacts)
                .build()
                .unwrap(),
        )
        .environment(
            ProjectEnvironment::builder()
                .r#type(EnvironmentType::LinuxContainer)
                .image("aws/codebuild/standard:7.0")
                .compute_type(ComputeType::BuildGeneral1Small)
                .build()
                .unwrap(),
        )
        .service_role("arn:aws:iam::123456789012:role/banto-tf-plan")
        .send()
        .await
        .unwrap();
    let api = CodeBuildApi::new(&aws, RetryPolicy::default()).await;
    let started = api
        .start_build(&StartBuild {
            project: "banto-tf-plan".into(),
            source_version: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1".into(),
            env: vec![
                ("BANTO_RUN_ID".into(), "1".into()),
                ("BANTO_MODE".into(), "plan".into()),
            ],
            idempotency_token: "banto-run-1-plan".into(),
        })
        .await
        .unwrap();
    assert!(started.id.starts_with("banto-tf-plan:"), "{}", started.id);
    let read = api.build(&started.id).await.unwrap();
    assert_eq!(read.id, started.id);
    assert!(
        matches!(
            read.status,
            BuildStatus::InProgress | BuildStatus::Succeeded
        ),
        "{:?}",
        read.status
    );
    assert!(
        api.build("banto-tf-plan:00000000-0000-0000-0000-000000000000")
            .await
            .is_err()
    );
}
