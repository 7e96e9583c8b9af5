-- Deploys: `data` is the serialised deploy, `meta` where it lives (PR, branch, card);
-- `version` guards every transition (compare-and-swap).
CREATE TABLE deploys (
    id BIGSERIAL PRIMARY KEY,
    app TEXT NOT NULL,
    env TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    meta TEXT NOT NULL,
    -- What asked for it (a command's trigger id, a webhook delivery): a retry finds its deploy.
    trigger_key TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX deploys_app_env ON deploys (app, env, id);

-- A hold on an app+environment (after a rollback): automatic bumps wait until it is released.
CREATE TABLE deploy_holds (
    app TEXT NOT NULL,
    env TEXT NOT NULL,
    reason TEXT NOT NULL,
    held_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app, env)
);
