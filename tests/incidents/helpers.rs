//! What the incident stories share: asking banto something and reading the answer, declaring
//! from #ops and reading what the declaration posts, finding the incident.

pub use banto::fake::slack::FakeMessage;
pub use banto::fake::world::{World, WorldOptions};
pub use banto::store::StoredIncident;

/// `user` types `line` in `channel`; the answer only they see.
pub async fn ask(world: &World, user: &str, channel: &str, line: &str) -> String {
    world.slash(user, channel, line).await.unwrap();
    world.settle().await.unwrap();
    world.next_reply(user).await.unwrap().text
}

/// `user` declares from #ops: the incident, its channel's name and its first `posts` messages
/// (the header card first), read with the announcement unless it is private.
pub async fn declare(
    world: &World,
    user: &str,
    line: &str,
    posts: usize,
) -> (StoredIncident, String, Vec<FakeMessage>) {
    let reply = ask(world, user, "#ops", line).await;
    assert!(reply.contains("*INC-"), "declared: {reply}");
    let i = open_incident(world).await;
    let name = world.slack.state().channels[i.meta.channel.as_ref().unwrap().as_str()]
        .name
        .clone();
    let mut read = vec![];
    for _ in 0..posts {
        read.push(world.next_message(&name).await.unwrap());
    }
    if !i.record.private {
        world.next_message("incidents").await.unwrap();
    }
    (i, name, read)
}

/// The newest open incident.
pub async fn open_incident(world: &World) -> StoredIncident {
    world
        .app
        .store
        .open_incidents()
        .await
        .unwrap()
        .pop()
        .expect("an open incident")
}

/// Incident `id`, open or not.
pub async fn incident(world: &World, id: i64) -> StoredIncident {
    world
        .app
        .store
        .load(banto::ids::IncidentId(id))
        .await
        .unwrap()
        .expect("the incident")
}
