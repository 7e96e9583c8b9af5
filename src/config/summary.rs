//! What `banto check-config` prints once the file is read: where banto listens and reaches,
//! what it runs (projects, apps, playbooks, translation, postmortems), which secrets are set.

use super::{Config, Secrets};

struct Out(String);

impl Out {
    fn line(&mut self, s: String) {
        self.0.push_str(&s);
        self.0.push('\n');
    }
}

/// "2: a, b" or "none".
fn listing(items: &[impl AsRef<str>]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        format!(
            "{}: {}",
            items.len(),
            items
                .iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join("; ")
        )
    }
}

/// The summary, one setting a line; secrets only as set or unset.
pub fn summary(config: &Config, secrets: &Secrets) -> String {
    let mut out = Out(String::new());
    out.line(format!("  listen            {}", config.server.listen));
    out.line(format!(
        "  database          {}",
        crate::redact::url(&config.database.url)
    ));
    out.line(format!(
        "  workers           {} (lease {} s, {} attempts)",
        config.workers.count, config.workers.lease_seconds, config.workers.max_attempts
    ));
    out.line(format!("  slack api         {}", config.slack.api_url));
    let language = |l: crate::locale::Locale| match l {
        crate::locale::Locale::En => "English",
        crate::locale::Locale::Ja => "Japanese",
    };
    out.line(format!(
        "  default language  {}, time zone {}",
        language(config.slack.default_locale),
        config.slack.time_zone
    ));
    out.line(format!("  github api        {}", config.github.api_url));
    let via = |e: Option<&String>| e.map_or("AWS itself".to_owned(), |e| crate::redact::url(e));
    out.line(format!(
        "  aws               {} via {}",
        config.aws.region,
        via(config.aws.endpoint_url.as_ref())
    ));
    for (service, endpoint) in &config.aws.endpoints {
        out.line(format!("    {service:<15} via {}", via(Some(endpoint))));
    }
    let projects: Vec<String> = config
        .terraform
        .projects
        .iter()
        .map(|p| format!("{} ({} {})", p.name, p.repo, p.dir))
        .collect();
    out.line(format!("  terraform         {}", listing(&projects)));
    let sets: Vec<String> = config
        .terraform
        .policies
        .iter()
        .map(|s| {
            let n = s.overrides_needed;
            format!(
                "{} ({} files, {n} override{} to pass a failure)",
                s.name,
                s.bundle().files.len(),
                if n == 1 { "" } else { "s" }
            )
        })
        .collect();
    out.line(format!("  policies          {}", listing(&sets)));
    let apps: Vec<String> = config
        .deploy
        .apps
        .iter()
        .map(|a| {
            let envs: Vec<&str> = a.envs.iter().map(|e| e.name.as_str()).collect();
            format!("{} ({}: {})", a.name, a.repo, envs.join(", "))
        })
        .collect();
    out.line(format!("  deploy apps       {}", listing(&apps)));
    let playbooks: Vec<String> = config
        .incidents
        .playbooks
        .iter()
        .map(|(kind, p)| format!("{kind} (SEV{})", p.default_severity.get_ref()))
        .collect();
    out.line(format!("  playbooks         {}", listing(&playbooks)));
    let incidents = &config.incidents;
    let or_none = |c: Option<String>| c.unwrap_or_else(|| "none".to_owned());
    out.line(format!(
        "  incidents         channels {}-…, announced in {}, alerts in {}, default type {}",
        incidents.channel_prefix,
        or_none(
            incidents
                .broadcast_channel
                .as_ref()
                .map(ToString::to_string)
        ),
        or_none(incidents.alerts.channel.as_ref().map(ToString::to_string)),
        or_none(incidents.default_type.clone())
    ));
    let translate = &config.translate;
    let per_channel: Vec<String> = translate
        .channels
        .iter()
        .map(|(c, p)| format!("{c} {}", p.name()))
        .collect();
    out.line(format!(
        "  translation       {} (per channel: {}), automatic in {}",
        translate.provider.name(),
        listing(&per_channel),
        listing(&translate.auto_channels)
    ));
    let postmortem = &config.postmortem;
    let mut zones: Vec<String> = postmortem.zones.iter().map(|z| z.to_string()).collect();
    if zones.is_empty() {
        zones.push(config.slack.time_zone.to_string());
    }
    out.line(format!(
        "  postmortems       times in {}, drafts to {}, issues to {}",
        zones.join(" and "),
        postmortem
            .docs_repo
            .as_ref()
            .map_or("the channel only".to_owned(), |r| r.to_string()),
        postmortem
            .issues_repo
            .as_ref()
            .map_or("none".to_owned(), |r| r.to_string())
    ));
    out.line("  secrets (from the environment):".to_owned());
    for (var, set) in secrets.presence() {
        out.line(format!(
            "    {var:<24} {}",
            if set { "set" } else { "unset" }
        ));
    }
    out.0
}
