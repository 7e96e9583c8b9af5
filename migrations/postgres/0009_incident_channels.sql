-- An incident is found from its channel on every message, reaction and command there.
ALTER TABLE incidents ADD COLUMN channel TEXT;
CREATE INDEX incidents_channel ON incidents (channel);
-- The record a change event came from (a deploy's id, a Terraform run's id): a suspect's
-- Roll back button starts from it.
ALTER TABLE change_events ADD COLUMN ref_id BIGINT;
CREATE INDEX change_events_finished ON change_events (finished_at);
-- A hold an incident placed (a SEV1/2 deploy freeze): people are held too, unless they break
-- glass; resolving the incident releases it.
ALTER TABLE deploy_holds ADD COLUMN incident BIGINT;
