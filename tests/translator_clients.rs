//! Each translator's wire format against its fake: the requests banto sends (DeepL's key
//! header and XML tag handling; Amazon Translate's RPC v2 CBOR with `translate="no"` spans and
//! a custom terminology; chat completions with placeholders and the team's terms), the real
//! answers from the shared corpus, what is retried (429, 5xx, throttling) and what is not
//! (quota, credentials, size), the team glossary made once, and 40+ ops messages whose
//! mentions, links, code and emoji come back byte-identical through every provider.

use banto::clients::aws::AwsTarget;
use banto::clients::retry::RetryPolicy;
use banto::clients::translate::amazon::AmazonTranslateApi;
use banto::clients::translate::deepl::DeeplApi;
use banto::clients::translate::llm::LlmApi;
use banto::clients::translate::{TranslateError, Translators};
use banto::config::Secret;
use banto::domain::translate::{Glossary, Lang, Provider, Style, detect, encode, restore, split};
use banto::fake::corpus;
use banto::fake::translate::amazon::FakeAmazonTranslate;
use banto::fake::translate::deepl::FakeDeepl;
use banto::fake::translate::llm::FakeLlm;
use banto::fake::translate::samples::{OPS_MESSAGES, names};
use std::time::Duration;

const KEY: &str = "0fake-deepl-key:fx";
const LLM_KEY: &str = "sk-gateway-test";

fn retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    }
}

async fn client() -> (FakeDeepl, DeeplApi) {
    let fake = FakeDeepl::start(KEY).await.unwrap();
    let api = DeeplApi::new(&fake.base_url, Secret::new(KEY), retry()).unwrap();
    (fake, api)
}

async fn amazon() -> (FakeAmazonTranslate, AmazonTranslateApi) {
    banto::install_crypto_provider();
    let fake = FakeAmazonTranslate::start().await.unwrap();
    let target = AwsTarget {
        region: "ap-northeast-1".into(),
        endpoint_url: Some(fake.base_url.clone()),
        static_credentials: Some(("AKIATRANSLATETEST".into(), "test-secret".into())),
        force_path_style: false,
    };
    let api = AmazonTranslateApi::new(&target, retry()).await;
    (fake, api)
}

async fn llm() -> (FakeLlm, LlmApi) {
    let fake = FakeLlm::start(Some(LLM_KEY)).await.unwrap();
    let api = LlmApi::new(
        &fake.base_url,
        "qwen2.5-14b-instruct",
        Some(Secret::new(LLM_KEY)),
        retry(),
    )
    .unwrap();
    (fake, api)
}

