//! SQL for translations: which message was translated into which language, and by which reply;
//! the providers' answers cache; characters sent per provider and month.

use super::Store;
use crate::ids::{ChannelId, MessageTs};
use sqlx::Row;

impl Store {
    /// Claim the translation of `(channel, ts)` into `lang`. False: someone already did.
    pub async fn claim_translation(
        &self,
        channel: &ChannelId,
        ts: &MessageTs,
        lang: &str,
    ) -> anyhow::Result<bool> {
        self.claim_row(channel.as_str(), ts.as_str(), lang).await
    }

    /// Claim saying the notice `kind` about `provider` in `month`: a row no channel can have
    /// (`!kind`). False: it was said already.
    pub async fn claim_monthly_notice(
        &self,
        kind: &str,
        month: &str,
        provider: &str,
    ) -> anyhow::Result<bool> {
        self.claim_row(&format!("!{kind}"), month, provider).await
    }

    async fn claim_row(&self, channel: &str, ts: &str, lang: &str) -> anyhow::Result<bool> {
        Ok(sqlx::query(
            "INSERT INTO translations (channel, ts, lang, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (channel, ts, lang) DO NOTHING",
        )
        .bind(channel)
        .bind(ts)
        .bind(lang)
        .bind(self.clock.now_ms())
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1)
    }

    /// Give a claim up (the translation failed): a later reaction may try again.
    pub async fn release_translation(
        &self,
        channel: &ChannelId,
        ts: &MessageTs,
        lang: &str,
    ) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM translations WHERE channel = $1 AND ts = $2 AND lang = $3 AND reply_ts IS NULL")
            .bind(channel.as_str())
            .bind(ts.as_str())
            .bind(lang)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_translation_reply(
        &self,
        channel: &ChannelId,
        ts: &MessageTs,
        lang: &str,
        reply_ts: &MessageTs,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE translations SET reply_ts = $1 WHERE channel = $2 AND ts = $3 AND lang = $4",
        )
        .bind(reply_ts.as_str())
        .bind(channel.as_str())
        .bind(ts.as_str())
        .bind(lang)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// `(language, reply)` of every translation posted of `(channel, ts)`.
    pub async fn translations_of(
        &self,
        channel: &ChannelId,
        ts: &MessageTs,
    ) -> anyhow::Result<Vec<(String, MessageTs)>> {
        let rows = sqlx::query(
            "SELECT lang, reply_ts FROM translations \
             WHERE channel = $1 AND ts = $2 AND reply_ts IS NOT NULL ORDER BY lang",
        )
        .bind(channel.as_str())
        .bind(ts.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, MessageTs(r.try_get(1)?))))
            .collect()
    }

    /// The source is gone: so are its translations' rows.
    pub async fn forget_translations(
        &self,
        channel: &ChannelId,
        ts: &MessageTs,
    ) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM translations WHERE channel = $1 AND ts = $2")
            .bind(channel.as_str())
            .bind(ts.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Whether `(channel, ts)` is one of banto's translations (never translated again).
    pub async fn is_translation(
        &self,
        channel: &ChannelId,
        ts: &MessageTs,
    ) -> anyhow::Result<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM translations WHERE channel = $1 AND reply_ts = $2")
                .bind(channel.as_str())
                .bind(ts.as_str())
                .fetch_optional(self.pool())
                .await?
                .is_some(),
        )
    }

    /// A provider's cached answer for `key`.
    pub async fn cached_translation(&self, key: &str) -> anyhow::Result<Option<String>> {
        let row = sqlx::query("SELECT answer FROM translation_cache WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    /// Keep `answer` for `key`; answers older than `max_age_ms` go.
    pub async fn cache_translation(
        &self,
        key: &str,
        answer: &str,
        max_age_ms: i64,
    ) -> anyhow::Result<()> {
        let now = self.clock.now_ms();
        sqlx::query("DELETE FROM translation_cache WHERE created_at < $1")
            .bind(now - max_age_ms)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO translation_cache (key, answer, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(answer)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Characters sent to `provider` in `month` so far.
    pub async fn translation_usage(&self, month: &str, provider: &str) -> anyhow::Result<i64> {
        let row = sqlx::query(
            "SELECT characters FROM translation_usage WHERE month = $1 AND provider = $2",
        )
        .bind(month)
        .bind(provider)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            Some(r) => r.try_get(0)?,
            None => 0,
        })
    }

    /// Count `characters` more sent to `provider` in `month`; the new total.
    pub async fn add_translation_usage(
        &self,
        month: &str,
        provider: &str,
        characters: i64,
    ) -> anyhow::Result<i64> {
        let row = sqlx::query(
            "INSERT INTO translation_usage (month, provider, characters) VALUES ($1, $2, $3) \
             ON CONFLICT (month, provider) \
             DO UPDATE SET characters = translation_usage.characters + excluded.characters \
             RETURNING characters",
        )
        .bind(month)
        .bind(provider)
        .bind(characters)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get(0)?)
    }
}
