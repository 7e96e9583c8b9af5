//! Translation by flag reaction, as a bilingual channel uses it: 🇯🇵 on an English message
//! puts the Japanese in its thread, labelled, with mentions as names (nobody pinged) and the
//! link and code untouched; a second flag (or two at once) posts nothing more; a flag for the
//! message's own language, an unrelated emoji and banto's own translation do nothing; a
//! translator that drops a mention gets a clear note instead of a broken message. Fake Slack
//! and fake DeepL; real banto.

use banto::fake::world::World;

#[tokio::test]
async fn a_flag_reaction_translates_into_the_thread_once() {
    let world = World::start().await.unwrap();
    let kenji = world.user("kenji");
    let ts = world
        .say(
            "alice",
            "#ops",
            &format!("<@{kenji}> rollback started, see <https://runbooks.example.com/db|the runbook> and `kubectl get pods`"),
            None,
        )
        .await
        .unwrap();
    // Two people ask at once, and once more later.
    world.react("kenji", "#ops", &ts, "flag-jp").await.unwrap();
    world.react("bob", "#ops", &ts, "jp").await.unwrap();
    world.settle().await.unwrap();
    let reply = world.next_message("#ops").await.unwrap();
    assert_eq!(reply.thread_ts.as_deref(), Some(ts.as_str()));
    assert!(reply.text.contains("機械翻訳 (EN → JA)"), "{}", reply.text);
    assert!(
        reply.text.contains(
            "@kenji ロールバック 開始しました, see <https://runbooks.example.com/db|手順書> and `kubectl get pods`"
        ),
        "{}",
        reply.text
    );
    assert!(
        !reply.text.contains("<@"),
        "nobody is pinged: {}",
        reply.text
    );
    world.react("alice", "#ops", &ts, "flag-jp").await.unwrap();
    world.react("alice", "#ops", &ts, "us").await.unwrap();
    world.react("alice", "#ops", &ts, "id").await.unwrap();
    world.react("kenji", "#ops", &reply.ts, "us").await.unwrap();
    world.settle().await.unwrap();
    assert!(
        world.slack.unseen().is_empty(),
        "{:?}",
        world.slack.unseen()
    );
    assert_eq!(world.deepl.requests().len(), 1, "one translation, one call");
}

#[tokio::test]
async fn a_translator_that_drops_a_mention_gets_a_note_not_a_broken_message() {
    let world = World::start().await.unwrap();
    let alice = world.user("alice");
    let ts = world
        .say(
            "kenji",
            "#ops",
            &format!("<@{alice}> DBのフェイルオーバーが完了しました"),
            None,
        )
        .await
        .unwrap();
    world.deepl.answer_next(
        200,
        r#"{"translations":[{"detected_source_language":"JA","text":"DB failover finished"}]}"#,
    );
    world.react("bob", "#ops", &ts, "flag-us").await.unwrap();
    world.settle().await.unwrap();
    let reply = world.next_message("#ops").await.unwrap();
    assert!(reply.text.contains("Not translated"), "{}", reply.text);

    // The rejected answer was not kept: with the translator healthy, a new reaction asks again
    // and gets a translation with the mention in place (as a name: nobody is pinged again).
    let asked = world.deepl.requests().len();
    world.react("alice", "#ops", &ts, "flag-us").await.unwrap();
    world.settle().await.unwrap();
    let reply = world.next_message("#ops").await.unwrap();
    assert_eq!(
        world.deepl.requests().len(),
        asked + 1,
        "asked again, not the cache"
    );
    assert!(
        !reply.text.contains("Not translated") && reply.text.contains("@alice"),
        "{}",
        reply.text
    );
}