fn team() -> Glossary {
    Glossary {
        keep: vec!["payments-api".into()],
        terms: vec![("canary".into(), "カナリア".into())],
    }
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
        Err(TranslateError::Api {
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
        Err(TranslateError::Quota)
    );
    assert_eq!(fake.requests().len(), 4, "a quota error is not retried");
    fake.answer_next(503, "");
    fake.answer_next(503, "");
    fake.answer_next(503, "");
    assert!(
        matches!(
            api.translate(&["x".into()], None, Lang::Ja, None).await,
            Err(TranslateError::Unavailable(_))
        ),
        "an outage that outlasts the retries is said as one"
    );
    assert_eq!(fake.requests().len(), 7, "three tries, then it stops");
    let wrong = DeeplApi::new(&fake.base_url, Secret::new("wrong"), retry()).unwrap();
    assert_eq!(
        wrong.translate(&["x".into()], None, Lang::Ja, None).await,
        Err(TranslateError::Auth)
    );
}

#[tokio::test]
async fn the_team_glossary_is_made_once_per_direction_and_used() {
    let (fake, api) = client().await;
    let g = team();
    let id = api.glossary(&g, Lang::En, Lang::Ja).await.unwrap().unwrap();
    assert_eq!(
        api.glossary(&g, Lang::En, Lang::Ja).await.unwrap(),
        Some(id.clone())
    );
    let again = DeeplApi::new(&fake.base_url, Secret::new(KEY), retry()).unwrap();
    assert_eq!(
        again.glossary(&g, Lang::En, Lang::Ja).await.unwrap(),
        Some(id.clone()),
        "a restarted banto finds its glossary by name instead of making another"
    );
    let back = api.glossary(&g, Lang::Ja, Lang::En).await.unwrap().unwrap();
    assert_ne!(back, id);
    let made = fake.glossaries();
    assert_eq!(made.len(), 2);
    assert_eq!(made[0].1, [("canary".to_owned(), "カナリア".to_owned())]);
    assert_eq!(made[1].1, [("カナリア".to_owned(), "canary".to_owned())]);
    let out = api
        .translate(
            &["canary at 5%".into()],
            Some(Lang::En),
            Lang::Ja,
            Some(&id),
        )
        .await
        .unwrap();
    assert_eq!(out, ["カナリア at 5%"]);
    assert_eq!(
        api.glossary(&Glossary::default(), Lang::En, Lang::Ja).await,
        Ok(None)
    );
}

#[tokio::test]
async fn amazon_translate_gets_cbor_with_spans_and_a_terminology() {
    let (fake, api) = amazon().await;
    let pieces = team().keep_words(split(
        "<@U0ALICE> canary of payments-api started, see <https://x.example/r?a=1&b=2|the runbook>",
        &names,
    ));
    let (text, kept) = encode(&pieces, Style::Span);
    let out = api
        .translate(&text, Lang::En, Lang::Ja, &team())
        .await
        .unwrap();
    assert_eq!(
        restore(&out, &kept, Style::Span).unwrap(),
        "@alice カナリア of payments-api 開始しました, see <https://x.example/r?a=1&b=2|手順書>"
    );
    let calls = fake.calls();
    assert_eq!(calls[0].0, "ImportTerminology");
    assert_eq!(calls[0].1["MergeStrategy"], "OVERWRITE");
    assert_eq!(calls[0].1["TerminologyData"]["Format"], "CSV");
    assert_eq!(calls[0].1["TerminologyData"]["Directionality"], "MULTI");
    assert_eq!(
        calls[0].1["TerminologyData"]["File"],
        "en,ja\ncanary,カナリア\n"
    );
    assert_eq!(calls[1].0, "TranslateText");
    assert_eq!(calls[1].1["SourceLanguageCode"], "en");
    assert_eq!(calls[1].1["TargetLanguageCode"], "ja");
    assert_eq!(calls[1].1["TerminologyNames"][0], calls[0].1["Name"]);
    assert!(
        calls[1].1["Text"].as_str().unwrap().starts_with(
            "<span translate=\"no\">⟦0⟧</span> canary of <span translate=\"no\">⟦1⟧</span>"
        ),
        "{}",
        calls[1].1["Text"]
    );
    api.translate("deploy", Lang::En, Lang::Ja, &team())
        .await
        .unwrap();
    assert_eq!(
        fake.calls()
            .iter()
            .filter(|c| c.0 == "ImportTerminology")
            .count(),
        1,
        "the terminology is imported once"
    );
}

#[tokio::test]
async fn amazon_answers_throttling_and_size_limits() {
    let (fake, api) = amazon().await;
    let g = Glossary::default();
    let mut sample = corpus::json("translate/aws-cli__TranslateText.response.json");
    sample["TranslatedText"] = "ロールバック完了".into();
    fake.answer_next(200, sample);
    assert_eq!(
        api.translate("rollback done", Lang::En, Lang::Ja, &g)
            .await
            .unwrap(),
        "ロールバック完了",
        "the service's own answer is read"
    );
    fake.fail_next(400, "ThrottlingException");
    fake.fail_next(429, "TooManyRequestsException");
    assert_eq!(
        api.translate("deploy", Lang::En, Lang::Ja, &g)
            .await
            .unwrap(),
        "デプロイ"
    );
    for _ in 0..3 {
        fake.fail_next(503, "ServiceUnavailableException");
    }
    assert!(matches!(
        api.translate("deploy", Lang::En, Lang::Ja, &g).await,
        Err(TranslateError::Unavailable(_))
    ));
    let calls = fake.calls().len();
    // 1,000 lines of 12 bytes: over the 10,000-byte limit, sent in pieces, put back whole.
    let long: String = (0..1000).map(|i| format!("deploy {i:04}\n")).collect();
    let out = api.translate(&long, Lang::En, Lang::Ja, &g).await.unwrap();
    assert_eq!(out.lines().count(), 1000);
    assert!(out.starts_with("デプロイ 0000\nデプロイ 0001\n") && out.ends_with("デプロイ 0999\n"));
    assert_eq!(fake.calls().len() - calls, 2);
    let one_line = "x".repeat(12_000);
    assert_eq!(
        api.translate(&one_line, Lang::En, Lang::Ja, &g).await,
        Err(TranslateError::TooLong)
    );
}

#[tokio::test]
async fn the_chat_completions_request_demands_the_placeholders_back() {
    let (fake, api) = llm().await;
    let pieces = team().keep_words(split("<@U0KENJI> canary of payments-api started", &names));
    let (text, kept) = encode(&pieces, Style::Placeholder);
    let out = api
        .translate(&text, Lang::En, Lang::Ja, &team())
        .await
        .unwrap();
    assert_eq!(
        restore(&out, &kept, Style::Placeholder).unwrap(),
        "@kenji カナリア of payments-api 開始しました"
    );
    let sent = &fake.requests()[0];
    assert_eq!(sent["model"], "qwen2.5-14b-instruct");
    assert_eq!(sent["temperature"], 0);
    let system = sent["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("from English into Japanese"), "{system}");
    assert!(
        system.contains("⟦0⟧") && system.contains("canary → カナリア"),
        "{system}"
    );
    assert_eq!(sent["messages"][1]["content"], "⟦0⟧ canary of ⟦1⟧ started");

    fake.drop_placeholder_next();
    let out = api
        .translate(&text, Lang::En, Lang::Ja, &team())
        .await
        .unwrap();
    assert_eq!(
        restore(&out, &kept, Style::Placeholder).map_err(|l| l.0),
        Err(vec![0]),
        "a dropped placeholder is caught, not posted"
    );
}

#[tokio::test]
async fn chat_completions_answers_and_errors_are_read() {
    let (fake, api) = llm().await;
    fake.fail_next(429);
    fake.fail_next(502);
    assert_eq!(
        api.translate("deploy", Lang::En, Lang::Ja, &Glossary::default())
            .await
            .unwrap(),
        "デプロイ"
    );
    assert_eq!(fake.requests().len(), 3);
    let wrong = LlmApi::new(&fake.base_url, "m", Some(Secret::new("sk-wrong")), retry()).unwrap();
    assert_eq!(
        wrong
            .translate("x", Lang::En, Lang::Ja, &Glossary::default())
            .await,
        Err(TranslateError::Auth)
    );
    // The real shape of an answer (openai-python's recorded `chat.completion`).
    let sample = corpus::text("translate/openai-python__chat.completion.stop.json");
    let server = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", server.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move || {
            let s = sample.clone();
            async move { ([("content-type", "application/json")], s) }
        }),
    );
    tokio::spawn(async move { axum::serve(server, app).await });
    let real = LlmApi::new(&url, "gpt-4o", None, retry()).unwrap();
    let out = real
        .translate("hello", Lang::En, Lang::Ja, &Glossary::default())
        .await
        .unwrap();
    assert!(
        out.starts_with("I'm unable to provide real-time weather updates."),
        "{out}"
    );
}

