//! Translation by flag reaction: 🇯🇵 (`jp`, `flag-jp`) asks for Japanese, 🇺🇸/🇬🇧 (`us`,
//! `flag-us`, `gb`, `uk`, `flag-gb`) for English; nothing else does (🆔 is not Indonesian).
//! The message's markup is protected (`domain::translate`), DeepL translates, and the result
//! goes to the message's thread, labelled, once per message and language. banto's own
//! translations are never translated again; edits of the source are followed, and deleting
//! it deletes them.

use crate::app::App;
use crate::clients::deepl::DeeplError;
use crate::clients::slack::Outgoing;
use crate::clients::slack::PostedMessage;
use crate::domain::translate::{Lang, Style, detect, encode, restore, split};
use crate::event::{MessageChanged, MessageDeleted, MessagePosted, ReactionAdded};
use crate::ids::{ChannelId, MessageTs};
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

/// A translation can ping nobody: any live mention the translator made up is defused.
fn defang(text: &str) -> String {
    ["<!here", "<!channel", "<!everyone", "<!subteam", "<@"]
        .iter()
        .fold(text.to_owned(), |t, live| {
            t.replace(live, &live.replace('<', "&lt;"))
        })
}

pub async fn reacted(app: &App, r: &ReactionAdded) -> anyhow::Result<()> {
    let Some(to) = wanted(&r.reaction) else {
        return Ok(());
    };
    into_thread(app, &r.channel, &r.ts, Some(to)).await
}