/// A translated message deleted while it has replies stays as a tombstone: Slack sends a
/// `message_changed` ("This message was deleted."), which is a deletion, not an edit.
#[tokio::test]
async fn a_tombstone_deletes_the_translation_instead_of_translating_it() {
    let world = World::start().await.unwrap();
    let ts = world
        .say("alice", "#ops", "deploy started", None)
        .await
        .unwrap();
    world.react("kenji", "#ops", &ts, "flag-jp").await.unwrap();
    world.settle().await.unwrap();
    let reply = world.next_message("#ops").await.unwrap();
    let channel = world.channel("ops");
    world
        .send_event(serde_json::json!({
            "type": "message", "subtype": "message_changed", "hidden": true, "channel": channel,
            "message": { "type": "message", "subtype": "tombstone", "text": "This message was deleted.",
                "user": "USLACKBOT", "hidden": true, "ts": ts },
            "previous_message": [], "event_ts": "1626775673.006300", "ts": "1626775673.006300",
            "channel_type": "channel",
        }))
        .await
        .unwrap();
    world.settle().await.unwrap();
    assert!(
        world.current(&reply).is_none(),
        "the translation is deleted, not rewritten as a translation of the tombstone"
    );
}

#[tokio::test]
async fn edits_of_the_source_are_followed_and_deleting_it_deletes_the_translation() {
    let world = World::start().await.unwrap();
    let ts = world
        .say("alice", "#ops", "deploy started", None)
        .await
        .unwrap();
    world.react("kenji", "#ops", &ts, "flag-jp").await.unwrap();
    world.settle().await.unwrap();
    let reply = world.next_message("#ops").await.unwrap();
    assert!(
        reply.text.contains("デプロイ 開始しました"),
        "{}",
        reply.text
    );
    world.edit("#ops", &ts, "deploy finished").await.unwrap();
    world.settle().await.unwrap();
    world
        .wait_edit(&reply, "the new translation", |m| {
            m.text.contains("デプロイ 完了しました")
        })
        .await
        .unwrap();
    world.delete("#ops", &ts).await.unwrap();
    world.settle().await.unwrap();
    assert!(
        world.current(&reply).is_none(),
        "the translation is gone too"
    );
}

#[tokio::test]
async fn the_command_and_the_shortcut_answer_only_the_asker() {
    let world = World::start().await.unwrap();
    world
        .slash("alice", "#ops", "/translate ja deploy started")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let answer = world.next_reply("alice").await.unwrap();
    assert!(
        answer.text.contains("only you see this") && answer.text.contains("デプロイ 開始しました"),
        "{}",
        answer.text
    );
    world
        .slash("alice", "#ops", "/translate :tada: https://example.com")
        .await
        .unwrap();
    world.settle().await.unwrap();
    let nothing = world.next_reply("alice").await.unwrap();
    assert!(
        nothing.text.contains("no words to translate"),
        "{}",
        nothing.text
    );
    let ts = world
        .say("kenji", "#ops", "ロールバック完了しました", None)
        .await
        .unwrap();
    world
        .shortcut("bob", "#ops", &ts, banto::event::TRANSLATE_MESSAGE)
        .await
        .unwrap();
    world.settle().await.unwrap();
    let private = world.next_reply("bob").await.unwrap();
    assert!(
        private.text.contains("rollbackfinished"),
        "{}",
        private.text
    );
    assert!(
        world.slack.unseen().is_empty(),
        "nothing posted for everyone"
    );
}

#[tokio::test]
async fn an_automatic_channel_translates_every_persons_message_both_ways() {
    let world = World::start_with(banto::fake::world::WorldOptions::with_config(
        "[translate]\nauto_channels = [\"#ops\"]\n",
    ))
    .await
    .unwrap();
    let en = world
        .say("alice", "#ops", "deploy started", None)
        .await
        .unwrap();
    world.settle().await.unwrap();
    let ja = world.next_message("#ops").await.unwrap();
    assert_eq!(ja.thread_ts.as_deref(), Some(en.as_str()));
    assert!(ja.text.contains("デプロイ 開始しました"), "{}", ja.text);
    world
        .say("kenji", "#ops", "ロールバック完了しました", Some(&en))
        .await
        .unwrap();
    world.settle().await.unwrap();
    let back = world.next_message("#ops").await.unwrap();
    assert_eq!(
        back.thread_ts.as_deref(),
        Some(en.as_str()),
        "a reply's translation stays in its thread"
    );
    assert!(back.text.contains("rollbackfinished"), "{}", back.text);
    world
        .say("alice", "#infra", "deploy started", None)
        .await
        .unwrap();
    world.settle().await.unwrap();
    assert!(world.slack.unseen().is_empty(), "#infra is not automatic");
    assert_eq!(
        world.deepl.requests().len(),
        2,
        "banto's own replies are not translated"
    );
}