/// Every ops message through every provider's fake: detected, translated, and every
/// protected token back byte-identical, nobody pinged.
#[tokio::test]
async fn forty_ops_messages_keep_their_tokens_through_every_provider() {
    assert!(OPS_MESSAGES.len() >= 40);
    let (_d, deepl) = client().await;
    let (_a, amazon) = amazon().await;
    let (_l, llm) = llm().await;
    let translators = Translators {
        deepl: Some(deepl),
        amazon: Some(amazon),
        llm: Some(llm),
    };
    let g = team();
    for (text, lang, kept) in OPS_MESSAGES {
        assert_eq!(detect(text), *lang, "{text:?}");
        let Some(from) = lang else { continue };
        for provider in [Provider::Deepl, Provider::Amazon, Provider::Llm] {
            let style = provider.style();
            let (encoded, tokens) = encode(&g.keep_words(split(text, &names)), style);
            let out = translators
                .translate(provider, &encoded, *from, from.other(), &g)
                .await
                .unwrap_or_else(|e| panic!("{text:?} {provider:?}: {e}"));
            let back = restore(&out, &tokens, style)
                .unwrap_or_else(|e| panic!("{text:?} {provider:?}: lost {e:?} in {out:?}"));
            for k in *kept {
                assert!(
                    back.contains(k),
                    "{text:?} {provider:?}: {k:?} missing in {back:?}"
                );
            }
            for live in ["<@", "<!here", "<!channel", "<!subteam"] {
                assert!(
                    !back.contains(live),
                    "{text:?} {provider:?} would ping: {back:?}"
                );
            }
        }
    }
}
