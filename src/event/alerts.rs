//! Alerts into one shape: a Prometheus Alertmanager webhook (version 4) and a CloudWatch
//! "Alarm State Change" delivered by EventBridge. Each becomes an `AlertNotice`: one group
//! (Alertmanager's group, one alarm) and the state of each alert in it.

use super::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSource {
    Alertmanager,
    Cloudwatch,
}

impl AlertSource {
    pub fn word(self) -> &'static str {
        match self {
            AlertSource::Alertmanager => "alertmanager",
            AlertSource::Cloudwatch => "cloudwatch",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertNotice {
    pub source: AlertSource,
    /// Alertmanager's `groupKey`, or the alarm's ARN.
    pub group: String,
    /// `alertname`, or the alarm's name.
    pub name: String,
    /// A line about what is wrong (summary, description or the alarm's reason).
    pub summary: String,
    /// Labels every alert of the group shares (`severity`, `service`, …).
    pub labels: BTreeMap<String, String>,
    /// Where to look: the graph, the runbook or the alarm in the console.
    pub link: Option<String>,
    pub alerts: Vec<AlertSignal>,
}

/// One alert of a group as this notice reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSignal {
    /// Alertmanager's fingerprint (a hash of the labels when the sender omits it); the ARN.
    pub fingerprint: String,
    pub firing: bool,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    /// What tells this alert from the others of its group (`instance=db-1`).
    pub detail: String,
}

impl AlertNotice {
    /// Where the alert was first seen firing: its earliest start.
    pub fn started_ms(&self) -> Option<i64> {
        self.alerts.iter().map(|a| a.started_ms).min()
    }
}

fn time_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.timestamp_millis())
        // Alertmanager's "no end yet" is year 1.
        .filter(|ms| *ms > 0)
}

fn labels(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// An Alertmanager webhook: returns `(dedupe id, event)`. The id covers the group key and
/// every alert's fingerprint and status, so a resend of the same notification is one event and
/// a change in any alert is another.
pub fn parse_alertmanager(body: &[u8]) -> Result<(String, Event), Malformed> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("Alertmanager body is not JSON: {e}")))?;
    let status = required(&v, "/status", "Alertmanager notification")?;
    let items = v
        .get("alerts")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| Malformed("Alertmanager notification: no `alerts`".into()))?;
    let common = labels(v.get("commonLabels"));
    let annotations = labels(v.get("commonAnnotations"));
    let mut alerts = Vec::new();
    let mut first_labels = BTreeMap::new();
    let mut first_annotations = BTreeMap::new();
    let mut first_link = None;
    for a in items {
        let l = labels(a.get("labels"));
        let fingerprint = match str_at(a, "/fingerprint").filter(|f| !f.is_empty()) {
            Some(f) => f.to_owned(),
            None => {
                let flat: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v}")).collect();
                sha256_hex(&flat.iter().map(String::as_str).collect::<Vec<_>>())[..16].to_owned()
            }
        };
        let started_ms = str_at(a, "/startsAt").and_then(time_ms).ok_or_else(|| {
            Malformed("Alertmanager notification: an alert without `startsAt`".into())
        })?;
        let detail = l
            .iter()
            .filter(|(k, _)| !common.contains_key(*k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        if alerts.is_empty() {
            first_labels = l;
            first_annotations = labels(a.get("annotations"));
            first_link = str_at(a, "/generatorURL").map(str::to_owned);
        }
        alerts.push(AlertSignal {
            fingerprint,
            firing: str_at(a, "/status").unwrap_or(&status) == "firing",
            started_ms,
            ended_ms: str_at(a, "/endsAt").and_then(time_ms),
            detail,
        });
    }
    let labels = if common.is_empty() {
        first_labels
    } else {
        common
    };
    let annotations = if annotations.is_empty() {
        first_annotations
    } else {
        annotations
    };
    let name = labels
        .get("alertname")
        .cloned()
        .unwrap_or_else(|| "alert".into());
    let group = str_at(&v, "/groupKey")
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let flat: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{{{}}}", flat.join(","))
        });
    let summary = ["summary", "message", "description"]
        .iter()
        .find_map(|k| annotations.get(*k))
        .cloned()
        .unwrap_or_default();
    let link = annotations
        .get("runbook_url")
        .or(annotations.get("runbook"))
        .cloned()
        .or(first_link)
        .or(str_at(&v, "/externalURL").map(str::to_owned))
        .filter(|l| l.starts_with("http://") || l.starts_with("https://"));
    let mut states: Vec<String> = alerts
        .iter()
        .map(|a| format!("{}:{}:{}", a.fingerprint, a.firing, a.started_ms))
        .collect();
    states.sort();
    let mut parts = vec![group.as_str()];
    parts.extend(states.iter().map(String::as_str));
    let id = sha256_hex(&parts);
    Ok((
        id,
        Event::Alert(AlertNotice {
            source: AlertSource::Alertmanager,
            group,
            name,
            summary,
            labels,
            link,
            alerts,
        }),
    ))
}

