//! SQL for alert episodes (the versioned record itself is `records.rs`'s).

use super::Store;
use super::records::{COLUMNS, Record, RecordId, Versioned, from_row};
use crate::domain::card::CardPlace;
use crate::domain::incident::AlertEpisode;
use crate::event::AlertSource;
use crate::ids::AlertId;
use sqlx::AssertSqlSafe;

pub type StoredAlert = Versioned<AlertEpisode>;

impl Record for AlertEpisode {
    /// Its card in the alerts channel.
    type Meta = CardPlace;
    type Id = AlertId;
    const TABLE: &'static str = "alerts";
    const NOUN: &'static str = "alert";
    const KEY_COLUMNS: [&'static str; 2] = ["source", "group_key"];
    fn keys(&self) -> [&str; 2] {
        [self.source.word(), &self.group]
    }
    fn state_label(&self) -> &'static str {
        if self.firing() { "firing" } else { "resolved" }
    }
}

impl RecordId for AlertId {
    type Record = AlertEpisode;
    fn from_row(id: i64) -> Self {
        Self(id)
    }
    fn get(self) -> i64 {
        self.0
    }
}

impl Store {
    /// Every episode of a group, oldest first.
    pub async fn alert_episodes(
        &self,
        source: AlertSource,
        group: &str,
    ) -> anyhow::Result<Vec<StoredAlert>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM alerts WHERE source = $1 AND group_key = $2 ORDER BY id"
        )))
        .bind(source.word())
        .bind(group)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// The group's episode still firing, if any (the newest).
    pub async fn firing_alert(
        &self,
        source: AlertSource,
        group: &str,
    ) -> anyhow::Result<Option<StoredAlert>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM alerts WHERE source = $1 AND group_key = $2 AND state = 'firing' \
             ORDER BY id DESC LIMIT 1"
        )))
        .bind(source.word())
        .bind(group)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }
}
