//! Accepting an event: persist it (deduplicated) before anyone acknowledges it, then wake a worker.
//! Used by HTTP ingress and by Socket Mode alike.

use crate::app::App;
use crate::event::Event;
use crate::store::{Enqueued, Queue};

pub async fn accept(app: &App, dedupe_key: &str, event: &Event) -> anyhow::Result<Enqueued> {
    let payload = serde_json::to_string(event)?;
    let kind = kind_of(event);
    if let Event::Ignored { source, why, .. } = event {
        crate::metrics::count_ignored(source, why.is_some());
        let why = why
            .as_deref()
            .unwrap_or("nothing in banto acts on this kind");
        return app
            .store
            .record_ignored(dedupe_key, &kind, &payload, &crate::domain::mask::text(why))
            .await;
    }
    let r = app
        .store
        .enqueue_ordered(
            Queue::Inbox,
            dedupe_key,
            &kind,
            &payload,
            app.clock.now_ms(),
            (event.lane(), event.ordering_key()),
        )
        .await?;
    if let Enqueued::New(id) = r {
        tracing::debug!(%id, key = dedupe_key, kind, "event accepted");
        app.wake.notify_one();
    }
    Ok(r)
}

/// A short label for listings and logs; never contains message text.
pub fn kind_of(event: &Event) -> String {
    match event {
        Event::SlashCommand(c) => format!("slash_command {}", c.command),
        Event::BlockAction(a) => format!("block_action {}", a.action.wire().0),
        Event::ViewSubmission(v) => format!("view_submission {}", v.form.wire().0),
        Event::MessageShortcut(m) => format!("shortcut {}", m.callback_id),
        Event::Message(_) => "message".into(),
        Event::ReactionAdded(r) => format!("reaction_added {}", r.reaction),
        Event::MessageChanged(_) => "message_changed".into(),
        Event::MessageDeleted(_) => "message_deleted".into(),
        Event::PinAdded(_) => "pin_added".into(),
        Event::Github(g) => match &g.action {
            Some(a) => format!("github {}.{a}", g.kind),
            None => format!("github {}", g.kind),
        },
        Event::CodeBuild(b) => format!("codebuild {} {}", b.project, b.status),
        Event::ImagePushed(p) => format!("image_pushed {}:{}", p.image, p.tag),
        Event::ArgoCd(n) => format!("argocd {} {} {}", n.app, n.sync_status, n.health_status),
        Event::Alert(a) => format!("alert {}", a.source.word()),
        Event::Timer(t) => format!("timer {t:?}"),
        Event::Ignored { source, kind, .. } => format!("ignored {source} {kind}"),
    }
}
