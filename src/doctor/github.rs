//! GitHub: each configured repository can be read, and written where banto writes (deploy
//! pull requests, postmortems), and squash merges are allowed where banto merges.

use super::{Report, retry, within};
use crate::clients::github::GithubApi;
use crate::config::{Config, Secrets};
use crate::ids::RepoName;
use std::collections::BTreeMap;

const GITHUB: &str = "GitHub";

#[derive(Default)]
struct Needs {
    write: bool,
    squash: bool,
    uses: Vec<String>,
}

pub(super) async fn check(report: &mut Report, config: &Config, secrets: &Secrets) {
    let repos = repositories(config);
    if repos.is_empty() {
        return;
    }
    if secrets.github_token.is_none() && secrets.github_app_id.is_none() {
        report.fail(
            GITHUB,
            "not checked: no GitHub credentials",
            "set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY",
        );
        return;
    }
    let github = match GithubApi::new(&config.github.api_url, secrets, retry()) {
        Ok(g) => g,
        Err(e) => {
            report.fail(
                GITHUB,
                format!("cannot build the client: {e}"),
                "check [github] api_url and the App key",
            );
            return;
        }
    };
    for (repo, needs) in repos {
        let uses = needs.uses.join(", ");
        let access = match within(github.access(repo.owner(), repo.name())).await {
            Ok(a) => a,
            Err(e) => {
                let fix = if e.contains("404") {
                    "check the name; a token needs access to the repository, an App needs to be installed on it"
                } else {
                    "check the credentials and that banto can reach GitHub"
                };
                report.fail(GITHUB, format!("{repo} cannot be read: {e} — {uses}"), fix);
                continue;
            }
        };
        if needs.write && access.can_write == Some(false) {
            let lacking = if access.missing_grants.is_empty() {
                "the token may only read".to_owned()
            } else {
                format!("the App's grants: {}", access.missing_grants.join(", "))
            };
            report.fail(
                GITHUB,
                format!("{repo}: banto cannot write ({lacking}) — {uses}"),
                "give the token write access (Contents and Pull requests: read and write), or the App contents, pull requests and issues: write",
            );
            continue;
        }
        if needs.squash && access.squash_allowed == Some(false) {
            report.fail(
                GITHUB,
                format!("{repo}: squash merging is not allowed, and banto merges deploys by squash — {uses}"),
                "Settings → General → Pull Requests → Allow squash merging",
            );
            continue;
        }
        let can = match (needs.write, access.can_write) {
            (false, _) => "read",
            (true, Some(true)) => "read and write",
            (true, _) => "read (write access not shown to this token)",
        };
        report.pass(
            GITHUB,
            format!(
                "{repo}: {can}, default branch {} — {uses}",
                access.default_branch
            ),
        );
    }
}

/// Every repository in the configuration, with what banto does there.
fn repositories(config: &Config) -> BTreeMap<RepoName, Needs> {
    let mut out: BTreeMap<RepoName, Needs> = BTreeMap::new();
    let mut add = |repo: &RepoName, write: bool, squash: bool, what: String| {
        let n = out.entry(repo.clone()).or_default();
        n.write |= write;
        n.squash |= squash;
        n.uses.push(what);
    };
    for p in &config.terraform.projects {
        add(
            &p.repo,
            false,
            false,
            format!("Terraform project {}", p.name),
        );
    }
    for a in &config.deploy.apps {
        add(
            &a.repo,
            true,
            true,
            format!("GitOps repository of {}", a.name),
        );
        if let Some(w) = &a.workflow {
            add(
                &w.repo,
                false,
                false,
                format!("workflow that builds {}", a.name),
            );
        }
    }
    if let Some(r) = &config.postmortem.docs_repo {
        add(r, true, false, "postmortem pull requests".into());
    }
    if let Some(r) = &config.postmortem.issues_repo {
        add(r, false, false, "postmortem action items".into());
    }
    out
}
