//! AWS: the CodeBuild projects exist (`BatchGetProjects`) and banto may read plans in each
//! artifact bucket.

use super::{Report, retry, within};
use crate::clients::aws::AwsTargets;
use crate::clients::codebuild::CodeBuildApi;
use crate::clients::s3::ArtifactStore;
use crate::config::Config;
use std::collections::BTreeSet;

const AWS: &str = "AWS";

pub(super) async fn check(report: &mut Report, config: &Config, aws: &AwsTargets) {
    let projects = &config.terraform.projects;
    if projects.is_empty() {
        return;
    }
    let names: Vec<String> = projects
        .iter()
        .flat_map(|p| {
            [
                p.codebuild_plan_project.clone(),
                p.codebuild_apply_project.clone(),
            ]
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let codebuild = CodeBuildApi::new(&aws.codebuild, retry()).await;
    let region = &aws.codebuild.region;
    match within(codebuild.missing_projects(&names)).await {
        Ok(missing) => {
            for name in &names {
                if missing.contains(name) {
                    report.fail(
                        AWS,
                        format!("CodeBuild project {name} does not exist in {region}"),
                        "create it (examples/aws/main.tf), or fix codebuild_plan_project / codebuild_apply_project",
                    );
                } else {
                    report.pass(AWS, format!("CodeBuild project {name} exists in {region}"));
                }
            }
        }
        Err(e) => report.fail(
            AWS,
            format!("CodeBuild cannot be asked: {e}"),
            "check the AWS credentials banto runs with (IRSA role, profile or keys) and that they allow codebuild:BatchGetProjects",
        ),
    }
    let artifacts = ArtifactStore::new(&aws.s3, retry(), config.aws.max_plan_bytes).await;
    let places: BTreeSet<(&str, &str)> = projects
        .iter()
        .map(|p| (p.artifact_bucket.as_str(), p.artifact_prefix.as_str()))
        .collect();
    for (bucket, prefix) in places {
        let at = format!("s3://{bucket}/{prefix}");
        match within(artifacts.probe(bucket, prefix)).await {
            Ok(()) => report.pass(AWS, format!("{at} is readable")),
            Err(e) if e.contains("NoSuchBucket") => report.fail(
                AWS,
                format!("{at}: the bucket does not exist"),
                "create it (examples/aws/main.tf), or fix artifact_bucket",
            ),
            Err(e) => report.fail(
                AWS,
                format!("{at} cannot be read: {e}"),
                format!("allow banto's role s3:GetObject on arn:aws:s3:::{bucket}/{prefix}* and s3:ListBucket on the bucket (without it S3 answers a missing plan with AccessDenied)"),
            ),
        }
    }
}
