//! What needs no outside service: the secrets the configuration calls for, and the database.

use super::{Report, within};
use crate::config::{Config, Secrets};
use crate::domain::translate::Provider;
use crate::store::Store;

const SECRETS: &str = "Secrets";
const DATABASE: &str = "Database";

/// Each secret the configuration makes necessary, set or not (never its value).
pub(super) fn secrets(report: &mut Report, config: &Config, secrets: &Secrets) {
    let need = |report: &mut Report, set: bool, name: &str, why: &str| {
        if set {
            report.pass(SECRETS, format!("{name} is set"));
        } else {
            report.fail(
                SECRETS,
                format!("{name} is not set: {why}"),
                format!("set {name} (or {name}_FILE, a file holding it)"),
            );
        }
    };
    need(
        report,
        secrets.slack_bot_token.is_some(),
        "SLACK_BOT_TOKEN",
        "banto cannot speak in Slack",
    );
    match (&secrets.slack_signing_secret, &secrets.slack_app_token) {
        (None, None) => report.fail(
            SECRETS,
            "neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN is set: no request from Slack is accepted",
            "set SLACK_SIGNING_SECRET (Basic Information → Signing Secret) for HTTP, or SLACK_APP_TOKEN (xapp-…) for Socket Mode",
        ),
        (Some(_), _) => report.pass(SECRETS, "SLACK_SIGNING_SECRET is set"),
        (None, Some(_)) => report.pass(SECRETS, "SLACK_APP_TOKEN is set (Socket Mode)"),
    }
    let uses_github = !config.terraform.projects.is_empty()
        || !config.deploy.apps.is_empty()
        || config.postmortem.docs_repo.is_some()
        || config.postmortem.issues_repo.is_some();
    if uses_github {
        match (
            secrets.github_app_id,
            &secrets.github_app_private_key,
            &secrets.github_token,
        ) {
            (Some(_), Some(_), _) => report.pass(SECRETS, "GitHub App credentials are set"),
            (Some(_), None, _) | (None, Some(_), _) => report.fail(
                SECRETS,
                "only half of the GitHub App credentials is set",
                "set both GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY",
            ),
            (None, None, Some(_)) => report.pass(SECRETS, "GITHUB_TOKEN is set"),
            (None, None, None) => report.fail(
                SECRETS,
                "no GitHub credentials: the configured repositories cannot be read",
                "set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY",
            ),
        }
    }
    if !config.terraform.projects.is_empty() || !config.deploy.apps.is_empty() {
        need(
            report,
            secrets.github_webhook_secret.is_some(),
            "GITHUB_WEBHOOK_SECRET",
            "GitHub's pull request and package events are refused",
        );
    }
    if !config.terraform.projects.is_empty() {
        need(
            report,
            secrets.aws_events_secret.is_some(),
            "AWS_EVENTS_SECRET",
            "CodeBuild results (EventBridge → /aws/events) are refused",
        );
    }
    let argocd = config
        .deploy
        .apps
        .iter()
        .flat_map(|a| &a.envs)
        .any(|e| e.argocd_app.is_some());
    if argocd {
        need(
            report,
            secrets.argocd_webhook_secret.is_some(),
            "ARGOCD_WEBHOOK_SECRET",
            "Argo CD sync notifications are refused",
        );
    }
    if config.incidents.alerts.channel.is_some() {
        if secrets.alertmanager_secret.is_some() {
            report.pass(SECRETS, "ALERTMANAGER_SECRET is set");
        } else {
            report.warn(
                SECRETS,
                "ALERTMANAGER_SECRET is not set: Alertmanager's webhooks are refused (CloudWatch alarms still arrive)",
                "set ALERTMANAGER_SECRET to the bearer token in Alertmanager's http_config",
            );
        }
    }
    let t = &config.translate;
    let deepl_chosen = t.channels.values().any(|p| *p == Provider::Deepl)
        || (t.provider == Provider::Deepl && !t.auto_channels.is_empty());
    if secrets.deepl_api_key.is_some() {
        report.pass(SECRETS, "DEEPL_API_KEY is set");
    } else if deepl_chosen {
        report.fail(
            SECRETS,
            "DEEPL_API_KEY is not set, and channels are translated by DeepL",
            "set DEEPL_API_KEY, or choose another [translate] provider",
        );
    } else if t.provider == Provider::Deepl {
        report.warn(
            SECRETS,
            "DEEPL_API_KEY is not set: translation is off",
            "set DEEPL_API_KEY, or choose another [translate] provider",
        );
    }
}

/// Reachable, and every migration applied (nothing is changed: `banto migrate` applies them).
pub(super) async fn database(report: &mut Report, config: &Config) {
    let shown = crate::redact::url(&config.database.url);
    let store = match within(Store::connect(&config.database.url, 2)).await {
        Ok(s) => s,
        Err(e) => {
            report.fail(
                DATABASE,
                format!("{shown}: cannot connect: {e}"),
                "check [database] url (or DATABASE_URL), the network path and the credentials",
            );
            return;
        }
    };
    match within(store.migration_status()).await {
        Ok((applied, known)) => {
            let missing: Vec<_> = known.iter().filter(|m| !applied.contains(m)).collect();
            if missing.is_empty() {
                report.pass(
                    DATABASE,
                    format!(
                        "{shown}: reachable, {} of {} migrations applied",
                        applied.len(),
                        known.len()
                    ),
                );
            } else {
                report.fail(
                    DATABASE,
                    format!(
                        "{shown}: {} of {} migrations not applied (first: {})",
                        missing.len(),
                        known.len(),
                        missing[0]
                    ),
                    "run `banto migrate` (banto serve applies them too when it starts)",
                );
            }
        }
        Err(e) => report.fail(
            DATABASE,
            format!("{shown}: reachable, but the migrations cannot be read: {e}"),
            "check that banto's database user may read _sqlx_migrations",
        ),
    }
}
