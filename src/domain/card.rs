//! Where a record's Slack card is: posted once, then only edited.

use crate::ids::ChannelId;
use serde::{Deserialize, Serialize};

/// Kept flattened in a record's meta (`card_channel`, `card_ts`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardPlace {
    #[serde(rename = "card_channel")]
    pub channel: ChannelId,
    /// None until the card is posted.
    #[serde(rename = "card_ts")]
    pub ts: Option<crate::ids::MessageTs>,
}

impl CardPlace {
    pub fn new(channel: ChannelId) -> Self {
        Self { channel, ts: None }
    }
}
