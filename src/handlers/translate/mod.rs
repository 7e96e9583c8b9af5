//! Translation by flag reaction: 🇯🇵 (`jp`, `flag-jp`) asks for Japanese, 🇺🇸/🇬🇧 (`us`,
//! `flag-us`, `gb`, `uk`, `flag-gb`) for English; nothing else does (🆔 is not Indonesian);
//! and automatic translation in bilingual channels. The result goes to the message's thread,
//! labelled, once per message and language; banto's own translations are never translated
//! again; edits of the source are followed, and deleting it deletes them. A translation that
//! cannot be made is said to whoever asked (the reactor; in automatic mode the author, when
//! trying again later can help).

mod asked;
mod engine;

pub use asked::{command, privately, shortcut};

use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::clients::slack::PostedMessage;
use crate::domain::translate::{Lang, Provider, detect};
use crate::event::{MessageChanged, MessageDeleted, MessagePosted, ReactionAdded};
use crate::ids::{ChannelId, MessageTs, UserId};
use crate::messages::Message;
use crate::messages::translate::TranslationReply;

/// The language a reaction asks for.
pub fn wanted(reaction: &str) -> Option<Lang> {
    match reaction {
        "jp" | "flag-jp" => Some(Lang::Ja),
        "us" | "flag-us" | "gb" | "uk" | "flag-gb" => Some(Lang::En),
        _ => None,
    }
}

fn code(l: Lang) -> &'static str {
    match l {
        Lang::En => "en",
        Lang::Ja => "ja",
    }
}

/// Who is told when a translation cannot be made.
enum Asker {
    Reactor(UserId),
    /// Automatic mode: the message's author, only of what trying again can fix.
    Auto,
}

pub async fn reacted(app: &App, r: &ReactionAdded) -> anyhow::Result<()> {
    let Some(to) = wanted(&r.reaction) else {
        return Ok(());
    };
    into_thread(
        app,
        &r.channel,
        &r.ts,
        Some(to),
        Asker::Reactor(r.user.clone()),
    )
    .await
}

/// Automatic mode: a person's message in an `auto_channels` channel, or in an incident channel
/// whose playbook translates, gets the other language in its thread.
pub async fn posted(app: &App, m: &MessagePosted) -> anyhow::Result<()> {
    if m.from_bot || m.user.is_none() || !app.translators.any() {
        return Ok(());
    }
    let auto = app.config.translate.auto_channels.contains(&m.channel)
        || match app.store.incident_in(&m.channel).await? {
            Some(i) => app
                .config
                .incidents
                .playbooks
                .get(&i.record.kind)
                .is_some_and(|p| p.translate),
            None => false,
        };
    if !auto {
        return Ok(());
    }
    into_thread(app, &m.channel, &m.ts, None, Asker::Auto).await
}

/// Translate the message at `ts` into `to` (`None`: the other language) in its thread, once
/// per language; banto's own translations are left alone.
async fn into_thread(
    app: &App,
    channel: &ChannelId,
    ts: &MessageTs,
    to: Option<Lang>,
    asker: Asker,
) -> anyhow::Result<()> {
    if !app.translators.any() || app.store.is_translation(channel, ts).await? {
        return Ok(());
    }
    let (m, provider) = tokio::join!(
        app.slack.message(channel, ts),
        engine::provider_for(app, Some(channel))
    );
    let Some(m) = m? else {
        return Ok(());
    };
    let Some(from) = detect(&m.text) else {
        return Ok(());
    };
    let to = to.unwrap_or(from.other());
    if to == from || !app.store.claim_translation(channel, ts, code(to)).await? {
        return Ok(());
    }
    let posted = async {
        let provider = match provider? {
            Ok(p) => p,
            Err(refused) => return Ok(Err(refused)),
        };
        let reply = match translation(app, provider, channel, ts, &m, from, to).await? {
            Ok(reply) => reply,
            Err(failure) => return Ok(Err(failure)),
        };
        let thread = m.thread_ts.clone().unwrap_or_else(|| ts.clone());
        let text = match (&reply, &asker) {
            // A note is for whoever asked, in their language; a translation is in its own.
            (TranslationReply::Lost { .. }, Asker::Reactor(user)) => {
                reply.render(app.locale_for(user, Some(channel)).await)
            }
            (TranslationReply::Lost { .. }, Asker::Auto) => match &m.author {
                Some(author) => reply.render(app.locale_for(author, Some(channel)).await),
                None => reply.text(),
            },
            _ => reply.text(),
        };
        let msg = Outgoing::text(text);
        let reply_ts = crate::effects::post(app, channel, &msg, Some(&thread)).await?;
        // A note that the translator lost a mention is not the translation: the next reaction
        // asks again.
        if matches!(reply, TranslationReply::Lost { .. }) {
            return Ok(Ok(false));
        }
        app.store
            .set_translation_reply(channel, ts, code(to), &reply_ts)
            .await
            .map(|()| Ok(true))
    }
    .await;
    if !matches!(posted, Ok(Ok(true))) {
        app.store.release_translation(channel, ts, code(to)).await?;
    }
    let failure = match posted? {
        Ok(_) => return Ok(()),
        Err(failure) => failure,
    };
    let user = match asker {
        Asker::Reactor(user) => user,
        Asker::Auto if failure.worth_retrying() => match &m.author {
            Some(author) => author.clone(),
            None => return Ok(()),
        },
        Asker::Auto => return Ok(()),
    };
    let locale = app.locale_for(&user, Some(channel)).await;
    super::reply(app, None, Some(channel), &user, failure.render(locale)).await
}

