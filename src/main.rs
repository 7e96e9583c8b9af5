use anyhow::Context;
use banto::app::App;
use banto::config::{Config, Secrets};
use banto::store::{Queue, Store};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "banto",
    version,
    about = "ChatOps for SRE teams, in English and Japanese"
)]
struct Cli {
    /// Configuration file.
    #[arg(
        long,
        global = true,
        env = "BANTO_CONFIG",
        default_value = "config.toml"
    )]
    config: PathBuf,
    /// Log lines as text for people, or as JSON objects for a log pipeline (each line of an
    /// event's handling carries its dedupe key under `span.key`).
    #[arg(long, global = true, value_enum, env = "BANTO_LOG_FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Slack and GitHub requests and run the workers.
    Serve {
        #[arg(long, value_enum, default_value_t = Role::All)]
        role: Role,
    },
    /// Try banto without a workspace: the real bot on a fake Slack, in your terminal.
    Console,
    /// Validate a configuration file and show what it sets (secrets only as set/unset).
    CheckConfig { path: Option<PathBuf> },
    /// Terraform helpers that run anywhere (no Slack, no database).
    Tf {
        #[command(subcommand)]
        command: TfCommand,
    },
    /// Policy helpers that run anywhere, e.g. in CI (no Slack, no database).
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// GitOps helpers that run anywhere (no Slack, no GitHub).
    Gitops {
        #[command(subcommand)]
        command: GitopsCommand,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Check the set-up against the real services: Slack token, scopes and channels, user
    /// groups, GitHub repositories, CodeBuild projects, artifact buckets, the database and the
    /// secrets. Prints ✓/✗ with the fix; exits 1 when anything failed.
    Doctor,
    /// Ask the running banto (at `[server] listen`) whether it is alive: exit 0 or 1. The
    /// container's health check.
    Health,
    /// List accepted events: parked ones (failed every retry) by default.
    Inbox {
        /// pending, parked, done, ignored (verified events banto could not use, with why) or all.
        #[arg(long, default_value = "parked")]
        state: String,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Put a parked event back in line.
        #[arg(long)]
        retry: Option<i64>,
    },
    /// The tamper-evident audit log: approvals, applies, deploys, locks, force-unlocks.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exits non-zero naming the first entry that was changed.
    Verify,
    /// Show entries, oldest first.
    List {
        /// Only entries about this subject (e.g. `tf:network`, `deploy:web/production`).
        #[arg(long)]
        subject: Option<String>,
    },
}

