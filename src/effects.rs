//! A handler may run again after a crash; what it already said must not be said twice. The
//! worker runs each handler in a scope named after its queue row; each reply to a person takes
//! the next key in that scope and is journaled around the call (at most once: a reply begun by
//! a run that died mid-call is not sent again, and is logged as possibly lost).

use crate::app::App;
use crate::store::Begun;
use std::cell::Cell;
use std::future::Future;

tokio::task_local! {
    static SCOPE: (String, Cell<u32>);
}

/// Runs `f` with effects keyed by `row` (e.g. `inbox:42`).
pub async fn scope<F: Future>(row: String, f: F) -> F::Output {
    SCOPE.scope((row, Cell::new(0)), f).await
}

fn next_key(kind: &str) -> Option<String> {
    SCOPE
        .try_with(|(row, n)| {
            let i = n.get();
            n.set(i + 1);
            format!("{row}:{kind}:{i}")
        })
        .ok()
}

/// Sends a reply at most once across runs of the same event.
pub async fn at_most_once<Fut>(
    app: &App,
    kind: &str,
    send: impl FnOnce() -> Fut,
) -> anyhow::Result<()>
where
    Fut: Future<Output = anyhow::Result<()>>,
{
    let Some(key) = next_key(kind) else {
        return send().await;
    };
    match app.store.begin_effect(&key).await? {
        Begun::New => match send().await {
            Ok(()) => app.store.finish_effect(&key).await,
            Err(e) => {
                app.store.abandon_effect(&key).await?;
                Err(e)
            }
        },
        Begun::Done => Ok(()),
        Begun::Unfinished => {
            tracing::warn!(
                key,
                "a reply begun before a crash is not sent again; it may be lost"
            );
            Ok(())
        }
    }
}
