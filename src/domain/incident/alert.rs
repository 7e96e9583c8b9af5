//! An alert's episode: from the first alert of a group firing until every alert in it has
//! resolved. Notices may arrive twice or out of order; an episode only ever moves forward.

use crate::event::{AlertNotice, AlertSignal, AlertSource};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertState {
    pub firing: bool,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertEpisode {
    pub source: AlertSource,
    pub group: String,
    pub name: String,
    pub summary: String,
    pub labels: BTreeMap<String, String>,
    pub link: Option<String>,
    /// From the severity label or the alarm's rule; `None`: the playbook's default.
    pub severity: Option<u8>,
    pub services: Vec<String>,
    /// By fingerprint.
    pub alerts: BTreeMap<String, AlertState>,
    pub resolved_ms: Option<i64>,
    /// The incident it was declared as or attached to.
    pub incident: Option<i64>,
    /// Who declared or attached it.
    pub linked_by: Option<String>,
}

/// What a notice changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    pub changed: bool,
    /// The last firing alert of the episode resolved.
    pub resolved: bool,
}

impl AlertEpisode {
    pub fn new(n: &AlertNotice, severity: Option<u8>, services: Vec<String>, now_ms: i64) -> Self {
        let mut e = Self {
            source: n.source,
            group: n.group.clone(),
            name: n.name.clone(),
            summary: n.summary.clone(),
            labels: n.labels.clone(),
            link: n.link.clone(),
            severity,
            services,
            alerts: BTreeMap::new(),
            resolved_ms: None,
            incident: None,
            linked_by: None,
        };
        e.observe(&n.alerts, now_ms);
        e
    }

    pub fn firing(&self) -> bool {
        self.resolved_ms.is_none()
    }

    /// When the episode began: its earliest alert's start.
    pub fn started_ms(&self) -> i64 {
        self.alerts
            .values()
            .map(|a| a.started_ms)
            .min()
            .unwrap_or_default()
    }

    pub fn firing_count(&self) -> usize {
        self.alerts.values().filter(|a| a.firing).count()
    }

    /// A title for an incident declared from it.
    pub fn title(&self) -> String {
        let title = if self.summary.is_empty() || self.summary == self.name {
            self.name.clone()
        } else {
            format!("{}: {}", self.name, self.summary)
        };
        title.chars().take(150).collect()
    }

    /// Apply what a notice says of each alert. An alert resolved stays resolved for the start
    /// it had (a late "firing" resend changes nothing); firing again with a later start is a
    /// new firing of it. `now_ms` dates a resolution the sender gave no end for.
    pub fn observe(&mut self, signals: &[AlertSignal], now_ms: i64) -> Observed {
        let before = self.clone();
        for s in signals {
            let state = self.alerts.get(&s.fingerprint);
            let newer = state.is_none_or(|a| s.started_ms > a.started_ms);
            let same = state.is_some_and(|a| a.started_ms == s.started_ms);
            if newer {
                self.alerts.insert(
                    s.fingerprint.clone(),
                    AlertState {
                        firing: s.firing,
                        started_ms: s.started_ms,
                        ended_ms: (!s.firing).then(|| s.ended_ms.unwrap_or(now_ms)),
                        detail: s.detail.clone(),
                    },
                );
            } else if same && !s.firing {
                let a = self.alerts.get_mut(&s.fingerprint).expect("present");
                if a.firing {
                    a.firing = false;
                    a.ended_ms = Some(s.ended_ms.unwrap_or(now_ms));
                }
            }
        }
        let firing = self.alerts.values().any(|a| a.firing);
        self.resolved_ms = match (firing, self.resolved_ms) {
            (true, _) => None,
            (false, Some(at)) => Some(at),
            (false, None) => self.alerts.values().filter_map(|a| a.ended_ms).max(),
        };
        Observed {
            changed: *self != before,
            resolved: before.resolved_ms.is_none() && self.resolved_ms.is_some(),
        }
    }

