//! `/translate [en|ja] <text>` and the "Translate" message shortcut: an answer only the asker
//! sees; without a language, into the other one.

use super::engine::{provider_for, translate_text};
use crate::app::App;
use crate::domain::translate::{Lang, detect};
use crate::ids::ChannelId;
use crate::messages::Message;
use crate::messages::translate::TranslationReply;

/// `text`, seen in `channel`, translated for one person.
pub async fn privately(
    app: &App,
    channel: Option<&ChannelId>,
    text: &str,
    to: Option<Lang>,
) -> anyhow::Result<TranslationReply> {
    let Some(from) = detect(text) else {
        return Ok(TranslationReply::NothingToTranslate);
    };
    let to = to.unwrap_or(from.other());
    if to == from {
        return Ok(TranslationReply::AlreadyIn { lang: to });
    }
    let provider = match provider_for(app, channel).await? {
        Ok(p) => p,
        Err(why) => return Ok(why),
    };
    Ok(match translate_text(app, provider, text, from, to).await? {
        Ok(text) => TranslationReply::ForYou { from, to, text },
        Err(why) => why,
    })
}

/// `/translate [en|ja] <text>`, typed in `channel`.
pub async fn command(
    app: &App,
    channel: &ChannelId,
    text: &str,
) -> anyhow::Result<TranslationReply> {
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
    privately(app, Some(channel), text, to).await
}

/// The "Translate" message shortcut: the message in the other language, for the asker only.
pub async fn shortcut(app: &App, m: &crate::event::MessageShortcut) -> anyhow::Result<()> {
    let reply = privately(app, Some(&m.channel), &m.text, None).await?;
    let locale = app.locale_for(&m.user, Some(&m.channel)).await;
    crate::handlers::reply(app, None, Some(&m.channel), &m.user, reply.render(locale)).await
}
