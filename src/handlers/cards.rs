//! A record's Slack card: posted once, then edited in place, always rendered from the record
//! as saved now. Terraform runs and deploys have one; so will incidents.

use crate::app::App;
use crate::clients::slack::Outgoing;
use crate::domain::card::CardPlace;
use crate::ids::MessageTs;
use crate::store::{Record, RecordId, Versioned};
use std::future::Future;

/// A record kind with a card.
pub(crate) trait Carded: Record {
    fn card(meta: &Self::Meta) -> &CardPlace;
    fn card_mut(meta: &mut Self::Meta) -> &mut CardPlace;
    fn render(
        app: &App,
        saved: &Versioned<Self>,
    ) -> impl Future<Output = anyhow::Result<Outgoing>> + Send;
}

/// Post the card of `record`, or edit it, from the record as saved now. Handlers may render at
/// the same time: each checks after its edit that nobody saved since it read, else renders
/// again, so the last edit always shows the last state.
pub(crate) async fn show<R: Carded>(app: &App, record: &Versioned<R>) -> anyhow::Result<()> {
    let id = record.id;
    for _ in 0..5 {
        let Some(saved) = app.store.load(id).await? else {
            return Ok(());
        };
        let mut seen = saved.version;
        let msg = R::render(app, &saved).await?;
        let place = R::card(&saved.meta);
        let key = format!("card:{}:{}", R::TABLE, id.get());
        if let Some(ts) = post_or_edit(app, &key, place, &msg).await? {
            seen = app
                .store
                .update(id, |r| R::card_mut(&mut r.meta).ts = Some(ts.clone()))
                .await?
                .0
                .version;
        }
        if app.store.load(id).await?.is_none_or(|n| n.version == seen) {
            return Ok(());
        }
    }
    Ok(())
}

/// Edit the card, or post it when there is none yet: `Some(ts)` of a new post, to be saved. The
/// post is named after the record, so a run that died before saving its `ts` finds it.
async fn post_or_edit(
    app: &App,
    key: &str,
    place: &CardPlace,
    msg: &Outgoing,
) -> anyhow::Result<Option<MessageTs>> {
    let channel = place.channel.clone();
    Ok(match &place.ts {
        Some(ts) => {
            app.slack
                .update(&channel, &MessageTs::from(ts.as_str()), msg)
                .await?;
            None
        }
        None => Some(crate::effects::post_as(app, key, &channel, msg, None).await?),
    })
}

/// Post in the card's thread (or the channel, before there is a card).
pub(crate) async fn in_thread(app: &App, place: &CardPlace, text: String) -> anyhow::Result<()> {
    let channel = place.channel.clone();
    let ts = place.ts.clone();
    crate::effects::post(app, &channel, &Outgoing::text(text), ts.as_ref()).await?;
    Ok(())
}
