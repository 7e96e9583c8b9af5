-- Interactive events (lane 0) are claimed before the backlog (lane 1); rows with one ordering
-- key are claimed one at a time, oldest first. Jobs share the row shape (and the claim).
ALTER TABLE inbox ADD COLUMN lane INTEGER NOT NULL DEFAULT 1;
ALTER TABLE inbox ADD COLUMN ordering_key TEXT;
CREATE INDEX inbox_lane_ready ON inbox (state, lane, run_at, id);
CREATE INDEX inbox_ordering ON inbox (ordering_key, state, id);
ALTER TABLE jobs ADD COLUMN lane INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN ordering_key TEXT;
