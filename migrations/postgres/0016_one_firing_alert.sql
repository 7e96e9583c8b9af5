-- One firing episode per alert group, kept by the database rather than by a check before the
-- insert: two notices for one group handled at the same moment make one episode and one card
-- (the loser's insert fails, and its retry finds the winner's episode). Duplicates from before
-- are closed first, the newest kept.
UPDATE alerts SET state = 'resolved'
WHERE state = 'firing' AND id NOT IN (
    SELECT MAX(id) FROM alerts WHERE state = 'firing' GROUP BY source, group_key
);
CREATE UNIQUE INDEX alerts_one_firing ON alerts (source, group_key) WHERE state = 'firing';
