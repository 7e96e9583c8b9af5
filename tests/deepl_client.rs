//! DeepL's wire format against the fake: the request banto sends (key header, XML tag handling,
//! target language), DeepL's real answers from the shared corpus, 429 retried, 456 (quota) and
//! 400 not, and a message's mentions, link URL and code carried through untouched.

use banto::clients::deepl::{DeeplApi, DeeplError};
use banto::clients::retry::RetryPolicy;
use banto::config::Secret;
use banto::domain::translate::{Lang, Style, encode, restore, split};
use banto::fake::corpus;
use banto::fake::deepl::FakeDeepl;
use std::time::Duration;

const KEY: &str = "0fake-deepl-key:fx";

async fn client() -> (FakeDeepl, DeeplApi) {
    let fake = FakeDeepl::start(KEY).await.unwrap();
    let retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    };
    let api = DeeplApi::new(&fake.base_url, Secret::new(KEY), retry).unwrap();
    (fake, api)
}

#[tokio::test]
async fn the_request_protects_markup_as_ignored_xml_tags() {
    let (fake, api) = client().await;
    let pieces = split(
        "<@U0ALICE> rollback started, see <https://x.example/r?a=1&b=2|the runbook> `kubectl get pods`",
        &|_| Some("alice".into()),
    );
    let (text, kept) = encode(&pieces, Style::Xml);
    let out = api
        .translate(&[text], Some(Lang::En), Lang::Ja, Some("gloss-1"))
        .await
        .unwrap();
    let back = restore(&out[0], &kept, Style::Xml).unwrap();
    assert_eq!(
        back,
        "@alice ロールバック 開始しました, see <https://x.example/r?a=1&b=2|手順書> `kubectl get pods`"
    );
    let sent = &fake.requests()[0];
    assert_eq!(sent["target_lang"], "JA");
    assert_eq!(sent["source_lang"], "EN");
    assert_eq!(sent["tag_handling"], "xml");
    assert_eq!(sent["ignore_tags"], serde_json::json!(["x"]));
    assert_eq!(sent["glossary_id"], "gloss-1");
    let english = api
        .translate(&["ロールバック完了しました".into()], None, Lang::En, None)
        .await
        .unwrap();
    assert_eq!(english, ["rollbackfinished"]);
    assert_eq!(fake.requests()[1]["target_lang"], "EN-US");
}

#[tokio::test]
async fn deepls_own_answers_are_read() {
    let (fake, api) = client().await;
    for name in [
        "deepl-rb__v2-translate.200.model_type_used.json",
        "deepl-rb__v2-translate.200.two-texts.json",
    ] {
        fake.answer_next(200, &corpus::text(&format!("translate/{name}")));
        let out = api
            .translate(&["x".into(), "y".into()], None, Lang::Ja, None)
            .await
            .unwrap();
        assert!(
            out[0] == "Mustertext" || out == ["Muestra", "Palabra"],
            "{name}: {out:?}"
        );
    }
    fake.answer_next(
        400,
        &corpus::text("translate/deepl-rb__v2-translate.400.text-missing.json"),
    );
    assert_eq!(
        api.translate(&["x".into()], None, Lang::Ja, None).await,
        Err(DeeplError::Api {
            status: 400,
            message: "Parameter 'text' not specified.".into()
        })
    );
}

#[tokio::test]
async fn too_many_requests_is_retried_and_quota_is_not() {
    let (fake, api) = client().await;
    fake.answer_next(429, r#"{"message":"Too many requests"}"#);
    fake.answer_next(503, "");
    let out = api
        .translate(&["deploy started".into()], None, Lang::Ja, None)
        .await
        .unwrap();
    assert_eq!(out, ["デプロイ 開始しました"]);
    assert_eq!(fake.requests().len(), 3);
    fake.answer_next(456, r#"{"message":"Quota exceeded"}"#);
    assert_eq!(
        api.translate(&["x".into()], None, Lang::Ja, None).await,
        Err(DeeplError::Quota)
    );
    assert_eq!(fake.requests().len(), 4, "a quota error is not retried");
    let wrong =
        DeeplApi::new(&fake.base_url, Secret::new("wrong"), RetryPolicy::default()).unwrap();
    assert_eq!(
        wrong.translate(&["x".into()], None, Lang::Ja, None).await,
        Err(DeeplError::Auth)
    );
}
