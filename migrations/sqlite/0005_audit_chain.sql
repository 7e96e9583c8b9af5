-- The audit log becomes a hash chain: each row's hash covers the previous row's hash and its own
-- content. Rows written before this migration keep NULLs and are reported as unchained. A second
-- row linking to the same previous hash (two writers at once) is refused, and the writer retries.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log (prev_hash);
