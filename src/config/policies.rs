//! `[[terraform.policies]]`: policy sets checked against every plan of the projects they name,
//! and who may override their failures. The Rego is read and compiled with the config.

use super::ConfigError;
use super::approval::People;
use crate::domain::glob::Globs;
use crate::policy::Bundle;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySet {
    pub name: String,
    /// Folders (or files) of Rego, relative to the config file.
    pub paths: Vec<PathBuf>,
    /// Globs of project names it checks; every project when absent.
    #[serde(default)]
    pub projects: Globs,
    /// Who may override a failure: users and user groups.
    #[serde(default)]
    pub owners: People,
    /// How many owners must override before the plan can be approved.
    #[serde(default = "default_overrides_needed")]
    pub overrides_needed: u32,
    /// The compiled Rego, read by `Config::parse`.
    #[serde(skip)]
    pub bundle: Arc<Option<Bundle>>,
}

fn default_overrides_needed() -> u32 {
    1
}

impl PolicySet {
    pub fn applies_to(&self, project: &str) -> bool {
        self.projects.is_empty() || self.projects.is_match(project)
    }

    pub fn bundle(&self) -> &Bundle {
        (*self.bundle)
            .as_ref()
            .expect("policy sets are compiled when the config is read")
    }
}

impl super::TerraformConfig {
    /// The policy sets that check `project`'s plans, in config order.
    pub fn policies_for(&self, project: &str) -> Vec<&PolicySet> {
        self.policies
            .iter()
            .filter(|p| p.applies_to(project))
            .collect()
    }

    /// Compile every set's Rego (paths relative to `config_dir`); a bad policy is an error at
    /// its own file and line.
    pub fn load_policies(&mut self, config_dir: &Path) -> Result<(), ConfigError> {
        for set in &mut self.policies {
            let roots: Vec<PathBuf> = set.paths.iter().map(|p| config_dir.join(p)).collect();
            let bundle = Bundle::load(&roots).map_err(|e| ConfigError::Invalid {
                path: e.path,
                line: e.line,
                column: e.column,
                message: format!("policy set `{}`: {}", set.name, e.message),
            })?;
            set.bundle = Arc::new(Some(bundle));
        }
        Ok(())
    }
}
