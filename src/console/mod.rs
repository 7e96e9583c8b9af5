//! `banto console`: the real bot on the fake world, in a terminal (like Errbot's text backend).
//! Reads lines from any reader, so scripts and tests can drive it.

mod forms;
mod render;

pub use render::render_message;
use render::{channel_name, nth_button, render_new};

use crate::config::Config;
use crate::fake::slack::FakeMessage;
use crate::fake::world::{World, WorldOptions};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

const HELP: &str = "\
Lines starting with / are slash commands; other lines are messages in the current channel.
  /tf plan network      plan the demo Terraform project (CodeBuild finishes by itself)
  /deploy web 1.5.0     deploy to staging (auto-merges); then /promote web staging production
  /incident DB latency  declare an incident (a channel, a card, a checklist, suspects); then,
                        in its channel, /incident status identified, update …, timeline,
                        resolve: the postmortem draft is shown (/incident help lists everything)
  :as <user>            act as another user (alice, bob, kenji)
  :in <#channel>        move to another channel
  :react <n> <emoji>    add a reaction to message n (`mine`: your last message here;
                        pushpin puts it on an incident's timeline, flag-jp / flag-us
                        translate it into its thread)
  :click <n> <button>   click a button (by label or number) on message n
  :thread <n>           post the next plain lines as replies to message n (:thread off to stop)
  :alert <name> [sev]   Alertmanager fires <name> (sev: critical, error, warning, info) for
                        the web service: a card in #alerts to declare or attach from
  :alert resolve <name> the alert resolves
  :submit [f=v …]       submit the form banto opened, as filled (or with fields changed)
  :wait [seconds]       let time pass (builds finish, cards get edited)
  :channels             list channels and who is in them
  :help                 this text
  :quit                 leave";

const DEMO_SHA: &str = "5e1f0c2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";

/// The demo's Terraform project, used when config.toml defines none: `/tf plan network`.
fn demo_terraform() -> crate::config::TerraformConfig {
    let text = r##"
[terraform]
[[terraform.projects]]
name = "network"
repo = "acme/infra"
dir = "envs/prod/network"
codebuild_plan_project = "banto-tf-plan"
codebuild_apply_project = "banto-tf-apply"
artifact_bucket = "acme-banto-plans"
channel = "#infra"
approvers = { users = ["@alice", "@bob"], groups = ["&sre-leads"] }
[[terraform.projects.risk]]
resource_types = ["aws_nat_gateway", "aws_db_instance"]
actions = ["delete", "replace"]
min_approvals = 2
"##;
    let mut terraform = Config::parse(text, std::path::Path::new("<console demo>"))
        .expect("the demo project is valid")
        .terraform;
    terraform.policies.push(demo_policies());
    terraform
}

/// examples/policies, built in, checking the demo project; sre-leads (kenji) own it.
fn demo_policies() -> crate::config::PolicySet {
    macro_rules! rego {
        ($($name:literal),*) => {
            vec![$((
                std::path::PathBuf::from(concat!("examples/policies/terraform/", $name)),
                std::path::PathBuf::from(concat!("terraform/", $name)),
                include_str!(concat!("../../examples/policies/terraform/", $name)).to_owned(),
            )),*]
        };
    }
    let files = rego![
        "egress.rego",
        "iam.rego",
        "network.rego",
        "s3_public.rego",
        "stateful.rego",
        "tags.rego"
    ];
    let mut set: crate::config::PolicySet = toml::from_str(
        r#"
name = "aws-basics"
paths = ["examples/policies"]
owners = { groups = ["&sre-leads"] }
"#,
    )
    .expect("the demo policy set is valid");
    set.bundle = std::sync::Arc::new(Some(
        crate::policy::Bundle::compile(files).expect("the example policies compile"),
    ));
    set
}

/// The demo's GitOps app, used when config.toml defines none: `/deploy web 1.5.0`.
fn demo_deploy() -> crate::config::DeployConfig {
    let text = r##"
[[deploy.apps]]
name = "web"
image = "ghcr.io/acme/web"
repo = "acme/gitops"
channel = "#deploys"
approvers = { users = ["@alice", "@bob"], groups = ["&sre-leads"] }
tag_policy = { semver = ">=1.0.0" }
[[deploy.apps.envs]]
name = "staging"
file = "apps/web/staging/values.yaml"
key = "image.tag"
auto_merge = true
auto_deploy = true
[[deploy.apps.envs]]
name = "production"
file = "apps/web/production/kustomization.yaml"
kustomize = "ghcr.io/acme/web"
freeze = ["Fri 18:00 - Mon 09:00 Asia/Tokyo"]
"##;
    Config::parse(text, std::path::Path::new("<console demo>"))
        .expect("the demo app is valid")
        .deploy
}

