-- Holds are a set, not a slot: an incident's freeze, a rollback's hold and a manual lock of one
-- app+environment live side by side, each lifted only by what owns it. `incident` is the
-- freezing incident's id (0 for the other kinds), so each incident freezes on its own.
CREATE TABLE deploy_hold_set (
    app TEXT NOT NULL,
    env TEXT NOT NULL,
    kind TEXT NOT NULL,
    incident BIGINT NOT NULL DEFAULT 0,
    reason TEXT NOT NULL,
    held_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app, env, kind, incident)
);
INSERT INTO deploy_hold_set (app, env, kind, incident, reason, held_by, created_at)
SELECT app, env,
       CASE WHEN incident IS NOT NULL THEN 'incident'
            WHEN reason LIKE 'rolled back from %' THEN 'rollback'
            ELSE 'manual' END,
       COALESCE(incident, 0), reason, held_by, created_at
FROM deploy_holds;
DROP TABLE deploy_holds;
CREATE INDEX deploy_hold_set_incident ON deploy_hold_set (incident);
