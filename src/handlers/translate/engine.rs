//! One translation, whoever asked for it: the channel's provider (refused in a private channel
//! unless it is `private_ok`), the provider's answer from the cache or, within the monthly
//! budget, from the provider, and the message's markup put back exactly or the loss named.
//! Used-up quotas and budgets are said once a month in the ops channel.

use crate::app::App;
use crate::clients::translate::TranslateError;
use crate::domain::translate::{Lang, Provider, encode, restore, split};
use crate::ids::ChannelId;
use crate::messages::translate::TranslationReply;
use sha2::{Digest, Sha256};

/// How long a provider's answer is kept for a repeat.
const CACHE_DAYS: i64 = 30;

/// The texts being translated now, by cache key: a second ask for the same text (two people's
/// `/translate` at once) waits for the first and takes its answer from the cache.
static IN_FLIGHT: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
> = std::sync::LazyLock::new(Default::default);

/// This process's turn to ask the provider for `key`; released when dropped.
struct Turn {
    key: String,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut map = IN_FLIGHT.lock().expect("in-flight translations");
        // Two holders left (the map's and this turn's): nobody else waits.
        if map
            .get(&self.key)
            .is_some_and(|m| std::sync::Arc::strong_count(m) <= 2)
        {
            map.remove(&self.key);
        }
    }
}

async fn turn(key: &str) -> Turn {
    let lock = IN_FLIGHT
        .lock()
        .expect("in-flight translations")
        .entry(key.to_owned())
        .or_default()
        .clone();
    Turn {
        key: key.to_owned(),
        _guard: lock.lock_owned().await,
    }
}

/// A translation can ping nobody: any live mention the translator made up is defused.
fn defang(text: &str) -> String {
    ["<!here", "<!channel", "<!everyone", "<!subteam", "<@"]
        .iter()
        .fold(text.to_owned(), |t, live| {
            t.replace(live, &live.replace('<', "&lt;"))
        })
}

/// User ids mentioned as `<@U…>` or `<@U…|name>`.
fn mentioned(text: &str) -> Vec<String> {
    text.split("<@")
        .skip(1)
        .filter_map(|rest| rest.split(['>', '|']).next())
        .map(str::to_owned)
        .collect()
}

