-- What an effect produced (the `ts` of a posted message), so a run after a crash reuses it
-- (saves the card it already posted) instead of posting again.
ALTER TABLE effects ADD COLUMN result TEXT;
