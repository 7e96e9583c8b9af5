-- One machine translation per message and language: the claim is the row, so a second
-- reaction (or two at once) finds it and posts nothing. `reply_ts` is banto's own reply, which
-- is never translated again.
CREATE TABLE translations (
    id BIGSERIAL PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT NOT NULL,
    lang TEXT NOT NULL,
    reply_ts TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (channel, ts, lang)
);
CREATE INDEX translations_reply ON translations (channel, reply_ts);
