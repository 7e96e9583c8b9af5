-- What a run needs besides its state: where its card is, its builds, its PR. `trigger_key`
-- makes starting a run idempotent (a retried event finds the run it already made).
ALTER TABLE tf_runs ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tf_runs ADD COLUMN trigger_key TEXT;
CREATE UNIQUE INDEX tf_runs_trigger ON tf_runs (trigger_key);

-- Which run a CodeBuild build belongs to, and whether it plans or applies.
CREATE TABLE tf_builds (
    build_id TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL,
    mode TEXT NOT NULL
);

-- Completed changes to production (applies, later deploys), for incident timelines.
CREATE TABLE change_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    actor TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX change_events_subject ON change_events (subject, finished_at);

-- The one plan comment per pull request and project, edited in place on every re-plan.
CREATE TABLE pr_comments (
    repo TEXT NOT NULL,
    pr INTEGER NOT NULL,
    project TEXT NOT NULL,
    comment_id INTEGER NOT NULL,
    PRIMARY KEY (repo, pr, project)
);
