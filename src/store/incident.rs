//! SQL for incidents (the versioned record itself is `records.rs`'s).

use super::Store;
use super::records::{COLUMNS, Record, RecordId, Versioned, from_row};
use crate::domain::incident::{Incident, IncidentMeta, Status};
use crate::ids::{ChannelId, IncidentId};
use sqlx::AssertSqlSafe;

pub type StoredIncident = Versioned<Incident>;

impl Record for Incident {
    type Meta = IncidentMeta;
    type Id = IncidentId;
    const TABLE: &'static str = "incidents";
    const NOUN: &'static str = "incident";
    const KEY_COLUMNS: [&'static str; 2] = ["kind", "reporter"];
    fn keys(&self) -> [&str; 2] {
        [&self.kind, self.reporter.as_str()]
    }
    fn state_label(&self) -> &'static str {
        self.status.word()
    }
}

impl RecordId for IncidentId {
    type Record = Incident;
    fn from_row(id: i64) -> Self {
        Self(id)
    }
    fn get(self) -> i64 {
        self.0
    }
}

impl Store {
    /// Incidents not resolved, oldest first.
    pub async fn open_incidents(&self) -> anyhow::Result<Vec<StoredIncident>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM incidents WHERE state <> $1 ORDER BY id"
        )))
        .bind(Status::Resolved.word())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// The incident whose channel this is.
    pub async fn incident_in(&self, channel: &ChannelId) -> anyhow::Result<Option<StoredIncident>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM incidents WHERE channel = $1 ORDER BY id DESC LIMIT 1"
        )))
        .bind(channel.as_str())
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Index the incident under its channel (once it has one).
    pub async fn set_incident_channel(
        &self,
        id: IncidentId,
        channel: &ChannelId,
    ) -> anyhow::Result<()> {
        sqlx::query("UPDATE incidents SET channel = $1 WHERE id = $2")
            .bind(channel.as_str())
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
