//! Snapshots of the deploy messages in English and Japanese.

use super::*;
use crate::domain::deploy::{HoldWhy, Request};

use crate::messages::both;

#[test]
fn every_status_line_and_progress_in_both_languages() {
    let all = [
        DeployStatus::Awaiting {
            have: 1,
            need: 2,
            approvers: mention("UALICE"),
            approved_by: mention("UKENJI"),
            break_glass: Some("hotfix for INC-42 <!channel>".into()),
        },
        DeployStatus::Merging,
        DeployStatus::Merged {
            approved_by: mention("UKENJI"),
        },
        DeployStatus::Healthy,
        DeployStatus::Degraded {
            message: "Deployment web exceeded its progress deadline".into(),
        },
        DeployStatus::Rejected {
            by: mention("UBOB"),
            reason: "wrong tag".into(),
        },
        DeployStatus::Superseded {
            why: DeployWhy::Moved {
                env: "production".into(),
                current: "v1.4.4".into(),
            },
        },
        DeployStatus::Superseded {
            why: DeployWhy::Newer { id: DeployId(7) },
        },
        DeployStatus::Superseded {
            why: DeployWhy::MergeRefused {
                message: "Pull Request is not mergeable".into(),
            },
        },
    ];
    let mut out: Vec<String> = all.iter().map(|s| both(s)).collect();
    for step in 0..=4 {
        out.push(both(&DeployProgress {
            step,
            degraded: step == 4,
        }));
    }
    insta::assert_snapshot!(out.join("\n"));
}

fn freeze_line() -> HoldLine {
    HoldLine {
        kind: HoldKind::Freeze(crate::ids::IncidentId(3)),
        why: HoldWhy::Incident {
            severity: 2,
            title: "Checkout 500s".into(),
        },
        by: mention("UCAROL"),
    }
}

fn rollback_line() -> HoldLine {
    HoldLine {
        kind: HoldKind::Rollback,
        why: HoldWhy::RolledBack {
            from: Some("v1.5.0".into()),
            to: "v1.4.3".into(),
        },
        by: mention("UALICE"),
    }
}

fn manual_line() -> HoldLine {
    HoldLine {
        kind: HoldKind::Manual,
        why: HoldWhy::Said {
            text: "database migration".into(),
        },
        by: mention("UBOB"),
    }
}

#[test]
fn replies_in_both_languages() {
    let all = [
        DeployReply::Help {
            usage: &crate::commands::DeployCommand::USAGE,
        },
        DeployReply::Usage {
            command: "/promote".into(),
            input: "web".into(),
            usage: crate::commands::DeployCommand::USAGE[1],
        },
        DeployReply::UnknownEnv {
            app: "web".into(),
            env: "prod".into(),
            known: "`staging`, `production`".into(),
        },
        DeployReply::Started {
            app: "web".into(),
            env: "production".into(),
            tag: "v1.4.3".into(),
            id: DeployId(3),
            pr_url: "https://github.com/acme/gitops/pull/9".into(),
            channel: "CDEPLOY".into(),
            held: vec![rollback_line()],
        },
        DeployReply::Merged {
            app: "web".into(),
            env: "staging".into(),
            tag: "v2".into(),
            from: "v1".into(),
        },
        DeployReply::Frozen {
            app: "web".into(),
            env: "production".into(),
            window: "Fri 18:00 - Mon 09:00 Asia/Tokyo".into(),
            until: "Mon 2026-11-30 09:00 JST".into(),
            yours: Some("Sun 2026-11-29 16:00 PST".into()),
        },
        DeployReply::Held {
            app: "web".into(),
            env: "production".into(),
            tag: "v1.6.0".into(),
            holds: vec![freeze_line(), rollback_line()],
            automatic: true,
        },
        DeployReply::Held {
            app: "web".into(),
            env: "production".into(),
            tag: "v1.6.0".into(),
            holds: vec![freeze_line(), rollback_line()],
            automatic: false,
        },
        DeployReply::MergeFrozen {
            env: "production".into(),
            incidents: "INC-3".into(),
        },
        DeployReply::Unlocked {
            app: "web".into(),
            env: "production".into(),
            by: mention("UBOB"),
            released: vec![rollback_line(), manual_line()],
            frozen: vec![freeze_line()],
        },
        DeployReply::Unlocked {
            app: "web".into(),
            env: "production".into(),
            by: mention("UBOB"),
            released: vec![manual_line()],
            frozen: vec![],
        },
        DeployReply::NotLocked {
            app: "web".into(),
            env: "production".into(),
            frozen: vec![freeze_line()],
        },
        DeployReply::NotLocked {
            app: "web".into(),
            env: "production".into(),
            frozen: vec![],
        },
        DeployReply::Refused {
            file: "apps/web/values.yaml".into(),
            message: "line 3: the target is a block scalar".into(),
        },
        DeployReply::Moved {
            env: "production".into(),
            current: "v1.4.4".into(),
            tag: "v1.4.3".into(),
        },
        DeployReply::Status {
            lines: vec![EnvLine {
                app: "web".into(),
                env: "production".into(),
                tag: "v1.4.3".into(),
                holds: vec![freeze_line(), rollback_line()],
                open: vec![DeployId(4)],
            }],
        },
        DeployReply::History {
            app: "web".into(),
            env: "production".into(),
            lines: vec![HistoryLine {
                id: DeployId(4),
                tag: "v1.4.3".into(),
                from: "v1.4.2".into(),
                state_en: "healthy",
                state_ja: "正常稼働",
                by: mention("UBOB"),
            }],
        },
        DeployReply::ArgoCd {
            argo_app: "web-production".into(),
            sync: "Synced".into(),
            health: "Degraded".into(),
            revision: "0123456".into(),
            message: "Back-off pulling image".into(),
        },
    ];
    insta::assert_snapshot!(all.iter().map(|r| both(r)).collect::<Vec<_>>().join("\n"));
}

#[test]
fn the_card_has_buttons_only_while_approvable_and_a_bounded_diff() {
    let app: DeployApp = crate::config::Config::parse(
        "[[deploy.apps]]\nname = \"web\"\nimage = \"ghcr.io/acme/web\"\nrepo = \"acme/gitops\"\n\
         channel = \"C1\"\napprovers = { users = [\"UALICE\"] }\n[[deploy.apps.envs]]\n\
         name = \"production\"\nfile = \"web.yaml\"\n",
        std::path::Path::new("t.toml"),
    )
    .unwrap()
    .deploy
    .apps
    .remove(0);
    let mut d = Deploy::new(&Request {
        app: "web",
        env: "production",
        tag: "v2",
        from: Some("v1"),
        requested_by: "UBOB",
        min_approvals: 1,
        auto_merge: false,
        break_glass: None,
        rollback: false,
    });
    let meta = DeployMeta {
        pr: Some(9),
        diff: "-x\n+y\n".repeat(2_000),
        ..Default::default()
    };
    let c = card(DeployId(3), &d, &meta, &app, Locale::En);
    let text = serde_json::to_string(&c.blocks).unwrap();
    assert!(text.contains("deploy_approve"));
    assert!(text.contains("acme/gitops#9"));
    for b in c.blocks.as_ref().unwrap().as_array().unwrap() {
        let t = b["text"]["text"].as_str().unwrap_or("");
        assert!(t.chars().count() <= 3_000, "section over Slack's limit");
    }
    d.state = DeployState::Merged;
    let c = card(DeployId(3), &d, &meta, &app, Locale::Ja);
    assert!(
        !serde_json::to_string(&c.blocks)
            .unwrap()
            .contains("deploy_approve")
    );
}