/// A translated message was edited: its translations are translated again, in place.
pub async fn edited(app: &App, e: &MessageChanged) -> anyhow::Result<()> {
    let replies = app.store.translations_of(&e.channel, &e.ts).await?;
    if replies.is_empty() {
        return Ok(());
    }
    let Ok(provider) = engine::provider_for(app, Some(&e.channel)).await? else {
        return Ok(());
    };
    let Some(m) = app.slack.message(&e.channel, &e.ts).await? else {
        return Ok(());
    };
    for (lang, reply) in replies {
        let to = if lang == code(Lang::Ja) {
            Lang::Ja
        } else {
            Lang::En
        };
        let Some(from) = detect(&m.text).filter(|from| *from != to) else {
            continue;
        };
        let Ok(text) = translation(app, provider, &e.channel, &e.ts, &m, from, to).await? else {
            // The old translation stays rather than a notice replacing it.
            continue;
        };
        app.slack
            .update(
                &e.channel,
                &MessageTs::from(reply.as_str()),
                &Outgoing::text(text.text()),
            )
            .await?;
    }
    Ok(())
}

/// A translated message was deleted: so are its translations.
pub async fn deleted(app: &App, d: &MessageDeleted) -> anyhow::Result<()> {
    for (_, reply) in app.store.translations_of(&d.channel, &d.ts).await? {
        app.slack
            .delete(&d.channel, &MessageTs::from(reply.as_str()))
            .await?;
    }
    app.store.forget_translations(&d.channel, &d.ts).await
}

/// The thread reply for `m` translated from `from` into `to` (the translation, or a note that
/// the translator lost a token), or what the asker is told instead. The author's name and
/// the permalink are looked up while the translator works.
async fn translation(
    app: &App,
    provider: Provider,
    channel: &ChannelId,
    ts: &MessageTs,
    m: &PostedMessage,
    from: Lang,
    to: Lang,
) -> anyhow::Result<Result<TranslationReply, TranslationReply>> {
    let author = async {
        match &m.author {
            Some(a) => app.slack.profile(a).await.ok().and_then(|p| p.name),
            None => None,
        }
    };
    let (translated, author, link) = tokio::join!(
        engine::translate_text(app, provider, &m.text, from, to),
        author,
        app.slack.permalink(channel, ts)
    );
    Ok(match translated? {
        Ok(text) => Ok(TranslationReply::Translated {
            from,
            to,
            author,
            link: link.unwrap_or_default(),
            text,
        }),
        Err(lost @ TranslationReply::Lost { .. }) => Ok(lost),
        Err(failure) => Err(failure),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_flags_meant_ask_for_a_language() {
        assert_eq!(wanted("flag-jp"), Some(Lang::Ja));
        assert_eq!(wanted("gb"), Some(Lang::En));
        assert_eq!(wanted("id"), None, "🆔 is not a language");
        assert_eq!(wanted("flag-fr"), None);
    }
}