/// Automatic mode: a person's message in an `auto_channels` channel, or in an incident channel
/// whose playbook translates, gets the other language in its thread.
pub async fn posted(app: &App, m: &MessagePosted) -> anyhow::Result<()> {
    if m.from_bot || m.user.is_none() || app.deepl.is_none() {
        return Ok(());
    }
    let auto = app.config.translate.auto_channels.contains(&m.channel.0)
        || match app.store.incident_in(&m.channel.0).await? {
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
    into_thread(app, &m.channel, &m.ts, None).await
}

/// Translate the message at `ts` into `to` (`None`: the other language) in its thread, once
/// per language; banto's own translations are left alone.
async fn into_thread(
    app: &App,
    channel: &ChannelId,
    ts: &MessageTs,
    to: Option<Lang>,
) -> anyhow::Result<()> {
    let Some(deepl) = &app.deepl else {
        return Ok(());
    };
    if app.store.is_translation(&channel.0, &ts.0).await? {
        return Ok(());
    }
    let Some(m) = app.slack.message(channel, ts).await? else {
        return Ok(());
    };
    let Some(from) = detect(&m.text) else {
        return Ok(());
    };
    let to = to.unwrap_or(from.other());
    if to == from
        || !app
            .store
            .claim_translation(&channel.0, &ts.0, code(to))
            .await?
    {
        return Ok(());
    }
    let posted = async {
        let reply = translation(app, deepl, channel, ts, &m, from, to).await?;
        let thread = m.thread_ts.clone().unwrap_or_else(|| ts.clone());
        let msg = Outgoing::text(reply.text());
        let reply_ts = crate::effects::post(app, channel, &msg, Some(&thread)).await?;
        app.store
            .set_translation_reply(&channel.0, &ts.0, code(to), &reply_ts.0)
            .await
    }
    .await;
    if posted.is_err() {
        app.store
            .release_translation(&channel.0, &ts.0, code(to))
            .await?;
    }
    match posted {
        Err(e) if e.downcast_ref::<DeeplError>() == Some(&DeeplError::Quota) => {
            quota_used_up(app).await
        }
        other => other,
    }
}

/// DeepL's character quota is used up: said once a month in the ops channel, not per message
/// (retrying would not help, so the event is done).
async fn quota_used_up(app: &App) -> anyhow::Result<()> {
    let month = app.clock.now().format("%Y-%m").to_string();
    // The translations table's claim doubles as "said already this month".
    if !app
        .store
        .claim_translation("!quota", &month, "deepl")
        .await?
    {
        return Ok(());
    }
    tracing::warn!("DeepL quota exceeded; translations pause until it renews");
    let Some(ops) = &app.config.slack.ops_channel else {
        return Ok(());
    };
    let locale = app.config.locale_for_channel(ops);
    let text = TranslationReply::QuotaExceeded.render(locale);
    crate::effects::post(
        app,
        &ChannelId::from(ops.as_str()),
        &Outgoing::text(text),
        None,
    )
    .await?;
    Ok(())
}

/// A translated message was edited: its translations are translated again, in place.
pub async fn edited(app: &App, e: &MessageChanged) -> anyhow::Result<()> {
    let Some(deepl) = &app.deepl else {
        return Ok(());
    };
    let replies = app.store.translations_of(&e.channel.0, &e.ts.0).await?;
    if replies.is_empty() {
        return Ok(());
    }
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
        let text = translation(app, deepl, &e.channel, &e.ts, &m, from, to).await?;
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
    for (_, reply) in app.store.translations_of(&d.channel.0, &d.ts.0).await? {
        app.slack
            .delete(&d.channel, &MessageTs::from(reply.as_str()))
            .await?;
    }
    app.store.forget_translations(&d.channel.0, &d.ts.0).await
}

/// `text` translated with its markup kept: the translation, or how many protected tokens the
/// translator lost.
async fn translate_text(
    app: &App,
    deepl: &crate::clients::deepl::DeeplApi,
    text: &str,
    from: Lang,
    to: Lang,
) -> anyhow::Result<Result<String, usize>> {
    // What goes to a translator outside is masked like everything banto posts.
    let text = &crate::domain::mask::text(text);
    let mentioned = mentioned(text);
    let names = super::display_names(app, mentioned.iter().map(String::as_str)).await;
    let pieces = split(text, &|id| names.get(id).cloned());
    let (encoded, kept) = encode(&pieces, Style::Xml);
    let glossary = app.config.translate.deepl_glossary_id.as_deref();
    let out = deepl
        .translate(&[encoded], Some(from), to, glossary)
        .await?;
    Ok(
        restore(out.first().map_or("", String::as_str), &kept, Style::Xml)
            .map(|t| defang(&t))
            .map_err(|lost| lost.0.len()),
    )
}

/// The thread reply for `m` translated from `from` into `to`, or why there is none.
async fn translation(
    app: &App,
    deepl: &crate::clients::deepl::DeeplApi,
    channel: &ChannelId,
    ts: &MessageTs,
    m: &PostedMessage,
    from: Lang,
    to: Lang,
) -> anyhow::Result<TranslationReply> {
    Ok(match translate_text(app, deepl, &m.text, from, to).await? {
        Ok(text) => {
            let author = match &m.author {
                Some(a) => app.slack.profile(a).await.ok().and_then(|p| p.name),
                None => None,
            };
            TranslationReply::Translated {
                from,
                to,
                author: author.unwrap_or_else(|| "someone".into()),
                link: app.slack.permalink(channel, ts).await.unwrap_or_default(),
                text,
            }
        }
        Err(lost) => TranslationReply::Lost { lost },
    })
}

/// `/translate [en|ja] <text>` and the "Translate" message shortcut: an answer only the
/// asker sees; without a language, into the other one.
pub async fn privately(
    app: &App,
    text: &str,
    to: Option<Lang>,
) -> anyhow::Result<TranslationReply> {
    let Some(deepl) = &app.deepl else {
        return Ok(TranslationReply::Off);
    };
    let Some(from) = detect(text) else {
        return Ok(TranslationReply::NothingToTranslate);
    };
    let to = to.unwrap_or(from.other());
    if to == from {
        return Ok(TranslationReply::AlreadyIn { lang: to });
    }
    Ok(match translate_text(app, deepl, text, from, to).await? {
        Ok(text) => TranslationReply::ForYou { from, to, text },
        Err(lost) => TranslationReply::Lost { lost },
    })
}

/// `/translate [en|ja] <text>`.
pub async fn command(app: &App, text: &str) -> anyhow::Result<TranslationReply> {
    let (first, rest) = text
        .trim()
        .split_once(char::is_whitespace)
        .unwrap_or((text.trim(), ""));
    let (to, text) = match first.to_lowercase().as_str() {
        "en" => (Some(Lang::En), rest),
        "ja" | "jp" => (Some(Lang::Ja), rest),
        _ => (None, text.trim()),
    };
    if text.trim().is_empty() {
        return Ok(TranslationReply::Usage);
    }
    privately(app, text, to).await
}

/// The "Translate" message shortcut: the message in the other language, for the asker only.
pub async fn shortcut(app: &App, m: &crate::event::MessageShortcut) -> anyhow::Result<()> {
    let reply = privately(app, &m.text, None).await?;
    let locale = app.locale_for(&m.user, Some(&m.channel)).await;
    crate::handlers::reply(app, None, Some(&m.channel), &m.user, reply.render(locale)).await
}

/// User ids mentioned as `<@U…>` or `<@U…|name>`.
fn mentioned(text: &str) -> Vec<String> {
    text.split("<@")
        .skip(1)
        .filter_map(|rest| rest.split(['>', '|']).next())
        .map(str::to_owned)
        .collect()
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

    #[test]
    fn a_made_up_mention_pings_nobody() {
        assert_eq!(
            defang("ok <!here> <@U1> <#C1>"),
            "ok &lt;!here> &lt;@U1> <#C1>"
        );
        assert_eq!(mentioned("a <@U1> b <@U2|bob>"), ["U1", "U2"]);
    }
}