fn cache_key(p: Provider, encoded: &str, to: Lang, glossary: &str) -> String {
    let mut h = Sha256::new();
    for part in [p.name(), encoded, super::code(to), glossary] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// Who translates text seen in `channel` (any provider for text seen nowhere), or why nobody
/// may: no translator is set up, or the channel is private and its provider not `private_ok`.
pub async fn provider_for(
    app: &App,
    channel: Option<&ChannelId>,
) -> anyhow::Result<Result<Provider, TranslationReply>> {
    let config = &app.config.translate;
    let provider = channel.map_or(config.provider, |c| config.provider_for(c));
    if !app.translators.has(provider) {
        return Ok(Err(TranslationReply::Off));
    }
    let (private_ok, _) = config.limits(provider);
    if !private_ok && let Some(c) = channel {
        // Unknown is private: text goes out only when Slack says the channel is public.
        if app.slack.is_private(c).await.unwrap_or(true) {
            return Ok(Err(TranslationReply::NotHere { provider }));
        }
    }
    Ok(Ok(provider))
}

/// `text` translated by `provider` (see `provider_for`) with its markup kept, or the reply
/// that says why not.
pub async fn translate_text(
    app: &App,
    provider: Provider,
    text: &str,
    from: Lang,
    to: Lang,
) -> anyhow::Result<Result<String, TranslationReply>> {
    let config = &app.config.translate;
    let (_, budget) = config.limits(provider);
    // What goes to a translator outside is masked like everything banto posts.
    let text = &crate::domain::mask::text(text);
    let names = super::super::display_names(app, mentioned(text).iter().map(String::as_str)).await;
    let glossary = config.glossary();
    let pieces = glossary.keep_words(split(text, &|id| names.get(id).cloned()));
    let (encoded, kept) = encode(&pieces, provider.style());
    let key = cache_key(provider, &encoded, to, &glossary.fingerprint());
    let mut _turn = None;
    let mut cached = app.store.cached_translation(&key).await?;
    if cached.is_none() {
        _turn = Some(turn(&key).await);
        cached = app.store.cached_translation(&key).await?;
    }
    let (answer, fresh) = match cached {
        Some(answer) => (answer, false),
        None => {
            let month = app.clock.now().format("%Y-%m").to_string();
            let size = encoded.chars().count() as i64;
            let budget = budget as i64;
            let used = app.store.translation_usage(&month, provider.name()).await?;
            if budget > 0 && used + size > budget {
                notice_once(app, "budget", TranslationReply::BudgetUsedUp { provider }).await?;
                return Ok(Err(TranslationReply::BudgetUsedUp { provider }));
            }
            let answer = match app
                .translators
                .translate(provider, &encoded, from, to, &glossary)
                .await
            {
                Ok(answer) => answer,
                Err(e) => return failed(app, provider, e).await.map(Err),
            };
            let total = app
                .store
                .add_translation_usage(&month, provider.name(), size)
                .await?;
            if budget > 0 && total * 5 >= budget * 4 && (total - size) * 5 < budget * 4 {
                let warning = TranslationReply::BudgetWarning {
                    provider,
                    used: total,
                    budget,
                };
                notice_once(app, "budget-80", warning).await?;
            }
            (answer, true)
        }
    };
    let restored = restore(&answer, &kept, provider.style());
    // Only an answer that kept every mention, link and code span is kept for next time: a
    // rejected one is asked again (a new reaction retries), never served from the cache.
    if fresh && restored.is_ok() {
        app.store
            .cache_translation(&key, &answer, CACHE_DAYS * 86_400_000)
            .await?;
    }
    Ok(restored
        .map(|t| defang(&t))
        .map_err(|lost| TranslationReply::Lost { lost: lost.0.len() }))
}

/// What the asker is told when the provider failed; a used-up quota is told to ops too.
async fn failed(
    app: &App,
    provider: Provider,
    e: TranslateError,
) -> anyhow::Result<TranslationReply> {
    tracing::warn!(provider = provider.name(), error = %e, "translation failed");
    Ok(match e {
        TranslateError::Quota => {
            notice_once(app, "quota", TranslationReply::QuotaExceeded { provider }).await?;
            TranslationReply::QuotaExceeded { provider }
        }
        TranslateError::TooLong => TranslationReply::TooLong,
        TranslateError::Unavailable(_) => TranslationReply::Unavailable { provider },
        TranslateError::Auth | TranslateError::Api { .. } => TranslationReply::Refused { provider },
    })
}

/// `notice` in the ops channel, once a month per kind and provider.
async fn notice_once(app: &App, kind: &str, notice: TranslationReply) -> anyhow::Result<()> {
    let provider = match &notice {
        TranslationReply::BudgetUsedUp { provider }
        | TranslationReply::BudgetWarning { provider, .. }
        | TranslationReply::QuotaExceeded { provider } => provider.name(),
        _ => "",
    };
    let month = app.clock.now().format("%Y-%m").to_string();
    if !app
        .store
        .claim_monthly_notice(kind, &month, provider)
        .await?
    {
        return Ok(());
    }
    let Some(ops) = &app.config.slack.ops_channel else {
        tracing::warn!(
            kind,
            provider,
            "translation notice with no ops channel to say it in"
        );
        return Ok(());
    };
    crate::effects::say(app, ops, &notice).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_up_mention_pings_nobody() {
        assert_eq!(
            defang("ok <!here> <@U1> <#C1>"),
            "ok &lt;!here> &lt;@U1> <#C1>"
        );
        assert_eq!(mentioned("a <@U1> b <@U2|bob>"), ["U1", "U2"]);
    }

    #[test]
    fn the_cache_key_changes_with_each_part() {
        let base = cache_key(Provider::Deepl, "hi", Lang::Ja, "g1");
        assert_eq!(base, cache_key(Provider::Deepl, "hi", Lang::Ja, "g1"));
        for other in [
            cache_key(Provider::Amazon, "hi", Lang::Ja, "g1"),
            cache_key(Provider::Deepl, "hi!", Lang::Ja, "g1"),
            cache_key(Provider::Deepl, "hi", Lang::En, "g1"),
            cache_key(Provider::Deepl, "hi", Lang::Ja, "g2"),
        ] {
            assert_ne!(base, other);
        }
    }
}
