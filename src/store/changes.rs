//! SQL for change events: finished changes to production (Terraform applies, merged deploys),
//! read by freshness checks and incident timelines. The `kind` column says which `Change` the
//! JSON `detail` holds; `subject` and `ref_id` are its indexes.

use super::Store;
use crate::domain::changes::{ApplyChange, Change, ChangeEvent, ChangeKind, DeployChange};
use crate::ids::ChangeId;
use sqlx::{AssertSqlSafe, Row};

const CHANGE_COLUMNS: &str = "id, kind, subject, actor, started_at, finished_at, detail";

fn change(r: &sqlx::any::AnyRow) -> anyhow::Result<ChangeEvent> {
    let kind: String = r.try_get(1)?;
    let subject: String = r.try_get(2)?;
    let detail: String = r.try_get(6)?;
    Ok(ChangeEvent {
        id: ChangeId(r.try_get(0)?),
        change: decode(&kind, &subject, &detail)?,
        actor: r.try_get(3)?,
        started_at: r.try_get(4)?,
        finished_at: r.try_get(5)?,
    })
}

fn encode(change: &Change) -> serde_json::Result<String> {
    match change {
        Change::Deploy(d) => serde_json::to_string(d),
        Change::TerraformApply(a) => serde_json::to_string(a),
    }
}

fn decode(kind: &str, subject: &str, detail: &str) -> anyhow::Result<Change> {
    match ChangeKind::parse(kind) {
        Some(ChangeKind::Deploy) => Ok(Change::Deploy(
            serde_json::from_str(detail).or_else(|_| legacy_deploy(subject, detail))?,
        )),
        Some(ChangeKind::TerraformApply) => {
            let mut v: serde_json::Value = serde_json::from_str(detail)?;
            // Rows written before the change record carried no project: it is the subject.
            if v.get("project").is_none() {
                v["project"] = subject.into();
            }
            Ok(Change::TerraformApply(
                serde_json::from_value::<ApplyChange>(v)?,
            ))
        }
        None => anyhow::bail!("a change of unknown kind {kind:?}"),
    }
}

/// A deploy row written before the change record: `#12 v1 → v2 by U1` (whether it reached
/// production was not kept).
fn legacy_deploy(subject: &str, detail: &str) -> anyhow::Result<DeployChange> {
    let bad = || anyhow::anyhow!("an unreadable deploy change: {detail:?}");
    let (app, env) = subject.split_once('/').ok_or_else(bad)?;
    let (id, rest) = detail
        .strip_prefix('#')
        .and_then(|d| d.split_once(' '))
        .ok_or_else(bad)?;
    let (from, rest) = rest.split_once(" → ").ok_or_else(bad)?;
    let (to, requested_by) = rest.rsplit_once(" by ").ok_or_else(bad)?;
    Ok(DeployChange {
        deploy: crate::ids::DeployId(id.parse()?),
        app: app.to_owned(),
        env: env.to_owned(),
        from: (from != "none").then(|| from.to_owned()),
        to: to.to_owned(),
        requested_by: requested_by.to_owned(),
        production: false,
    })
}

impl Store {
    /// Record a change; returns its id.
    pub async fn record_change(&self, c: &ChangeEvent) -> anyhow::Result<ChangeId> {
        let row = sqlx::query(
            "INSERT INTO change_events (kind, subject, actor, started_at, finished_at, detail, ref_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(c.change.kind().as_str())
        .bind(c.change.subject())
        .bind(&c.actor)
        .bind(c.started_at)
        .bind(c.finished_at)
        .bind(encode(&c.change)?)
        .bind(c.change.ref_id())
        .fetch_one(self.pool())
        .await?;
        Ok(ChangeId(row.try_get(0)?))
    }

    /// Changes that finished in `[from, to]`, oldest first (for incident timelines).
    pub async fn changes_between(&self, from: i64, to: i64) -> anyhow::Result<Vec<ChangeEvent>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {CHANGE_COLUMNS} FROM change_events \
             WHERE finished_at >= $1 AND finished_at <= $2 ORDER BY finished_at, id"
        )))
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(change)
        .collect()
    }

    pub async fn change_event(&self, id: ChangeId) -> anyhow::Result<Option<ChangeEvent>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {CHANGE_COLUMNS} FROM change_events WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(change)
        .transpose()
    }

    /// When `subject` last finished changing (e.g. the last apply of a project).
    pub async fn last_change(
        &self,
        kind: ChangeKind,
        subject: &str,
    ) -> anyhow::Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT MAX(finished_at) FROM change_events WHERE kind = $1 AND subject = $2",
        )
        .bind(kind.as_str())
        .bind(subject)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// The change of `kind` recorded for record `ref_id` (a deploy, a run), if there is one.
    pub async fn change_of(
        &self,
        kind: ChangeKind,
        ref_id: i64,
    ) -> anyhow::Result<Option<ChangeId>> {
        let row = sqlx::query("SELECT MIN(id) FROM change_events WHERE kind = $1 AND ref_id = $2")
            .bind(kind.as_str())
            .bind(ref_id)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?.map(ChangeId))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_written_before_the_change_record_are_still_read() {
        let Change::Deploy(d) =
            decode("deploy", "web/production", "#12 v1.4.1 → v1.5.0 by U1").unwrap()
        else {
            panic!("a deploy")
        };
        assert_eq!(
            (d.deploy.0, d.app.as_str(), d.env.as_str()),
            (12, "web", "production")
        );
        assert_eq!(
            (d.from.as_deref(), d.to.as_str()),
            (Some("v1.4.1"), "v1.5.0")
        );
        assert_eq!(d.requested_by, "U1");
        let first = decode("deploy", "web/staging", "#3 none → v1 by U2").unwrap();
        assert_eq!(first.summary(), "#3 none → v1");
        let apply = decode(
            "terraform_apply",
            "network",
            r#"{"run":4,"commit":"abc1234ff","plan_sha256":"s","build":"b:1","requested_by":"U1","resources":["aws_vpc.main"],"destructive":1}"#,
        )
        .unwrap();
        assert_eq!(
            (apply.subject(), apply.destructive()),
            ("network".into(), 1)
        );
        assert!(decode("drift", "network", "{}").is_err());
        assert!(decode("deploy", "web/production", "merged").is_err());
    }

    #[test]
    fn a_change_is_read_back_as_written() {
        let c = Change::Deploy(DeployChange {
            deploy: crate::ids::DeployId(7),
            app: "web".into(),
            env: "production".into(),
            from: None,
            to: "v2".into(),
            requested_by: "U1".into(),
            production: true,
        });
        assert_eq!(
            decode("deploy", "web/production", &encode(&c).unwrap()).unwrap(),
            c
        );
    }
}