#[derive(Subcommand)]
enum TfCommand {
    /// Print the masked summary of `terraform show -json` output, as the card and PR comment show it.
    Summarize {
        /// The JSON plan (`terraform show -json plan.out > plan.json`); `-` reads standard input.
        plan: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Check a plan against Rego policies as banto does before approval, with conftest's output
    /// and exit codes (1 on any failure); `_test.rego` files' `test_` rules run too.
    Test {
        /// Policy folders or files.
        #[arg(default_value = "policies")]
        paths: Vec<PathBuf>,
        /// The JSON plan (`terraform show -json plan.out > plan.json`); `-` reads standard input.
        #[arg(long)]
        plan: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
    },
}

#[derive(Subcommand)]
enum GitopsCommand {
    /// Set an image tag in a YAML file exactly as banto's deploys do, changing nothing else, and
    /// print the result (or a diff). Exits non-zero with the reason when it refuses.
    #[command(group(clap::ArgGroup::new("locator").required(true).args(["image", "key", "kustomize", "setter"])))]
    SetTag {
        file: PathBuf,
        /// Every `image: <repository>:…` of this repository (Deployments, CronJobs, …).
        #[arg(long)]
        image: Option<String>,
        /// A key path such as `image.tag` (Helm values).
        #[arg(long)]
        key: Option<String>,
        /// With --key: the sibling `repository` must be this image.
        #[arg(long, requires = "key")]
        repository: Option<String>,
        /// The `images:` entry with this name in a kustomization.
        #[arg(long)]
        kustomize: Option<String>,
        /// A Flux setter marker policy, e.g. `flux-system:web`.
        #[arg(long)]
        setter: Option<String>,
        /// The new tag, or a digest `sha256:…`.
        #[arg(long)]
        tag: String,
        /// Print a unified diff instead of the file.
        #[arg(long)]
        diff: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Markdown,
    /// Block Kit JSON: the card's blocks and the thread's messages.
    Slack,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lang {
    En,
    Ja,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Role {
    /// HTTP ingress and workers.
    All,
    /// Only accept and persist events (workers run elsewhere).
    Ingress,
    /// Only handle persisted events.
    Worker,
}

/// A stored time in the workspace's zone, for operators reading the CLI.
fn local_time(config: &Config, millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| {
            t.with_timezone(&config.slack.time_zone)
                .format("%Y-%m-%d %H:%M:%S %Z")
                .to_string()
        })
        .unwrap_or_default()
}

fn main() -> std::process::ExitCode {
    banto::install_crypto_provider();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("banto: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "banto=info,warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => logs.try_init(),
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .try_init(),
    };
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::CheckConfig { path } => check_config(&path.unwrap_or(cli.config)),
        Command::Console => {
            init_tracing(cli.log_format);
            let config = load(&cli.config)?;
            banto::console::run(config, tokio::io::stdin(), tokio::io::stdout()).await
        }
        Command::Tf {
            command: TfCommand::Summarize { plan, format, lang },
        } => summarize(&plan, format, lang),
        Command::Policy {
            command: PolicyCommand::Test { paths, plan, lang },
        } => policy_test(&paths, plan.as_deref(), lang),
        Command::Gitops {
            command:
                GitopsCommand::SetTag {
                    file,
                    image,
                    key,
                    repository,
                    kustomize,
                    setter,
                    tag,
                    diff,
                },
        } => {
            use banto::domain::yaml_edit::Locator;
            let locator = match (image, key, kustomize, setter) {
                (Some(repository), ..) => Locator::Image { repository },
                (_, Some(path), ..) => Locator::Key { path, repository },
                (_, _, Some(name), _) => Locator::Kustomize { name },
                (_, _, _, Some(policy)) => Locator::Setter { policy },
                _ => unreachable!("clap requires one locator"),
            };
            set_tag(&file, &locator, &tag, diff)
        }
        Command::Health => health(&load(&cli.config)?).await,
        Command::Doctor => {
            let config = load(&cli.config)?;
            let secrets = Secrets::from_env()?;
            let aws = banto::clients::aws::AwsTargets::from_config(&config);
            let report = banto::doctor::run(&config, &secrets, &aws).await;
            print!("{}", report.render());
            if report.failed() > 0 {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Migrate => {
            let config = load(&cli.config)?;
            let store = Store::connect(&config.database.url, 1).await?;
            store.migrate().await?;
            println!(
                "migrations applied to {}",
                banto::redact::url(&config.database.url)
            );
            Ok(())
        }
        Command::Inbox {
            state,
            limit,
            retry,
        } => {
            let config = load(&cli.config)?;
            let store = Store::connect(&config.database.url, 1).await?;
            store.migrate().await?;
            if let Some(id) = retry {
                let ok = store.requeue(Queue::Inbox, banto::ids::QueueId(id)).await?;
                anyhow::ensure!(ok, "event {id} is not parked");
                println!("event {id} is queued again");
                return Ok(());
            }
            let filter = (state != "all").then_some(state.as_str());
            for row in store.list(Queue::Inbox, filter, limit).await? {
                let when = local_time(&config, row.created_at);
                let summary = serde_json::from_str::<banto::event::Event>(&row.payload)
                    .map_or_else(|_| row.kind.clone(), |e| e.summary());
                println!(
                    "#{:<6} {:<8} {}  attempts={} {when}\n        key {}\n        {}",
                    row.id.0,
                    row.state,
                    banto::domain::mask::text(&summary),
                    row.attempts,
                    row.dedupe_key,
                    banto::domain::mask::text(row.last_error.as_deref().unwrap_or("-"))
                );
            }
            Ok(())
        }
        Command::Audit { command } => {
            let config = load(&cli.config)?;
            let store = Store::connect(&config.database.url, 1).await?;
            store.migrate().await?;
            match command {
                AuditCommand::Verify => {
                    let rows = store.audit_rows(None).await?;
                    let ok = banto::domain::audit::verify(&rows)?;
                    println!(
                        "audit log intact: {} entries chained, head {}",
                        ok.chained,
                        if ok.head.is_empty() {
                            "(empty)"
                        } else {
                            &ok.head
                        }
                    );
                    if ok.unchained > 0 {
                        println!(
                            "{} older entries were written before the chain and cannot be checked",
                            ok.unchained
                        );
                    }
                }
                AuditCommand::List { subject } => {
                    for row in store.audit_rows(subject.as_deref()).await? {
                        let e = &row.entry;
                        let when = local_time(&config, e.at);
                        println!(
                            "#{:<6} {when}  {:<24} {:<16} {}  {}",
                            row.id,
                            e.subject,
                            e.action,
                            e.actor,
                            banto::domain::mask::text(&e.detail)
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Serve { role } => {
            init_tracing(cli.log_format);
            let config = load(&cli.config)?;
            let secrets = Secrets::from_env()?;
            serve(config, secrets, role).await
        }
    }
}

impl From<Lang> for banto::locale::Locale {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::En => Self::En,
            Lang::Ja => Self::Ja,
        }
    }
}

/// A file's text, or standard input for `-`.
fn read_input(path: &std::path::Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        Ok(std::io::read_to_string(std::io::stdin())?)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    }
}

fn policy_test(
    paths: &[PathBuf],
    plan: Option<&std::path::Path>,
    lang: Lang,
) -> anyhow::Result<()> {
    let bundle = banto::policy::Bundle::load(paths)?;
    let json = plan.map(read_input).transpose()?;
    let name = plan.map(|p| p.display().to_string());
    let input = name.as_deref().zip(json.as_deref());
    let (report, failed) = banto::policy::report::run(&bundle, input, lang.into())?;
    print!("{report}");
    if failed {
        std::process::exit(1);
    }
    Ok(())
}

fn summarize(plan: &std::path::Path, format: Format, lang: Lang) -> anyhow::Result<()> {
    use banto::messages::plan as render;
    let json = read_input(plan)?;
    let summary =
        banto::domain::plan::summarize(&json).with_context(|| plan.display().to_string())?;
    drop(json);
    let locale = lang.into();
    let out = match format {
        Format::Text => render::text(&summary, locale),
        Format::Markdown => render::markdown(&summary, locale),
        Format::Slack => serde_json::to_string_pretty(&serde_json::json!({
            "blocks": render::slack_card(&summary, "Terraform plan", locale),
            "thread": render::slack_thread(&summary, locale),
        }))?,
    };
    println!("{}", out.trim_end());
    Ok(())
}

fn set_tag(
    file: &std::path::Path,
    locator: &banto::domain::yaml_edit::Locator,
    tag: &str,
    diff: bool,
) -> anyhow::Result<()> {
    use std::io::Write;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let edited = banto::domain::yaml_edit::set_tag(&text, locator, tag)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let mut out = std::io::stdout().lock();
    if diff {
        out.write_all(
            banto::domain::yaml_edit::unified_diff(&file.display().to_string(), &text, &edited)
                .as_bytes(),
        )?;
    } else {
        out.write_all(edited.text.as_bytes())?;
    }
    Ok(())
}

/// The config file, with `DATABASE_URL` (a secret) in place of `[database] url` when it is set.
fn load(path: &std::path::Path) -> anyhow::Result<Config> {
    let mut config = Config::load(path)?;
    if let Some(url) = Secrets::from_env()?.database_url {
        config.database.url = url.expose().to_owned();
    }
    Ok(config)
}

/// `GET /healthz` on banto's own listener (a wildcard address is asked on loopback).
async fn health(config: &Config) -> anyhow::Result<()> {
    let addr = config.server.listen;
    let host = if addr.ip().is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        addr.ip()
    };
    let url = format!(
        "http://{}/healthz",
        std::net::SocketAddr::new(host, addr.port())
    );
    let answer = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(2))
        .build()?
        .get(&url)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("banto is not answering at {url}: {}", e.without_url()))?;
    anyhow::ensure!(
        answer.status().is_success(),
        "banto answered {} at {url}",
        answer.status()
    );
    println!("ok");
    Ok(())
}

fn check_config(path: &std::path::Path) -> anyhow::Result<()> {
    let config = load(path)?;
    let secrets = Secrets::from_env()?;
    println!("{}: ok", path.display());
    print!("{}", banto::config::summary(&config, &secrets));
    Ok(())
}

async fn serve(config: Config, secrets: Secrets, role: Role) -> anyhow::Result<()> {
    banto::metrics::install();
    if secrets.slack_signing_secret.is_none() {
        tracing::warn!("SLACK_SIGNING_SECRET is unset: every Slack request will be refused");
    }
    let app: Arc<App> = App::new(config, &secrets).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers = (role != Role::Ingress).then(|| {
        tokio::spawn(banto::worker::run(
            app.clone(),
            app.config.workers.count,
            stop_rx.clone(),
        ))
    });
    let socket = match (&secrets.slack_app_token, role != Role::Worker) {
        (Some(token), true) => Some(tokio::spawn(banto::socket_mode::run(
            app.clone(),
            token.clone(),
            stop_rx.clone(),
        ))),
        _ => None,
    };
    let shutdown = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutting down: finishing in-flight events");
    };
    if role == Role::Worker {
        shutdown.await;
    } else {
        let listener = tokio::net::TcpListener::bind(app.config.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", app.config.server.listen))?;
        tracing::info!(addr = %listener.local_addr()?, "banto is listening");
        axum::serve(listener, banto::server::router(app.clone()))
            .with_graceful_shutdown(shutdown)
            .await?;
    }
    let _ = stop_tx.send(true);
    if let Some(w) = workers {
        let _ = w.await;
    }
    if let Some(s) = socket {
        s.abort();
    }
    Ok(())
}
