//! Records kept as JSON beside a version for compare-and-swap: Terraform runs, deploys, and
//! whatever capability comes next. A handler changes one with `update`: load, let pure domain
//! code decide, save only if nobody saved since the load, else load again and decide again.

use super::Store;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::fmt::Debug;

/// A kind of versioned record and the table that holds it.
pub trait Record: Serialize + DeserializeOwned + Clone + Debug + Eq + Send + Sync {
    /// Where the record lives and what it is attached to (card, PR, branch).
    type Meta: Serialize + DeserializeOwned + Clone + Debug + Eq + Send + Sync;
    type Id: RecordId<Record = Self>;
    /// A constant, never input: it is written into SQL.
    const TABLE: &'static str;
    /// What people call one, for errors: "run", "deploy".
    const NOUN: &'static str;
    /// The record's own columns besides `state`, written once on insert.
    const KEY_COLUMNS: [&'static str; 2];
    fn keys(&self) -> [&str; 2];
    fn state_label(&self) -> &'static str;
}

/// The typed id of a record kind: a `RunId` loads a `Run`.
pub trait RecordId: Copy + Debug + Eq + Send + Sync {
    type Record: Record<Id = Self>;
    fn from_row(id: i64) -> Self;
    fn get(self) -> i64;
}

/// A record as read, with the version a save must still find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versioned<R: Record> {
    pub id: R::Id,
    pub record: R,
    pub meta: R::Meta,
    pub version: i64,
}

/// Every column a `Versioned` is read from, in `from_row`'s order.
pub(super) const COLUMNS: &str = "id, data, meta, version";

pub(super) fn from_row<R: Record>(r: &AnyRow) -> anyhow::Result<Versioned<R>> {
    Ok(Versioned {
        id: R::Id::from_row(r.try_get(0)?),
        record: serde_json::from_str(&r.try_get::<String, _>(1)?)?,
        meta: serde_json::from_str(&r.try_get::<String, _>(2)?)?,
        version: r.try_get(3)?,
    })
}

impl Store {
    /// Insert a record for `trigger_key` (what asked for it: a command's trigger id, a webhook
    /// delivery), or return the one an earlier attempt at the same event inserted. True: new.
    pub async fn insert<R: Record>(
        &self,
        record: &R,
        meta: &R::Meta,
        trigger_key: &str,
    ) -> anyhow::Result<(Versioned<R>, bool)> {
        let [k1, k2] = R::KEY_COLUMNS;
        let [v1, v2] = record.keys();
        let inserted = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO {} ({k1}, {k2}, state, data, meta, trigger_key, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7) ON CONFLICT (trigger_key) DO NOTHING",
            R::TABLE
        )))
        .bind(v1)
        .bind(v2)
        .bind(record.state_label())
        .bind(serde_json::to_string(record)?)
        .bind(serde_json::to_string(meta)?)
        .bind(trigger_key)
        .bind(self.clock.now_ms())
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {} WHERE trigger_key = $1",
            R::TABLE
        )))
        .bind(trigger_key)
        .fetch_one(self.pool())
        .await?;
        Ok((from_row(&row)?, inserted))
    }

    pub async fn load<I: RecordId>(&self, id: I) -> anyhow::Result<Option<Versioned<I::Record>>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {} WHERE id = $1",
            I::Record::TABLE
        )))
        .bind(id.get())
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Save the record and meta if nobody saved since they were read (a double click, a retry,
    /// another replica). False: load and decide again.
    pub async fn save<R: Record>(&self, v: &mut Versioned<R>) -> anyhow::Result<bool> {
        let saved = sqlx::query(AssertSqlSafe(format!(
            "UPDATE {} SET state = $1, data = $2, meta = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
            R::TABLE
        )))
        .bind(v.record.state_label())
        .bind(serde_json::to_string(&v.record)?)
        .bind(serde_json::to_string(&v.meta)?)
        .bind(self.clock.now_ms())
        .bind(v.id.get())
        .bind(v.version)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1;
        if saved {
            v.version += 1;
        }
        Ok(saved)
    }

    /// Load the record, let `decide` change it, save; when someone else saved first, load and
    /// decide again. Returns the record as saved and what `decide` answered.
    pub async fn update<I: RecordId, T>(
        &self,
        id: I,
        mut decide: impl FnMut(&mut Versioned<I::Record>) -> T,
    ) -> anyhow::Result<(Versioned<I::Record>, T)> {
        let noun = I::Record::NOUN;
        for _ in 0..20 {
            let Some(mut v) = self.load(id).await? else {
                anyhow::bail!("{noun} #{} is gone", id.get());
            };
            let out = decide(&mut v);
            if self.save(&mut v).await? {
                return Ok((v, out));
            }
        }
        anyhow::bail!("{noun} #{} kept changing while being updated", id.get())
    }
}
