//! EventBridge events (CodeBuild, ECR, CloudWatch alarms) and Argo CD notifications into events.

use super::*;
use serde_json::Value;

/// An EventBridge event delivered by an API destination: returns `(event id, event)` (an
/// alarm's is its ARN and state time).
pub fn parse_aws_event(body: &[u8]) -> Result<(String, Event), Malformed> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("EventBridge body is not JSON: {e}")))?;
    let id = required(&v, "/id", "EventBridge event")?;
    let detail_type = required(&v, "/detail-type", "EventBridge event")?;
    if (str_at(&v, "/source"), detail_type.as_str())
        == (Some("aws.cloudwatch"), "CloudWatch Alarm State Change")
        && let Some(alarm) = super::alerts::cloudwatch_alarm(&v)?
    {
        return Ok(alarm);
    }
    let event = match (str_at(&v, "/source"), detail_type.as_str()) {
        (Some("aws.codebuild"), "CodeBuild Build State Change") => {
            let arn = required(&v, "/detail/build-id", "CodeBuild event")?;
            // arn:aws:codebuild:region:account:build/project:uuid → project:uuid
            let build_id = arn
                .rsplit_once(":build/")
                .map_or(arn.as_str(), |(_, id)| id)
                .to_owned();
            Event::CodeBuild(BuildStateChange {
                build_id,
                project: required(&v, "/detail/project-name", "CodeBuild event")?,
                status: required(&v, "/detail/build-status", "CodeBuild event")?,
            })
        }
        (Some("aws.ecr"), "ECR Image Action")
            if str_at(&v, "/detail/action-type") == Some("PUSH")
                && str_at(&v, "/detail/result") == Some("SUCCESS")
                && str_at(&v, "/detail/image-tag").is_some_and(|t| !t.is_empty()) =>
        {
            let image = format!(
                "{}.dkr.ecr.{}.amazonaws.com/{}",
                required(&v, "/account", "ECR event")?,
                required(&v, "/region", "ECR event")?,
                required(&v, "/detail/repository-name", "ECR event")?
            );
            Event::ImagePushed(ImagePushed {
                event_id: id.clone(),
                image,
                tag: required(&v, "/detail/image-tag", "ECR event")?,
                digest: str_at(&v, "/detail/image-digest").map(str::to_owned),
            })
        }
        (source, kind) => Event::unused(source.unwrap_or("aws"), kind),
    };
    Ok((id, event))
}

/// An Argo CD notification: returns `(body hash, event)`. Argo CD sends no delivery id, so
/// ingress dedupes on the body's hash (within a minute).
pub fn parse_argocd(body: &[u8]) -> Result<(String, Event), Malformed> {
    let n: ArgoCdNotification = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("Argo CD notification: {e}")))?;
    if n.app.is_empty() {
        return Err(Malformed("Argo CD notification: empty `app`".into()));
    }
    let id = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(body));
    Ok((id, Event::ArgoCd(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_push_with_a_tag_is_a_new_image_and_other_actions_are_not() {
        let push = br#"{"version":"0","id":"13cde686-328b-6117-af20-0e5566167482","detail-type":"ECR Image Action","source":"aws.ecr","account":"123456789012","time":"2026-11-22T01:00:00Z","region":"ap-northeast-1","resources":[],"detail":{"result":"SUCCESS","repository-name":"web","image-digest":"sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234abcd","action-type":"PUSH","image-tag":"v1.5.0"}}"#;
        let (_, e) = parse_aws_event(push).unwrap();
        assert_eq!(
            e,
            Event::ImagePushed(ImagePushed {
                event_id: "13cde686-328b-6117-af20-0e5566167482".into(),
                image: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web".into(),
                tag: "v1.5.0".into(),
                digest: Some(
                    "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234abcd"
                        .into()
                ),
            })
        );
        let delete = String::from_utf8_lossy(push).replace("PUSH", "DELETE");
        assert!(matches!(
            parse_aws_event(delete.as_bytes()).unwrap().1,
            Event::Ignored { .. }
        ));
    }

    #[test]
    fn argocd_notification_needs_an_app() {
        let (id, e) = parse_argocd(
            br#"{"app":"web-production","revision":"abc","sync_status":"Synced","health_status":"Healthy","message":null}"#,
        )
        .unwrap();
        assert_eq!(id.len(), 64);
        assert!(matches!(e, Event::ArgoCd(n) if n.health_status == "Healthy"));
        assert!(parse_argocd(br#"{"revision":"abc"}"#).is_err());
    }

    #[test]
    fn codebuild_state_change() {
        let body = br#"{"version":"0","id":"c030038d-8c4d-6141-9545-00ff7b7153EX","detail-type":"CodeBuild Build State Change","source":"aws.codebuild","account":"123456789012","time":"2026-11-22T01:00:00Z","region":"ap-northeast-1","resources":["arn:aws:codebuild:ap-northeast-1:123456789012:build/banto-tf-plan:8745a7a9-c340-456a-9166-edf953571bEX"],"detail":{"build-status":"SUCCEEDED","project-name":"banto-tf-plan","build-id":"arn:aws:codebuild:ap-northeast-1:123456789012:build/banto-tf-plan:8745a7a9-c340-456a-9166-edf953571bEX","additional-information":{"build-complete":true}}}"#;
        let (id, e) = parse_aws_event(body).unwrap();
        assert_eq!(id, "c030038d-8c4d-6141-9545-00ff7b7153EX");
        assert_eq!(
            e,
            Event::CodeBuild(BuildStateChange {
                build_id: "banto-tf-plan:8745a7a9-c340-456a-9166-edf953571bEX".into(),
                project: "banto-tf-plan".into(),
                status: "SUCCEEDED".into(),
            })
        );
        let err = parse_aws_event(br#"{"id":"x","detail-type":"CodeBuild Build State Change","source":"aws.codebuild","detail":{}}"#).unwrap_err();
        assert_eq!(err.0, "CodeBuild event: missing `detail.build-id`");
    }
}
