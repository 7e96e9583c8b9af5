//! Which translator a message goes to, and what it costs, as a workspace meets it: a private
//! channel refused by a provider that is not `private_ok` and translated by the self-hosted
//! model chosen for it; a provider outage told to the asker (and, in automatic mode, to the
//! author) with nothing retried forever and nothing lost; the team glossary through DeepL and
//! Amazon Translate; a repeated translation served from the cache; the monthly budget warned
//! at 80 % and kept. Fake Slack and fake translators; real banto.

use banto::fake::world::{World, WorldOptions};
use banto::store::Queue;

async fn world(config: &str) -> World {
    World::start_with(WorldOptions::with_config(config))
        .await
        .unwrap()
}

fn private(world: &World, name: &str) {
    world.slack.mutate(|s| {
        for c in s.channels.values_mut().filter(|c| c.name == name) {
            c.is_private = true;
        }
    });
}

#[tokio::test]
async fn a_private_channel_goes_only_to_a_provider_trusted_with_it() {
    let world = world(
        "[translate]\nchannels = { \"#infra\" = \"llm\" }\n\
         [translate.llm]\nurl = \"http://replaced.by.the.fake/v1\"\nmodel = \"qwen2.5-14b-instruct\"\n",
    )
    .await;
    private(&world, "infra");
    let members: Vec<String> = world.users.values().cloned().collect();
    let members: Vec<&str> = members.iter().map(String::as_str).collect();
    world.slack.add_channel("security", true, &members);

    let ts = world
        .say("alice", "#security", "deploy started on the bastion", None)
        .await
        .unwrap();
    world
        .react("kenji", "#security", &ts, "flag-jp")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let told = world.next_reply("kenji").await.unwrap();
    assert!(told.text.contains("プライベート"), "{}", told.text);
    assert!(world.deepl.requests().is_empty(), "nothing went to DeepL");

    let kenji = world.user("kenji");
    let ts = world
        .say(
            "alice",
            "#infra",
            &format!("<@{kenji}> deploy started"),
            None,
        )
        .await
        .unwrap();
    world.react("kenji", "#infra", &ts, "jp").await.unwrap();
    world.settle().await.unwrap();
    let reply = world.next_message("#infra").await.unwrap();
    assert!(
        reply.text.contains("@kenji デプロイ 開始しました"),
        "{}",
        reply.text
    );
    assert_eq!(world.llm.requests().len(), 1);
    assert!(world.deepl.requests().is_empty());
}

