-- Alert episodes (an Alertmanager group or a CloudWatch alarm, from firing to resolved):
-- `data` the episode, `meta` its card in the alerts channel. `trigger_key` is the group and the
-- episode's first start, so a notice delivered twice finds the episode it began.
CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL,
    group_key TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    meta TEXT NOT NULL,
    trigger_key TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX alerts_group ON alerts (source, group_key, state);
