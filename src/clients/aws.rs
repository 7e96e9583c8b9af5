//! Shared AWS SDK set-up for CodeBuild, S3 and Amazon Translate: region, injectable endpoint, credentials, and the
//! SDK's own retries off (the shared retry policy owns them).

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

/// Where and how to reach AWS.
#[derive(Clone, Debug, Default)]
pub struct AwsTarget {
    pub region: String,
    /// A fake or a VPC endpoint; `None` is AWS itself.
    pub endpoint_url: Option<String>,
    /// Fixed credentials (tests); `None` uses the SDK's chain (env, profile, IRSA, instance role).
    pub static_credentials: Option<(String, String)>,
}

impl AwsTarget {
    pub async fn sdk_config(&self) -> SdkConfig {
        crate::install_crypto_provider();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .retry_config(aws_config::retry::RetryConfig::disabled());
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some((id, secret)) = &self.static_credentials {
            loader = loader.credentials_provider(Credentials::new(
                id,
                secret,
                None,
                None,
                "banto-static",
            ));
        }
        loader.load().await
    }
}

/// Where each AWS service banto uses is reached.
#[derive(Clone, Debug, Default)]
pub struct AwsTargets {
    pub codebuild: AwsTarget,
    pub s3: AwsTarget,
    pub translate: AwsTarget,
}

impl AwsTargets {
    /// Every service at `[aws]`'s region and endpoint; Amazon Translate at its own if
    /// `[translate.amazon]` says so.
    pub fn from_config(config: &crate::config::Config) -> Self {
        let aws = AwsTarget {
            region: config.aws.region.clone(),
            endpoint_url: config.aws.endpoint_url.clone(),
            static_credentials: None,
        };
        let mut translate = aws.clone();
        if let Some(a) = &config.translate.amazon {
            if let Some(region) = &a.region {
                translate.region = region.clone();
            }
            if a.endpoint_url.is_some() {
                translate.endpoint_url = a.endpoint_url.clone();
            }
        }
        Self {
            codebuild: aws.clone(),
            s3: aws,
            translate,
        }
    }
}