#[tokio::test]
async fn an_outage_is_told_to_the_asker_and_nothing_is_lost_or_retried_forever() {
    let world = world("[translate]\nauto_channels = [\"#deploys\"]\n").await;
    let ts = world
        .say("alice", "#ops", "rollback finished", None)
        .await
        .unwrap();
    for _ in 0..4 {
        world
            .deepl
            .answer_next(503, r#"{"message":"Service unavailable"}"#);
    }
    world.react("kenji", "#ops", &ts, "jp").await.unwrap();
    world.settle().await.unwrap();
    let told = world.next_reply("kenji").await.unwrap();
    assert!(told.text.contains("応答しません"), "{}", told.text);
    assert_eq!(
        world.deepl.requests().len(),
        4,
        "the retry policy's attempts, then the event is done"
    );
    let inbox = world.app.store.counts(Queue::Inbox).await.unwrap();
    assert_eq!((inbox.pending, inbox.parked), (0, 0));

    // DeepL is back: the flag again works (the failed claim was given up).
    world.react("kenji", "#ops", &ts, "flag-jp").await.unwrap();
    world.settle().await.unwrap();
    let reply = world.next_message("#ops").await.unwrap();
    assert!(
        reply.text.contains("ロールバック 完了しました"),
        "{}",
        reply.text
    );

    // In an automatic channel the author hears it, in their own language.
    for _ in 0..4 {
        world.deepl.answer_next(502, "");
    }
    world
        .say("bob", "#deploys", "deploy started", None)
        .await
        .unwrap();
    world.settle().await.unwrap();
    let told = world.next_reply("bob").await.unwrap();
    assert!(told.text.contains("not answering"), "{}", told.text);
}

#[tokio::test]
async fn team_terms_reach_deepl_and_amazon_translate() {
    let world = world(
        "[translate]\nchannels = { \"#infra\" = \"amazon\" }\n[translate.amazon]\n\
         [translate.glossary]\nkeep = [\"payments-api\"]\nterms = { canary = \"カナリア\" }\n",
    )
    .await;
    for channel in ["#ops", "#infra"] {
        let ts = world
            .say("alice", channel, "canary of payments-api started", None)
            .await
            .unwrap();
        world.react("kenji", channel, &ts, "jp").await.unwrap();
        world.settle().await.unwrap();
        let reply = world.next_message(channel).await.unwrap();
        assert!(
            reply.text.contains("カナリア of payments-api 開始しました"),
            "{channel}: {}",
            reply.text
        );
    }
    let sent = world.deepl.requests()[0].clone();
    assert!(sent["glossary_id"].is_string(), "{sent}");
    assert!(
        !sent["text"][0].as_str().unwrap().contains("payments-api"),
        "a kept word travels as a tag: {sent}"
    );
    assert_eq!(
        world.deepl.glossaries(),
        [(
            world.deepl.glossaries()[0].0.clone(),
            vec![("canary".to_owned(), "カナリア".to_owned())]
        )]
    );
    let calls = world.amazon.calls();
    let ops: Vec<&str> = calls.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(ops, ["ImportTerminology", "TranslateText"]);
}

#[tokio::test]
async fn a_repeated_translation_costs_nothing() {
    let world = World::start().await.unwrap();
    for who in ["alice", "bob"] {
        world
            .slash(who, "#ops", "/translate ja deploy started")
            .await
            .unwrap();
        world.settle().await.unwrap();
        let answer = world.next_reply(who).await.unwrap();
        assert!(
            answer.text.contains("デプロイ 開始しました"),
            "{}",
            answer.text
        );
    }
    let ts = world
        .say("alice", "#ops", "deploy started", None)
        .await
        .unwrap();
    world.react("kenji", "#ops", &ts, "jp").await.unwrap();
    world.settle().await.unwrap();
    world.next_message("#ops").await.unwrap();
    assert_eq!(world.deepl.requests().len(), 1, "one call for three asks");
}

#[tokio::test]
async fn the_monthly_budget_is_warned_at_80_percent_and_kept() {
    let world =
        world("[slack]\nops_channel = \"#infra\"\n[translate.deepl]\nmonthly_characters = 100\n")
            .await;
    let mut asks = Vec::new();
    for text in [
        "deploy of web 1.5.0 to the production cluster", // 45 characters
        "rollback of api 2.3.1 finished on staging",     // 86: past 80 %
        "canary at ten percent for checkout",            // 120: over
        "one more after the budget is gone",
    ] {
        let ts = world.say("alice", "#ops", text, None).await.unwrap();
        world.react("kenji", "#ops", &ts, "jp").await.unwrap();
        world.settle().await.unwrap();
        asks.push(ts);
    }
    for _ in 0..2 {
        world.next_message("#ops").await.unwrap();
    }
    let warning = world.next_message("#infra").await.unwrap();
    assert!(
        warning.text.contains("86 of this month's 100"),
        "{}",
        warning.text
    );
    let used_up = world.next_message("#infra").await.unwrap();
    assert!(used_up.text.contains("budget"), "{}", used_up.text);
    for _ in 0..2 {
        let told = world.next_reply("kenji").await.unwrap();
        assert!(told.text.contains("予算"), "{}", told.text);
    }
    assert_eq!(
        world.deepl.requests().len(),
        2,
        "nothing sent past the budget"
    );
}
