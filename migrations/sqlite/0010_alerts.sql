-- Alert episodes (an Alertmanager group or a CloudWatch alarm, from firing to resolved):
-- `data` the episode, `meta` its card in the alerts channel. `trigger_key` is the group and the
-- episode's first start, so a notice delivered twice finds the episode it began.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    group_key TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    meta TEXT NOT NULL,
    trigger_key TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX alerts_group ON alerts (source, group_key, state);
