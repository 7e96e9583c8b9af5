//! EventBridge events at `POST /aws/events`: a shared secret, checked in constant time, then the
//! same inbox as every other event.

use banto::fake::world::World;
use banto::store::Queue;
use serde_json::json;

fn build_event(id: &str, status: &str) -> serde_json::Value {
    json!({
        "version": "0", "id": id, "detail-type": "CodeBuild Build State Change", "source": "aws.codebuild",
        "account": "123456789012", "time": "2026-11-22T01:00:00Z", "region": "ap-northeast-1",
        "resources": ["arn:aws:codebuild:ap-northeast-1:123456789012:build/banto-tf-plan:8745a7a9-c340-456a-9166-edf953571bEX"],
        "detail": { "build-status": status, "project-name": "banto-tf-plan",
            "build-id": "arn:aws:codebuild:ap-northeast-1:123456789012:build/banto-tf-plan:8745a7a9-c340-456a-9166-edf953571bEX",
            "additional-information": { "build-complete": status != "IN_PROGRESS" } },
    })
}

#[tokio::test]
async fn codebuild_events_are_accepted_once_with_the_secret_and_refused_without()
-> anyhow::Result<()> {
    let w = World::start().await?;
    for _ in 0..2 {
        assert_eq!(
            w.post_aws_event(&build_event("ev-1", "SUCCEEDED"))
                .await?
                .status(),
            200
        );
    }
    let http = reqwest::Client::new();
    let url = format!("{}/aws/events", w.url);
    let body = build_event("ev-2", "FAILED").to_string();
    let wrong = http
        .post(&url)
        .bearer_auth("not-the-secret")
        .body(body.clone())
        .send()
        .await?;
    assert_eq!(wrong.status(), 401);
    let missing = http.post(&url).body(body.clone()).send().await?;
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.text().await?, "missing Authorization header");
    let malformed = http
        .post(&url)
        .bearer_auth(&w.aws_events_secret)
        .body("{\"id\": 1}")
        .send()
        .await?;
    assert_eq!(
        malformed.status(),
        200,
        "authenticated JSON banto cannot read is acknowledged"
    );
    let not_json = http
        .post(&url)
        .bearer_auth(&w.aws_events_secret)
        .body("id=1")
        .send()
        .await?;
    assert_eq!(not_json.status(), 400, "a body that is not JSON is refused");
    w.settle().await?;
    let rows = w.app.store.list(Queue::Inbox, None, 10).await?;
    let kinds: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.kind.as_str(), r.state.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("ignored aws event", "ignored"),
            ("codebuild banto-tf-plan SUCCEEDED", "done")
        ],
        "one row for the event, one recorded as ignored, none for what was refused"
    );
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("id")),
        "with its reason: {:?}",
        rows[0].last_error
    );
    Ok(())
}
