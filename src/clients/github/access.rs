//! What `banto doctor` asks GitHub about a repository: may banto read it, write to it, and
//! merge the way it merges.

use super::*;

/// What the configured credentials may do on one repository. `None`: GitHub did not say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoAccess {
    pub default_branch: String,
    pub can_write: Option<bool>,
    pub squash_allowed: Option<bool>,
    /// For an App: its installation's grants that fall short (`contents: read`, …).
    pub missing_grants: Vec<String>,
}

impl GithubApi {
    pub async fn access(&self, owner: &str, repo: &str) -> Result<RepoAccess, GithubError> {
        let mut missing_grants = Vec::new();
        if self.is_app {
            // Read raw: octocrab's model of the grants has no `pull_requests`.
            let route = format!("{}/installation", repo_route(owner, repo));
            let installation: Value = self
                .retry
                .run(
                    || async {
                        self.octocrab
                            .get(&route, None::<&()>)
                            .await
                            .map_err(convert)
                    },
                    classify,
                )
                .await?;
            for grant in ["contents", "pull_requests", "issues"] {
                let level = installation["permissions"][grant]
                    .as_str()
                    .unwrap_or("none");
                if level != "write" {
                    missing_grants.push(format!("{grant}: {level}"));
                }
            }
        }
        let v = self.get_json(owner, repo, &repo_route(owner, repo)).await?;
        let can_write = if self.is_app {
            Some(missing_grants.is_empty())
        } else {
            v.pointer("/permissions/push").and_then(Value::as_bool)
        };
        Ok(RepoAccess {
            default_branch: v["default_branch"].as_str().unwrap_or_default().to_owned(),
            can_write,
            squash_allowed: v["allow_squash_merge"].as_bool(),
            missing_grants,
        })
    }
}
