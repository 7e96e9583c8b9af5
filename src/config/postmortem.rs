//! `[postmortem]`: the drafts written when an incident is resolved.

use super::ConfigError;
use crate::locale::Locale;
use chrono_tz::Tz;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostmortemConfig {
    /// The timeline's time columns, one per zone (IANA names); unset, the team's zone.
    #[serde(default)]
    pub zones: Vec<Tz>,
    /// Reactions that put a message in "What went well", "What went wrong", "Where we got lucky"
    /// (and on the timeline).
    #[serde(default = "default_went_well")]
    pub went_well_emoji: String,
    #[serde(default = "default_went_wrong")]
    pub went_wrong_emoji: String,
    #[serde(default = "default_lucky")]
    pub lucky_emoji: String,
    /// The team's own `postmortem.en.md` / `postmortem.ja.md` (Jinja syntax, the same fields
    /// as the built-in templates), relative to the config file; a language without a file
    /// uses the built-in one.
    pub templates_dir: Option<PathBuf>,
    /// A pull request per incident with `<docs_dir>/YYYY-MM-DD-<slug>.md` (both languages),
    /// updated in place when the draft is written again.
    pub docs_repo: Option<crate::ids::RepoName>,
    #[serde(default = "default_docs_branch")]
    pub docs_branch: String,
    #[serde(default = "default_docs_dir")]
    pub docs_dir: String,
    /// Action items opened as issues here (once each), with these labels.
    pub issues_repo: Option<crate::ids::RepoName>,
    #[serde(default = "default_issue_labels")]
    pub issue_labels: Vec<String>,
    /// The commander hears when the postmortem pull request is still open after this long.
    #[serde(default = "default_review_days")]
    pub review_reminder_days: u32,
    /// Read from `templates_dir` at start: (language, file, text), each checked.
    #[serde(skip)]
    pub templates: Vec<(Locale, PathBuf, String)>,
}

impl Default for PostmortemConfig {
    fn default() -> Self {
        Self {
            zones: Vec::new(),
            went_well_emoji: default_went_well(),
            went_wrong_emoji: default_went_wrong(),
            lucky_emoji: default_lucky(),
            templates_dir: None,
            docs_repo: None,
            docs_branch: default_docs_branch(),
            docs_dir: default_docs_dir(),
            issues_repo: None,
            issue_labels: default_issue_labels(),
            review_reminder_days: default_review_days(),
            templates: Vec::new(),
        }
    }
}

fn default_docs_branch() -> String {
    "main".into()
}
fn default_docs_dir() -> String {
    "postmortems".into()
}
fn default_issue_labels() -> Vec<String> {
    vec!["postmortem".into()]
}
fn default_review_days() -> u32 {
    5
}
fn default_went_well() -> String {
    "star".into()
}
fn default_went_wrong() -> String {
    "warning".into()
}
fn default_lucky() -> String {
    "four_leaf_clover".into()
}

impl PostmortemConfig {
    /// Read and check the team's templates: a syntax error is an error at its file and line.
    pub(super) fn load_templates(&mut self, config_dir: &Path) -> Result<(), ConfigError> {
        let Some(dir) = &self.templates_dir else {
            return Ok(());
        };
        let dir = config_dir.join(dir);
        for (locale, name) in [
            (Locale::En, "postmortem.en.md"),
            (Locale::Ja, "postmortem.ja.md"),
        ] {
            let path = dir.join(name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Err(e) = crate::messages::postmortem::check_template(&text) {
                return Err(ConfigError::Invalid {
                    path,
                    line: e.line().unwrap_or(1),
                    column: 1,
                    message: format!("postmortem template: {}", e.detail().unwrap_or("invalid")),
                });
            }
            self.templates.push((locale, path, text));
        }
        Ok(())
    }

    /// The team's template for `locale`, if it has one.
    pub fn template(&self, locale: Locale) -> Option<&str> {
        self.templates
            .iter()
            .find(|(l, _, _)| *l == locale)
            .map(|(_, _, t)| t.as_str())
    }

    /// The lesson a reaction marks, if it marks one.
    pub fn lesson(&self, emoji: &str) -> Option<crate::domain::incident::Lesson> {
        use crate::domain::incident::Lesson;
        [
            (&self.went_well_emoji, Lesson::WentWell),
            (&self.went_wrong_emoji, Lesson::WentWrong),
            (&self.lucky_emoji, Lesson::Lucky),
        ]
        .into_iter()
        .find(|(e, _)| e.as_str() == emoji)
        .map(|(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_template_with_a_syntax_error_fails_at_its_file_and_line() {
        let dir = std::env::temp_dir().join(format!("banto-pm-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pm")).unwrap();
        std::fs::write(
            dir.join("config.toml"),
            "[postmortem]\ntemplates_dir = \"pm\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("pm/postmortem.ja.md"),
            "# {{ m.id }}\n\n{% for r in m.timeline %}\n- {{ r.t }}\n",
        )
        .unwrap();
        let err = crate::config::Config::load(&dir.join("config.toml"))
            .unwrap_err()
            .to_string();
        std::fs::write(
            dir.join("pm/postmortem.ja.md"),
            "# {{ m.id }} {{ m.title }}\n",
        )
        .unwrap();
        let ok = crate::config::Config::load(&dir.join("config.toml")).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            err.contains("pm/postmortem.ja.md:4:") && err.contains("postmortem template"),
            "{err}"
        );
        assert!(ok.postmortem.template(Locale::Ja).is_some());
        assert!(
            ok.postmortem.template(Locale::En).is_none(),
            "the built-in one"
        );
    }
}
