-- Incidents: `data` is the serialised incident (with its timeline), `meta` where it lives
-- (channel, header card, who was invited); `version` guards every change (compare-and-swap).
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    reporter TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    meta TEXT NOT NULL,
    -- What declared it (a command's trigger id, an alert): a retry finds its incident.
    trigger_key TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX incidents_state ON incidents (state, id);
