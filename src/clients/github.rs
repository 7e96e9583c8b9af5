//! GitHub REST client: octocrab with App or token auth, base URL injectable, octocrab's own
//! retries off (banto's retry policy owns retries).

use super::retry::RetryPolicy;
use crate::config::Secrets;
use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;

#[derive(Clone)]
pub struct GithubApi {
    pub octocrab: Octocrab,
    pub retry: RetryPolicy,
}

impl GithubApi {
    /// App auth (`GITHUB_APP_ID` + `GITHUB_APP_PRIVATE_KEY`) wins over `GITHUB_TOKEN`; with
    /// neither, the client is anonymous and every call that needs auth fails with GitHub's 401.
    pub fn new(api_url: &str, secrets: &Secrets, retry: RetryPolicy) -> anyhow::Result<Self> {
        let mut builder = Octocrab::builder()
            .base_uri(api_url)
            .map_err(|e| anyhow::anyhow!("github.api_url {api_url:?}: {e}"))?
            .add_retry_config(RetryConfig::None);
        if let (Some(id), Some(key)) = (secrets.github_app_id, &secrets.github_app_private_key) {
            let key = octocrab::EncodingKey::from_rsa_pem(key.expose().as_bytes())
                .map_err(|_| anyhow::anyhow!("GITHUB_APP_PRIVATE_KEY is not an RSA PEM key"))?;
            builder = builder.app(id.into(), key);
        } else if let Some(token) = &secrets.github_token {
            builder = builder.personal_token(token.expose().to_owned());
        }
        Ok(Self {
            octocrab: builder.build()?,
            retry,
        })
    }
}