#[tokio::test]
async fn a_used_up_quota_is_said_once_in_the_ops_channel_not_per_message() {
    let world = World::start_with(banto::fake::world::WorldOptions::with_config(
        "[slack]\nops_channel = \"#infra\"\n",
    ))
    .await
    .unwrap();
    for text in ["deploy started", "rollback finished"] {
        let ts = world.say("alice", "#ops", text, None).await.unwrap();
        world
            .deepl
            .answer_next(456, r#"{"message":"Quota exceeded"}"#);
        world.react("kenji", "#ops", &ts, "flag-jp").await.unwrap();
        world.settle().await.unwrap();
        let told = world.next_reply("kenji").await.unwrap();
        assert!(told.text.contains("上限に達しました"), "{}", told.text);
    }
    let said = world.next_message("#infra").await.unwrap();
    assert!(
        said.text.contains("quota of DeepL is used up"),
        "{}",
        said.text
    );
    assert_eq!(
        world.deepl.requests().len(),
        2,
        "a quota error is not retried"
    );
    assert!(
        world.slack.unseen().is_empty(),
        "once in #infra; nothing posted in #ops"
    );
}

#[tokio::test]
async fn a_credential_in_a_message_never_reaches_the_translator() {
    let world = World::start().await.unwrap();
    let ts = world
        .say(
            "alice",
            "#ops",
            "deploy started with password=Hunter2Hunter2Xy9",
            None,
        )
        .await
        .unwrap();
    world.react("kenji", "#ops", &ts, "flag-jp").await.unwrap();
    world.settle().await.unwrap();
    let reply = world.next_message("#ops").await.unwrap();
    let sent = world.deepl.requests()[0].to_string();
    assert!(!sent.contains("Hunter2Hunter2Xy9"), "{sent}");
    assert!(!reply.text.contains("Hunter2Hunter2Xy9"), "{}", reply.text);
}

/// A note is in the language of the person who asked, not in the language asked for.
#[tokio::test]
async fn a_note_is_in_the_askers_language() {
    let world = World::start().await.unwrap();
    let bob = world.user("bob");
    let ts = world
        .say(
            "alice",
            "#ops",
            &format!("<@{bob}> rollback started on db-1"),
            None,
        )
        .await
        .unwrap();
    world.deepl.answer_next(
        200,
        r#"{"translations":[{"detected_source_language":"EN","text":"ロールバック開始"}]}"#,
    );
    world.react("kenji", "#ops", &ts, "flag-jp").await.unwrap();
    world.settle().await.unwrap();
    let note = world.next_message("#ops").await.unwrap();
    assert!(note.text.contains("翻訳しませんでした"), "{}", note.text);
}

/// Two people ask for the same text at once (the translator takes 300 ms): one provider call.
#[tokio::test]
async fn the_same_text_asked_twice_at_once_is_translated_once() {
    let world = World::start().await.unwrap();
    world
        .deepl
        .latency
        .set(std::time::Duration::from_millis(300));
    let before = world.deepl.requests().len();
    world
        .slash("alice", "#ops", "/translate ja failover finished on db-1")
        .await
        .unwrap();
    world
        .slash("bob", "#ops", "/translate ja failover finished on db-1")
        .await
        .unwrap();
    world.settle().await.unwrap();
    for who in ["alice", "bob"] {
        let reply = world.next_reply(who).await.unwrap().text;
        assert!(reply.contains("db-1"), "{who}: {reply}");
    }
    assert_eq!(
        world.deepl.requests().len() - before,
        1,
        "one provider call"
    );
}
