-- Every queue row is updated twice (claimed, then finished), so dead row versions pile up fast:
-- with PostgreSQL's default autovacuum thresholds a 10-minute soak at 1,000 events/s slowed
-- every claim until handling fell from 1,000 to 300 events/s. Vacuum these tables early and
-- without throttling, leave room on each page for the claim's update to stay on it (HOT), and
-- claim through an index that holds pending rows only.
ALTER TABLE inbox SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 2000,
    autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0, fillfactor = 80);
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 2000,
    autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0, fillfactor = 80);
CREATE INDEX inbox_pending ON inbox (lane, run_at, id) WHERE state = 'pending';
CREATE INDEX jobs_pending ON jobs (lane, run_at, id) WHERE state = 'pending';
