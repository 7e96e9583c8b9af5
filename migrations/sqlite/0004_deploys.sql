-- Deploys: `data` is the serialised deploy, `meta` where it lives (PR, branch, card);
-- `version` guards every transition (compare-and-swap).
CREATE TABLE deploys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL,
    env TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    meta TEXT NOT NULL,
    -- What asked for it (a command's trigger id, a webhook delivery): a retry finds its deploy.
    trigger_key TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX deploys_app_env ON deploys (app, env, id);

-- A hold on an app+environment (after a rollback): automatic bumps wait until it is released.
CREATE TABLE deploy_holds (
    app TEXT NOT NULL,
    env TEXT NOT NULL,
    reason TEXT NOT NULL,
    held_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (app, env)
);
