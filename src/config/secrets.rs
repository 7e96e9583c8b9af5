//! Credentials, from the environment only, never printed.

use std::fmt;

/// A value that never prints (`Debug` and `Display` show `***`), is zeroed when dropped, and
/// cannot be compared by accident (no `PartialEq`: compare exposed bytes in constant time).
#[derive(Clone)]
pub struct Secret(secrecy::SecretString);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(secrecy::SecretString::from(s.into()))
    }
    pub fn expose(&self) -> &str {
        use secrecy::ExposeSecret;
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Every credential banto can use, each from one environment variable.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    pub slack_bot_token: Option<Secret>,
    pub slack_signing_secret: Option<Secret>,
    pub slack_app_token: Option<Secret>,
    pub github_token: Option<Secret>,
    pub github_app_id: Option<u64>,
    pub github_app_private_key: Option<Secret>,
    pub github_webhook_secret: Option<Secret>,
    /// Shared secret EventBridge API destinations send as `Authorization: Bearer …`.
    pub aws_events_secret: Option<Secret>,
    /// Shared secret Argo CD notifications send as `Authorization: Bearer …`.
    pub argocd_webhook_secret: Option<Secret>,
    /// Bearer token Alertmanager's webhook sends (`http_config.authorization`).
    pub alertmanager_secret: Option<Secret>,
    /// DeepL's API key: translation is on when it is set.
    pub deepl_api_key: Option<Secret>,
    /// A key for `[translate.llm]`, if its gateway wants one (sent as a bearer token).
    pub translate_llm_api_key: Option<Secret>,
    /// Replaces `[database] url` (a PostgreSQL URL with its password belongs with the secrets).
    pub database_url: Option<Secret>,
}

pub const SECRET_VARS: &[&str] = &[
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "GITHUB_TOKEN",
    "GITHUB_APP_ID",
    "GITHUB_APP_PRIVATE_KEY",
    "GITHUB_WEBHOOK_SECRET",
    "AWS_EVENTS_SECRET",
    "ARGOCD_WEBHOOK_SECRET",
    "ALERTMANAGER_SECRET",
    "DEEPL_API_KEY",
    "TRANSLATE_LLM_API_KEY",
    "DATABASE_URL",
];

impl Secrets {
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Each credential from `X` or from the file named by `X_FILE` (mounted Kubernetes
    /// secrets); setting both is an error, and a file's trailing newline is not part of it.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let read = |k: &str| -> anyhow::Result<Option<String>> {
            let direct = get(k).filter(|v| !v.is_empty());
            let file = get(&format!("{k}_FILE")).filter(|v| !v.is_empty());
            match (direct, file) {
                (Some(_), Some(_)) => {
                    anyhow::bail!("set {k} or {k}_FILE, not both")
                }
                (Some(v), None) => Ok(Some(v)),
                (None, Some(path)) => {
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        anyhow::anyhow!("{k}_FILE: cannot read {path}: {}", e.kind())
                    })?;
                    let value = text.trim_end_matches(['\n', '\r']).to_owned();
                    anyhow::ensure!(!value.is_empty(), "{k}_FILE: {path} is empty");
                    Ok(Some(value))
                }
                (None, None) => Ok(None),
            }
        };
        let secret = |k: &str| read(k).map(|v| v.map(Secret::new));
        let github_app_id = match read("GITHUB_APP_ID")? {
            Some(v) => Some(
                v.trim()
                    .parse()
                    .map_err(|_| anyhow::anyhow!("GITHUB_APP_ID must be a number"))?,
            ),
            None => None,
        };
        Ok(Self {
            slack_bot_token: secret("SLACK_BOT_TOKEN")?,
            slack_signing_secret: secret("SLACK_SIGNING_SECRET")?,
            slack_app_token: secret("SLACK_APP_TOKEN")?,
            github_token: secret("GITHUB_TOKEN")?,
            github_app_id,
            github_app_private_key: secret("GITHUB_APP_PRIVATE_KEY")?,
            github_webhook_secret: secret("GITHUB_WEBHOOK_SECRET")?,
            aws_events_secret: secret("AWS_EVENTS_SECRET")?,
            argocd_webhook_secret: secret("ARGOCD_WEBHOOK_SECRET")?,
            alertmanager_secret: secret("ALERTMANAGER_SECRET")?,
            deepl_api_key: secret("DEEPL_API_KEY")?,
            translate_llm_api_key: secret("TRANSLATE_LLM_API_KEY")?,
            database_url: secret("DATABASE_URL")?,
        })
    }

    /// `(variable, is set)` for each credential, for `check-config`; never the values.
    pub fn presence(&self) -> Vec<(&'static str, bool)> {
        let set = [
            self.slack_bot_token.is_some(),
            self.slack_signing_secret.is_some(),
            self.slack_app_token.is_some(),
            self.github_token.is_some(),
            self.github_app_id.is_some(),
            self.github_app_private_key.is_some(),
            self.github_webhook_secret.is_some(),
            self.aws_events_secret.is_some(),
            self.argocd_webhook_secret.is_some(),
            self.alertmanager_secret.is_some(),
            self.deepl_api_key.is_some(),
            self.translate_llm_api_key.is_some(),
            self.database_url.is_some(),
        ];
        SECRET_VARS.iter().copied().zip(set).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secrets =
            Secrets::from_lookup(|k| (k == "SLACK_BOT_TOKEN").then(|| "xoxb-123-abc".into()))
                .unwrap();
        let shown = format!("{secrets:?}");
        assert!(!shown.contains("xoxb-123-abc"), "{shown}");
        assert!(secrets.presence().contains(&("SLACK_BOT_TOKEN", true)));
        assert!(
            secrets
                .presence()
                .contains(&("SLACK_SIGNING_SECRET", false))
        );
    }

    #[test]
    fn secrets_come_from_files_for_mounted_kubernetes_secrets() {
        let dir = std::env::temp_dir().join(format!("banto-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let token = dir.join("token");
        std::fs::write(&token, "xoxb-from-a-file\n").unwrap();
        let path = token.to_str().unwrap().to_owned();
        let env = |pairs: Vec<(&'static str, String)>| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        };
        let s = Secrets::from_lookup(env(vec![("SLACK_BOT_TOKEN_FILE", path.clone())])).unwrap();
        assert_eq!(
            s.slack_bot_token.unwrap().expose(),
            "xoxb-from-a-file",
            "the file's newline is not part of the token"
        );
        let both = Secrets::from_lookup(env(vec![
            ("SLACK_BOT_TOKEN", "xoxb-direct".into()),
            ("SLACK_BOT_TOKEN_FILE", path),
        ]))
        .unwrap_err()
        .to_string();
        assert_eq!(
            both,
            "set SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE, not both"
        );
        let missing = Secrets::from_lookup(env(vec![(
            "GITHUB_WEBHOOK_SECRET_FILE",
            "/nonexistent/banto".into(),
        )]))
        .unwrap_err()
        .to_string();
        assert!(
            missing.starts_with("GITHUB_WEBHOOK_SECRET_FILE: cannot read /nonexistent/banto"),
            "{missing}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
