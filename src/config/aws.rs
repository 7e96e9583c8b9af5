//! `[aws]`: the region, endpoints per service (VPC endpoints, emulators) and limits shared by
//! CodeBuild, S3 and Amazon Translate.

use serde::Deserialize;

/// The services banto reaches, as `[aws.endpoints]` and `AWS_ENDPOINT_URL_<SERVICE>` name them.
pub const SERVICES: &[&str] = &["codebuild", "s3", "translate"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    #[serde(default = "default_aws_region")]
    pub region: String,
    /// An emulator or one endpoint for every service; unset is AWS itself.
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// Per service (`codebuild`, `s3`, `translate`): VPC endpoints are one per service. Before
    /// these come `AWS_ENDPOINT_URL_<SERVICE>`, then `endpoint_url`.
    #[serde(default)]
    pub endpoints: std::collections::BTreeMap<String, String>,
    /// Path-style S3 URLs (`endpoint/bucket/key`); unset: only with `endpoint_url` (emulators).
    pub s3_force_path_style: Option<bool>,
    /// Plan JSON larger than this is refused rather than read into memory.
    #[serde(default = "default_max_plan_bytes")]
    pub max_plan_bytes: u64,
}

fn default_aws_region() -> String {
    "us-east-1".into()
}
fn default_max_plan_bytes() -> u64 {
    512 * 1024 * 1024
}