    /// Declared as, or attached to, an incident. False: it already was.
    pub fn link(&mut self, incident: i64, by: &str) -> bool {
        if self.incident.is_some() {
            return false;
        }
        self.incident = Some(incident);
        self.linked_by = Some(by.to_owned());
        true
    }
}

/// The severity a label's value maps to (`critical` → 1), case-insensitive.
pub fn severity_from(
    labels: &BTreeMap<String, String>,
    label: &str,
    map: &BTreeMap<String, u8>,
) -> Option<u8> {
    let value = labels.get(label)?.to_lowercase();
    map.iter()
        .find(|(k, _)| k.to_lowercase() == value)
        .map(|(_, s)| *s)
}

/// The values of the labels that name services, in the order the labels are listed.
pub fn services_from(labels: &BTreeMap<String, String>, service_labels: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in service_labels {
        if let Some(v) = labels.get(l).filter(|v| !v.is_empty())
            && !out.contains(v)
        {
            out.push(v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(fp: &str, firing: bool, start: i64, end: Option<i64>) -> AlertSignal {
        AlertSignal {
            fingerprint: fp.into(),
            firing,
            started_ms: start,
            ended_ms: end,
            detail: format!("instance={fp}"),
        }
    }

    fn notice(signals: Vec<AlertSignal>) -> AlertNotice {
        AlertNotice {
            source: AlertSource::Alertmanager,
            group: "{}:{alertname=\"DbLatency\"}".into(),
            name: "DbLatency".into(),
            summary: "p99 over 2s".into(),
            labels: BTreeMap::from([("severity".into(), "critical".into())]),
            link: None,
            alerts: signals,
        }
    }

    #[test]
    fn an_episode_resolves_when_its_last_alert_does() {
        let mut e = AlertEpisode::new(
            &notice(vec![
                signal("a", true, 100, None),
                signal("b", true, 200, None),
            ]),
            Some(1),
            vec![],
            0,
        );
        assert!(e.firing() && e.firing_count() == 2 && e.started_ms() == 100);
        assert_eq!(e.title(), "DbLatency: p99 over 2s");
        let o = e.observe(&[signal("a", false, 100, Some(300))], 999);
        assert!(o.changed && !o.resolved && e.firing());
        // The same resend again: nothing.
        assert_eq!(
            e.observe(&[signal("a", false, 100, Some(300))], 999),
            Observed::default()
        );
        let o = e.observe(&[signal("b", false, 200, None)], 450);
        assert!(o.resolved);
        assert_eq!(e.resolved_ms, Some(450));
    }

    #[test]
    fn a_late_firing_resend_does_not_reopen_and_a_new_start_does() {
        let mut e = AlertEpisode::new(&notice(vec![signal("a", true, 100, None)]), None, vec![], 0);
        e.observe(&[signal("a", false, 100, Some(300))], 0);
        assert!(!e.firing());
        assert!(!e.observe(&[signal("a", true, 100, None)], 0).changed);
        let o = e.observe(&[signal("a", true, 500, None)], 0);
        assert!(o.changed && e.firing() && e.resolved_ms.is_none());
    }

    #[test]
    fn severity_and_services_come_from_labels() {
        let labels = BTreeMap::from([
            ("severity".to_owned(), "Critical".to_owned()),
            ("service".to_owned(), "web".to_owned()),
            ("app".to_owned(), "web".to_owned()),
            ("team".to_owned(), "db".to_owned()),
        ]);
        let map = BTreeMap::from([("critical".to_owned(), 1), ("warning".to_owned(), 3)]);
        assert_eq!(severity_from(&labels, "severity", &map), Some(1));
        assert_eq!(severity_from(&labels, "priority", &map), None);
        assert_eq!(
            services_from(&labels, &["service".into(), "app".into(), "job".into()]),
            ["web"]
        );
    }

    #[test]
    fn linking_happens_once() {
        let mut e = AlertEpisode::new(&notice(vec![signal("a", true, 1, None)]), None, vec![], 0);
        assert!(e.link(4, "U1"));
        assert!(!e.link(5, "U2"));
        assert_eq!(e.incident, Some(4));
    }
}