/// A CloudWatch "Alarm State Change": `ALARM` fires, `OK` resolves, `INSUFFICIENT_DATA` says
/// nothing. Returns `(alarm ARN:state time, event)`: the same change delivered twice is one.
pub(super) fn cloudwatch_alarm(v: &Value) -> Result<Option<(String, Event)>, Malformed> {
    let what = "CloudWatch alarm event";
    let arn = match v.pointer("/resources/0").and_then(Value::as_str) {
        Some(a) => a.to_owned(),
        None => required(v, "/detail/alarmArn", what)?,
    };
    let name = required(v, "/detail/alarmName", what)?;
    let state = required(v, "/detail/state/value", what)?;
    let at = required(v, "/detail/state/timestamp", what)?;
    let at_ms = time_ms(&at).ok_or_else(|| Malformed(format!("{what}: bad time {at:?}")))?;
    let firing = match state.as_str() {
        "ALARM" => true,
        "OK" => false,
        _ => return Ok(None),
    };
    let started_ms = if firing {
        at_ms
    } else {
        str_at(v, "/detail/previousState/timestamp")
            .and_then(time_ms)
            .unwrap_or(at_ms)
    };
    let region = str_at(v, "/region").unwrap_or("us-east-1");
    let summary = str_at(v, "/detail/configuration/description")
        .filter(|d| !d.is_empty())
        .or(str_at(v, "/detail/state/reason"))
        .unwrap_or_default()
        .to_owned();
    let mut labels = BTreeMap::from([("alarm".to_owned(), name.clone())]);
    for k in ["account", "region"] {
        if let Some(x) = str_at(v, &format!("/{k}")) {
            labels.insert(k.to_owned(), x.to_owned());
        }
    }
    let link = format!(
        "https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#alarmsV2:alarm/{}",
        crate::domain::url_path::segment(&name)
    );
    let event = Event::Alert(AlertNotice {
        source: AlertSource::Cloudwatch,
        group: arn.clone(),
        name,
        summary,
        labels,
        link: Some(link),
        alerts: vec![AlertSignal {
            fingerprint: arn.clone(),
            firing,
            started_ms,
            ended_ms: (!firing).then_some(at_ms),
            detail: String::new(),
        }],
    });
    Ok(Some((format!("alarm:{arn}:{at}"), event)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::corpus;

    fn notice(e: Event) -> AlertNotice {
        match e {
            Event::Alert(n) => n,
            other => panic!("not an alert: {other:?}"),
        }
    }

    #[test]
    fn alertmanager_firing_without_fingerprints_or_statuses() {
        let body =
            corpus::text("alerts/prometheus-msteams__prom_post_request.firing.json").into_bytes();
        let (id, e) = parse_alertmanager(&body).unwrap();
        let n = notice(e);
        assert_eq!(n.name, "high_memory_load");
        assert_eq!(n.group, "{}:{alertname=\"high_memory_load\"}");
        assert_eq!(n.labels["severity"], "warning");
        assert_eq!(n.summary, "Prometheus Test");
        assert_eq!(
            n.link.as_deref(),
            Some("https://github.com/bzon/prometheus-msteams")
        );
        let a = &n.alerts[0];
        assert!(a.firing && a.ended_ms.is_none());
        // 2018-03-07T06:33:21.873-05:00
        assert_eq!(a.started_ms, 1_520_422_401_873);
        assert_eq!(a.fingerprint.len(), 16);
        assert_eq!(
            a.detail,
            "instance=instance-with-hyphen_and_underscore job=docker_nodes"
        );
        assert_eq!(parse_alertmanager(&body).unwrap().0, id);
    }

    #[test]
    fn alertmanager_resolved_with_and_without_a_group_key() {
        let body = corpus::text("alerts/prom2teams__with_common_items.resolved.json").into_bytes();
        let n = notice(parse_alertmanager(&body).unwrap().1);
        assert_eq!(n.name, "CPUThrottlingHigh");
        assert_eq!(n.alerts[0].fingerprint, "dd19ae3d4e06ac55");
        assert!(!n.alerts[0].firing);
        assert!(n.alerts[0].ended_ms > Some(n.alerts[0].started_ms));
        let minimal =
            corpus::text("alerts/prom2teams__all_ok_extra_annotations.resolved.json").into_bytes();
        let n = notice(parse_alertmanager(&minimal).unwrap().1);
        assert!(n.group.starts_with('{') && !n.alerts.is_empty());
    }

    #[test]
    fn a_status_change_is_a_new_notice_and_a_resend_is_not() {
        let body = corpus::text("alerts/prom2teams__with_common_items.resolved.json").into_bytes();
        let text = String::from_utf8(body).unwrap();
        let firing = text.replace("\"status\": \"resolved\"", "\"status\": \"firing\"");
        let (a, _) = parse_alertmanager(text.as_bytes()).unwrap();
        let (b, _) = parse_alertmanager(firing.as_bytes()).unwrap();
        assert_ne!(a, b);
        assert!(parse_alertmanager(br#"{"status":"firing","alerts":[]}"#).is_err());
        assert!(parse_alertmanager(br#"{"alerts":[{}]}"#).is_err());
    }

    #[test]
    fn cloudwatch_alarm_and_its_recovery() {
        let body =
            corpus::text("alerts/feral__cloudwatch-alarm-state-change.single-metric.ALARM.json")
                .into_bytes();
        let (id, e) = parse_aws_event(&body).unwrap();
        let n = notice(e);
        assert_eq!(
            id,
            "alarm:arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh:2019-10-02T17:04:40.989+0000"
        );
        assert_eq!(n.source, AlertSource::Cloudwatch);
        assert_eq!(n.name, "ServerCpuTooHigh");
        assert_eq!(
            n.summary,
            "Goes into alarm when server CPU utilization is too high!"
        );
        assert!(n.alerts[0].firing);
        assert_eq!(n.alerts[0].started_ms, 1_570_035_880_989);
        assert!(n.link.unwrap().contains("alarm/ServerCpuTooHigh"));
        let ok =
            String::from_utf8_lossy(&body).replace("\"value\": \"ALARM\"", "\"value\": \"OK\"");
        let n = notice(parse_aws_event(ok.as_bytes()).unwrap().1);
        assert!(!n.alerts[0].firing);
        assert_eq!(n.alerts[0].ended_ms, Some(1_570_035_880_989));
        for f in [
            "alerts/feral__cloudwatch-alarm-state-change.metrics-formula.ALARM-from-INSUFFICIENT_DATA.json",
            "alerts/feral__cloudwatch-alarm-state-change.composite-with-suppressor.ALARM.json",
        ] {
            let n = notice(parse_aws_event(&corpus::text(f).into_bytes()).unwrap().1);
            assert!(n.alerts[0].firing, "{f}");
        }
        let unknown = String::from_utf8_lossy(&body)
            .replace("\"value\": \"ALARM\"", "\"value\": \"INSUFFICIENT_DATA\"");
        assert!(matches!(
            parse_aws_event(unknown.as_bytes()).unwrap().1,
            Event::Ignored { .. }
        ));
    }
}
