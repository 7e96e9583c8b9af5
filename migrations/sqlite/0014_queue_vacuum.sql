-- Claims read pending rows only: an index that holds nothing else stays small however many
-- handled rows are kept for deduplication. (PostgreSQL's version also tunes autovacuum.)
CREATE INDEX inbox_pending ON inbox (lane, run_at, id) WHERE state = 'pending';
CREATE INDEX jobs_pending ON jobs (lane, run_at, id) WHERE state = 'pending';
