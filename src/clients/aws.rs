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
    /// S3 only: `endpoint/bucket/key` instead of `bucket.endpoint/key`.
    pub force_path_style: bool,
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
    pub fn from_config(config: &crate::config::Config) -> Self {
        Self::from_config_and_env(config, |k| std::env::var(k).ok())
    }

    /// Each service at `[aws.endpoints]`'s entry, else `AWS_ENDPOINT_URL_<SERVICE>`, else
    /// `[aws] endpoint_url`, else AWS itself; Amazon Translate in `[translate.amazon]`'s region.
    pub fn from_config_and_env(
        config: &crate::config::Config,
        env: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let aws = &config.aws;
        let target = |service: &str| AwsTarget {
            region: aws.region.clone(),
            endpoint_url: aws
                .endpoints
                .get(service)
                .cloned()
                .or_else(|| env(&format!("AWS_ENDPOINT_URL_{}", service.to_uppercase())))
                .filter(|u| !u.is_empty())
                .or_else(|| aws.endpoint_url.clone()),
            static_credentials: None,
            force_path_style: false,
        };
        let mut s3 = target("s3");
        s3.force_path_style = aws
            .s3_force_path_style
            .unwrap_or(s3.endpoint_url.is_some() && s3.endpoint_url == aws.endpoint_url);
        let mut translate = target("translate");
        if let Some(region) = config
            .translate
            .amazon
            .as_ref()
            .and_then(|a| a.region.clone())
        {
            translate.region = region;
        }
        Self {
            codebuild: target("codebuild"),
            s3,
            translate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    fn targets(toml: &str, env: &[(&str, &str)]) -> AwsTargets {
        let config = Config::parse(toml, Path::new("config.toml")).unwrap();
        AwsTargets::from_config_and_env(&config, |k| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn each_service_finds_its_own_endpoint_first() {
        let t = targets(
            "[aws]\nregion = \"ap-northeast-1\"\n\
             [aws.endpoints]\ncodebuild = \"https://vpce-1.codebuild.ap-northeast-1.vpce.amazonaws.com\"\n",
            &[(
                "AWS_ENDPOINT_URL_S3",
                "https://bucket.vpce-2.s3.ap-northeast-1.vpce.amazonaws.com",
            )],
        );
        assert_eq!(
            t.codebuild.endpoint_url.as_deref(),
            Some("https://vpce-1.codebuild.ap-northeast-1.vpce.amazonaws.com")
        );
        assert_eq!(
            t.s3.endpoint_url.as_deref(),
            Some("https://bucket.vpce-2.s3.ap-northeast-1.vpce.amazonaws.com")
        );
        assert!(
            !t.s3.force_path_style,
            "a VPC endpoint takes virtual-hosted style"
        );
        assert_eq!(t.translate.endpoint_url, None, "AWS itself");
    }

    #[test]
    fn the_single_endpoint_keeps_working_with_path_style_for_emulators() {
        let t = targets("[aws]\nendpoint_url = \"http://localhost:4566\"\n", &[]);
        for s in [&t.codebuild, &t.s3, &t.translate] {
            assert_eq!(s.endpoint_url.as_deref(), Some("http://localhost:4566"));
        }
        assert!(t.s3.force_path_style);
        let t = targets(
            "[aws]\nendpoint_url = \"http://localhost:4566\"\ns3_force_path_style = false\n\
             [translate.amazon]\nregion = \"us-west-2\"\n",
            &[],
        );
        assert!(!t.s3.force_path_style, "asked for");
        assert_eq!(t.translate.region, "us-west-2");
        assert_eq!(t.codebuild.region, "us-east-1");
    }
}
