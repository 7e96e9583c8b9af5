//! Where an incident lives besides its state: channel, cards, members, the steps of its
//! declaration done, follow-ups pending, its postmortem, the last nudge.

use super::{FollowUp, Nudged};
use crate::ids::{ChannelId, MessageTs, UserId};
use serde::{Deserialize, Serialize};

/// Where an incident lives: its channel, its header card, who was invited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentMeta {
    /// The incident channel, once created.
    pub channel: Option<ChannelId>,
    /// The header card, in the incident channel.
    #[serde(flatten)]
    pub card: crate::domain::card::CardPlace,
    /// Everyone banto invited: for a private incident, the only people told anything of it.
    pub members: Vec<UserId>,
    /// Where the command was typed (answers before the channel exists go there).
    pub declared_in: String,
    /// The language of the incident channel (the reporter's).
    pub locale: Option<crate::locale::Locale>,
    /// The checklist message, edited as steps are ticked.
    #[serde(default)]
    pub checklist_ts: Option<MessageTs>,
    /// The suspect-changes card, edited as suspects are confirmed or dismissed.
    #[serde(default)]
    pub suspects_ts: Option<MessageTs>,
    /// The announcement in the broadcast channel, once posted (a declaration's last step).
    #[serde(default)]
    pub announcement_ts: Option<MessageTs>,
    /// The environments the channel was told this incident freezes (`app/env`), and how many
    /// freezes it has lifted (a reopened incident freezes again under a new name).
    #[serde(default)]
    pub frozen: Vec<String>,
    #[serde(default)]
    pub thaws: u32,
    /// Changes saved whose follow-up is not done yet (see `FollowUp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
    /// The queue row whose handling declared it: another row asking for the same incident (a
    /// second form for one alert) leaves the declaring to that row.
    #[serde(default)]
    pub declared_row: Option<String>,
    /// The message it was declared from (message shortcut, alert card): a permalink.
    #[serde(default)]
    pub source_link: Option<String>,
    /// The postmortem's pull request in the docs repository, once there is one.
    #[serde(default)]
    pub postmortem: Option<PostmortemDoc>,
    /// The last nudge for a status update.
    #[serde(default)]
    pub nudged: Option<Nudged>,
}

/// Where the postmortem draft went on GitHub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostmortemDoc {
    pub pr: u64,
    pub url: String,
    /// The file, named once (a later retitle does not fork it).
    pub path: String,
    /// The blob banto last wrote: a different one on the branch means people edited it.
    pub written: String,
}