struct Session {
    world: World,
    user: String,
    channel: String,
    thread: Option<String>,
    shown: Vec<FakeMessage>,
    /// Forms banto opened that were already printed.
    views_seen: usize,
    /// Files banto shared that were already printed.
    files_seen: usize,
    /// Alerts fired with `:alert`, by name: their severity and when they started.
    alerts: std::collections::BTreeMap<String, (String, i64)>,
}

/// A message as last printed, to notice when banto edits it.
fn same(a: &FakeMessage, b: &FakeMessage) -> bool {
    a.text == b.text && a.blocks == b.blocks
}

pub async fn run(
    config: Config,
    input: impl AsyncRead + Unpin,
    mut out: impl AsyncWrite + Unpin,
) -> anyhow::Result<()> {
    let mut config = config;
    config.workers.poll_interval_ms = 50;
    if config.terraform.projects.is_empty() {
        config.terraform = demo_terraform();
    }
    let demo_apps = config.deploy.apps.is_empty();
    if demo_apps {
        config.deploy = demo_deploy();
    }
    if config.incidents.broadcast_channel.is_none() {
        config.incidents.broadcast_channel = Some("#incidents".into());
    }
    if config.postmortem.zones.is_empty() {
        config.postmortem.zones = vec![chrono_tz::Asia::Tokyo, chrono_tz::America::Los_Angeles];
    }
    if config.incidents.alerts.channel.is_none() {
        config.incidents.alerts.channel = Some("#alerts".into());
    }
    if config.incidents.default_type.is_none()
        && config.incidents.playbooks.contains_key("database")
    {
        config.incidents.default_type = Some("database".into());
    }
    let world = World::start_with(WorldOptions {
        config,
        check_unseen: false,
        ..Default::default()
    })
    .await?;
    for p in &world.app.config.terraform.projects {
        world.github.set_ref(p.repo.as_str(), "HEAD", DEMO_SHA);
        world.github.set_ref(p.repo.as_str(), "main", DEMO_SHA);
    }
    if demo_apps {
        world.github.seed_repo(
            "acme/gitops",
            &[
                (
                    "apps/web/staging/values.yaml",
                    include_str!("../../examples/gitops/apps/web/staging/values.yaml"),
                ),
                (
                    "apps/web/production/kustomization.yaml",
                    include_str!("../../examples/gitops/apps/web/production/kustomization.yaml"),
                ),
            ],
        );
    }
    // CodeBuild plans and applies by itself, a moment after each build starts.
    let autopilot = world.aws_side().autopilot(
        include_str!("../../examples/plans/network.plan.json").to_owned(),
        vec![(
            "infracost.json",
            include_str!("../../examples/plans/network.infracost.json").to_owned(),
        )],
        std::time::Duration::from_millis(300),
    );
    let mut s = Session {
        world,
        user: "alice".into(),
        channel: "#ops".into(),
        thread: None,
        shown: vec![],
        views_seen: 0,
        files_seen: 0,
        alerts: Default::default(),
    };
    out.write_all(
        format!(
            "banto console — a fake Slack workspace with alice, bob and kenji (日本語).\n{HELP}\n"
        )
        .as_bytes(),
    )
    .await?;
    let mut lines = BufReader::new(input).lines();
    loop {
        out.write_all(format!("{} in {}> ", s.user, s.channel).as_bytes())
            .await?;
        out.flush().await?;
        let Some(line) = lines.next_line().await? else {
            break;
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line == ":quit" {
            break;
        }
        match step(&mut s, line).await {
            Ok(text) => out.write_all(text.as_bytes()).await?,
            Err(e) => out.write_all(format!("! {e:#}\n").as_bytes()).await?,
        }
    }
    autopilot.abort();
    s.world.shutdown().await;
    out.write_all(b"bye\n").await?;
    out.flush().await?;
    Ok(())
}

async fn step(s: &mut Session, line: &str) -> anyhow::Result<String> {
    let mut words = line.split_whitespace();
    match words.next().unwrap_or_default() {
        ":help" => return Ok(format!("{HELP}\n")),
        ":as" => {
            let name = words.next().unwrap_or_default();
            s.world.user(name); // panics with the known names if unknown
            s.user = name.to_owned();
            return Ok(String::new());
        }
        ":in" => {
            let name = format!(
                "#{}",
                words.next().unwrap_or_default().trim_start_matches('#')
            );
            anyhow::ensure!(
                s.world.slack.state().channel_by_name(&name).is_some(),
                "no channel {name}; see :channels"
            );
            s.channel = name;
            s.thread = None;
            return Ok(String::new());
        }
        ":channels" => {
            let st = s.world.slack.state();
            let mut out = String::new();
            for c in st.channels.values() {
                let members: Vec<&str> = c
                    .members
                    .iter()
                    .filter_map(|m| st.users.get(m))
                    .map(|u| u.name.as_str())
                    .collect();
                out.push_str(&format!(
                    "  #{:<20} {}{}\n",
                    c.name,
                    if c.is_private { "(private) " } else { "" },
                    members.join(", ")
                ));
            }
            return Ok(out);
        }
        ":thread" => {
            let arg = words.next().unwrap_or("off");
            s.thread = if arg == "off" {
                None
            } else {
                Some(shown(s, arg)?.ts.clone())
            };
            return Ok(String::new());
        }
        ":react" => {
            let m = match words.next().unwrap_or_default() {
                "mine" => own_last(s)?,
                n => shown(s, n)?.clone(),
            };
            let emoji = words.next().unwrap_or("eyes");
            let channel = channel_name(s, &m.channel);
            s.world.react(&s.user, &channel, &m.ts, emoji).await?;
        }
        ":click" => {
            let m = shown(s, words.next().unwrap_or_default())?.clone();
            let button = words.collect::<Vec<_>>().join(" ");
            let button = nth_button(&m, &button).unwrap_or(button);
            s.world.click(&s.user, &m, &button).await?;
        }
        ":alert" => {
            let now = s.world.app.clock.now_ms();
            match (words.next(), words.next()) {
                (Some("resolve"), Some(name)) => {
                    let (severity, started) = s
                        .alerts
                        .remove(name)
                        .ok_or_else(|| anyhow::anyhow!("no alert {name} is firing"))?;
                    s.world.alert(name, &severity, started, Some(now)).await?;
                }
                (Some(name), severity) => {
                    let severity = severity.unwrap_or("critical").to_owned();
                    s.alerts.insert(name.to_owned(), (severity.clone(), now));
                    s.world.alert(name, &severity, now, None).await?;
                }
                (None, _) => {
                    anyhow::bail!("usage: :alert <name> [severity] | :alert resolve <name>")
                }
            }
        }
        ":submit" => {
            let user = s.world.user(&s.user);
            let view = s
                .world
                .slack
                .state()
                .views
                .iter()
                .rev()
                .find(|v| v.user == user)
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("banto has not opened a form for you"))?;
            let overrides: Vec<(String, String)> = words
                .filter_map(|w| w.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.replace('_', " ")))
                .collect();
            let values = forms::values(&view.view, &overrides);
            let callback = view.view["callback_id"].as_str().unwrap_or_default();
            let meta = view.view["private_metadata"].as_str().unwrap_or_default();
            s.world.submit_view(&s.user, callback, meta, values).await?;
        }
        ":wait" => {
            let secs: f64 = words.next().and_then(|w| w.parse().ok()).unwrap_or(1.0);
            tokio::time::sleep(std::time::Duration::from_secs_f64(secs.clamp(0.0, 60.0))).await;
        }
        w if w.starts_with(':') => anyhow::bail!("unknown console command {w}; try :help"),
        _ if line.starts_with('/') => s.world.slash(&s.user, &s.channel, line).await?,
        _ => {
            s.world
                .say(&s.user, &s.channel, line, s.thread.as_deref())
                .await?;
        }
    }
    s.world.drain().await?;
    Ok(render_new(s))
}

/// The last message the current user posted in the current channel.
fn own_last(s: &Session) -> anyhow::Result<FakeMessage> {
    let (user, channel) = (s.world.user(&s.user), s.world.channel(&s.channel));
    s.world
        .slack
        .state()
        .messages
        .iter()
        .rev()
        .find(|m| m.user == user && m.channel == channel && !m.from_bot)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("you have not said anything here yet"))
}

fn shown<'a>(s: &'a Session, n: &str) -> anyhow::Result<&'a FakeMessage> {
    n.parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| s.shown.get(i))
        .ok_or_else(|| anyhow::anyhow!("no message [{n}]"))
}
