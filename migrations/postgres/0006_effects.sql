-- Outward effects of handlers (replies to a person), journaled so a handler run again after a
-- crash does not say the same thing twice: a row is written before the effect and marked done
-- after it. Keyed by the inbox or jobs row and the effect's place in the handler's run.
CREATE TABLE effects (
    key TEXT PRIMARY KEY,
    done BIGINT NOT NULL DEFAULT 0,
    at BIGINT NOT NULL
);
