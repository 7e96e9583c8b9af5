-- A provider's answer for a protected text, by hash of (provider, text, target, glossary): a
-- repeated translation costs nothing. Old answers are dropped as new ones come.
CREATE TABLE translation_cache (
    key TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX translation_cache_age ON translation_cache (created_at);
-- Characters sent to each provider per calendar month (UTC), against its budget.
CREATE TABLE translation_usage (
    month TEXT NOT NULL,
    provider TEXT NOT NULL,
    characters INTEGER NOT NULL,
    PRIMARY KEY (month, provider)
);
