//! Plan artifacts are read from S3 with aws-sdk-s3 (path style against the fake).

use banto::clients::codebuild::AwsTarget;
use banto::clients::retry::RetryPolicy;
use banto::clients::s3::{ArtifactStore, S3Error};
use banto::fake::s3::FakeS3;

async fn store(fake: &FakeS3, max: u64) -> ArtifactStore {
    let target = AwsTarget {
        region: "ap-northeast-1".into(),
        endpoint_url: Some(fake.base_url.clone()),
        static_credentials: Some(("AKIDFAKEFAKEFAKE".into(), "fake-secret".into())),
        force_path_style: true,
    };
    ArtifactStore::new(&target, RetryPolicy::default(), max).await
}

#[tokio::test]
async fn reads_a_plan_artifact_and_refuses_missing_or_oversized_ones() {
    let fake = FakeS3::start().await.unwrap();
    let plan = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/terraform/plan-json/opentofu__show-json__basic-delete.plan.json"
    ))
    .unwrap();
    fake.put(
        "acme-banto-plans",
        "banto/plans/network/run-7/plan.json",
        plan.clone(),
    );
    let s3 = store(&fake, 1 << 20).await;
    let got = s3
        .get("acme-banto-plans", "banto/plans/network/run-7/plan.json")
        .await
        .unwrap();
    assert_eq!(got, plan);
    let summary = banto::domain::plan::summarize(std::str::from_utf8(&got).unwrap()).unwrap();
    assert_eq!(summary.counts.destroy, 1);

    let err = s3
        .get("acme-banto-plans", "banto/plans/network/run-8/plan.json")
        .await
        .unwrap_err();
    assert!(matches!(err, S3Error::NotFound { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "s3://acme-banto-plans/banto/plans/network/run-8/plan.json does not exist"
    );

    let small = store(&fake, 100).await;
    let err = small
        .get("acme-banto-plans", "banto/plans/network/run-7/plan.json")
        .await
        .unwrap_err();
    assert!(matches!(err, S3Error::TooLarge { .. }), "{err}");
}
