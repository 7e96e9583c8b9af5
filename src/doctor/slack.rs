//! Slack: the bot token and its scopes against `slack-app-manifest.yml`, the Socket Mode token,
//! every configured channel (exists, banto is in it, not archived) and user group.

use super::{Report, retry, within};
use crate::clients::slack::{SlackApi, manifest_scopes};
use crate::config::{Config, Secrets};
use crate::ids::{ChannelId, UserGroupId};
use std::collections::BTreeMap;

const SLACK: &str = "Slack";

pub(super) async fn check(report: &mut Report, config: &Config, secrets: &Secrets) {
    let Some(token) = &secrets.slack_bot_token else {
        report.fail(
            SLACK,
            "not checked: SLACK_BOT_TOKEN is not set",
            "set SLACK_BOT_TOKEN (OAuth & Permissions → Bot User OAuth Token, xoxb-…)",
        );
        return;
    };
    let slack = match SlackApi::new(&config.slack.api_url, token, retry(), true) {
        Ok(s) => s,
        Err(e) => {
            report.fail(
                SLACK,
                format!("cannot build the client: {e}"),
                "check [slack] api_url",
            );
            return;
        }
    };
    match within(slack.identity()).await {
        Ok(me) => {
            report.pass(
                SLACK,
                format!("bot token works: <@{}> in {}", me.user_id, me.team),
            );
            let missing: Vec<String> = manifest_scopes()
                .into_iter()
                .filter(|s| !me.scopes.contains(s))
                .collect();
            if missing.is_empty() {
                report.pass(
                    SLACK,
                    format!("{} scopes, all the manifest asks for", me.scopes.len()),
                );
            } else {
                report.fail(
                    SLACK,
                    format!("the token lacks scopes: {}", missing.join(", ")),
                    "add them under OAuth & Permissions (or update the app from slack-app-manifest.yml), then reinstall the app to the workspace",
                );
            }
        }
        Err(e) => {
            let fix = if e.contains("invalid_auth")
                || e.contains("not_authed")
                || e.contains("token_revoked")
            {
                "SLACK_BOT_TOKEN is not a valid bot token: copy the Bot User OAuth Token (xoxb-…) again"
            } else {
                "check [slack] api_url and that banto can reach Slack"
            };
            report.fail(SLACK, format!("auth.test failed: {e}"), fix);
            return;
        }
    }
    if let Some(app_token) = &secrets.slack_app_token {
        match within(slack.app_token_works(app_token)).await {
            Ok(()) => report.pass(SLACK, "SLACK_APP_TOKEN opens Socket Mode"),
            Err(e) => report.fail(
                SLACK,
                format!("SLACK_APP_TOKEN refused: {e}"),
                "make an app-level token with connections:write (Basic Information → App-Level Tokens) and turn Socket Mode on",
            ),
        }
    }
    for (channel, uses) in channels(config) {
        let uses = uses.join(", ");
        match within(slack.channel_status(&channel)).await {
            Ok(c) if c.is_archived => report.fail(
                SLACK,
                format!("#{} ({channel}) is archived — {uses}", c.name),
                "unarchive it, or name another channel in config.toml",
            ),
            Ok(c) if !c.is_member => report.fail(
                SLACK,
                format!("banto is not in #{} ({channel}) — {uses}", c.name),
                format!("type `/invite @banto` in #{}", c.name),
            ),
            Ok(c) => report.pass(SLACK, format!("#{} ({channel}) — {uses}", c.name)),
            Err(e) => report.fail(
                SLACK,
                format!("{channel} cannot be seen: {e} — {uses}"),
                "check the channel id (channel details → About, at the bottom); a private channel needs banto invited first",
            ),
        }
    }
    for (group, uses) in groups(config) {
        let uses = uses.join(", ");
        match within(slack.usergroup_members(&UserGroupId(group.clone()))).await {
            Ok(m) if m.is_empty() => report.warn(
                SLACK,
                format!("user group {group} has no members — {uses}"),
                "add people to it, or nobody from it can approve or be invited",
            ),
            Ok(m) => report.pass(
                SLACK,
                format!("user group {group}, members: {} — {uses}", m.len()),
            ),
            Err(e) => report.fail(
                SLACK,
                format!("user group {group} does not resolve: {e} — {uses}"),
                "check the id (S…); reading groups needs the usergroups:read scope",
            ),
        }
    }
}

/// Every channel id in the configuration, with what it is used for.
fn channels(config: &Config) -> BTreeMap<ChannelId, Vec<String>> {
    let mut out: BTreeMap<ChannelId, Vec<String>> = BTreeMap::new();
    let mut add = |c: &ChannelId, what: String| out.entry(c.clone()).or_default().push(what);
    if let Some(c) = &config.slack.ops_channel {
        add(c, "ops channel".into());
    }
    for c in config.slack.channel_locales.keys() {
        add(c, "channel language".into());
    }
    for p in &config.terraform.projects {
        add(&p.channel, format!("Terraform project {}", p.name));
    }
    for a in &config.deploy.apps {
        add(&a.channel, format!("deploys of {}", a.name));
    }
    if let Some(c) = &config.incidents.broadcast_channel {
        add(c, "incident announcements".into());
    }
    if let Some(c) = &config.incidents.alerts.channel {
        add(c, "alert cards".into());
    }
    for c in &config.translate.auto_channels {
        add(c, "automatic translation".into());
    }
    for c in config.translate.channels.keys() {
        add(c, "translation provider".into());
    }
    out
}

/// Every user group id, with who uses it.
fn groups(config: &Config) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |groups: &[UserGroupId], what: String| {
        for g in groups {
            out.entry(g.0.clone()).or_default().push(what.clone());
        }
    };
    for p in &config.terraform.projects {
        add(
            &p.approvers.groups,
            format!("approves Terraform project {}", p.name),
        );
    }
    for a in &config.deploy.apps {
        add(
            &a.approvers.groups,
            format!("approves deploys of {}", a.name),
        );
    }
    for (name, p) in &config.incidents.playbooks {
        add(
            &p.responders.groups,
            format!("responders of {name} incidents"),
        );
        for (sev, policy) in p.severity.get_ref() {
            add(
                &policy.invite.groups,
                format!("invited to SEV{sev} {name} incidents"),
            );
        }
    }
    out
}
