-- Terraform runs: `data` is the serialised run; `version` guards every transition (compare-and-swap).
CREATE TABLE tf_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    head_sha TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX tf_runs_project ON tf_runs (project, state);

-- One lock per project and workspace, leased: an expired lease can be taken over.
CREATE TABLE tf_locks (
    project TEXT NOT NULL,
    workspace TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (project, workspace)
);

-- Append-only: who planned, approved, rejected, applied, unlocked what.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, id);
