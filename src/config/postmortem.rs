//! `[postmortem]`: the drafts written when an incident is resolved.

use chrono_tz::Tz;
use serde::Deserialize;

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
}

impl Default for PostmortemConfig {
    fn default() -> Self {
        Self {
            zones: Vec::new(),
            went_well_emoji: default_went_well(),
            went_wrong_emoji: default_went_wrong(),
            lucky_emoji: default_lucky(),
        }
    }
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
