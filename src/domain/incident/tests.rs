//! Unit tests of the incident record, and the incidents other modules' tests start from.

use super::*;

pub(crate) fn incident() -> Incident {
    Incident::declare(&Declaration {
        title: " Database latency ",
        services: &["api".to_owned()],
        ..declaration()
    })
}

#[test]
fn a_declared_incident_investigates_with_its_reporter_in_command() {
    let i = incident();
    assert_eq!(i.title, "Database latency");
    assert_eq!((i.status, i.severity), (Status::Investigating, 2));
    assert_eq!(i.commander(), Some("UALICE"));
    assert_eq!(i.timeline.len(), 1);
    assert_eq!(i.timeline[0].what, What::Declared { severity: 2 });
    assert_eq!((i.detected_ms, i.acknowledged_ms), (5_000, Some(5_000)));
}

#[test]
fn changes_leave_a_timeline_and_repeats_are_refused() {
    let mut i = incident();
    i.set_status("UBOB", Status::Identified, 6_000).unwrap();
    assert_eq!(
        i.set_status("UBOB", Status::Identified, 6_500),
        Err(Refusal::Unchanged)
    );
    i.set_severity("UBOB", 1, 7_000).unwrap();
    assert_eq!(i.set_severity("UBOB", 5, 7_000), Err(Refusal::BadSeverity));
    i.assign("UBOB", Role::Commander, "UBOB", 8_000).unwrap();
    i.note("UCAROL", "failover started", None, 9_000).unwrap();
    i.set_status("UBOB", Status::Monitoring, 10_000).unwrap();
    i.set_status("UBOB", Status::Resolved, 11_000).unwrap();
    assert_eq!(i.resolved_ms, Some(11_000));
    assert_eq!(i.mitigated_ms, Some(10_000), "monitoring means mitigated");
    assert_eq!(
        i.set_severity("UBOB", 2, 11_000),
        Err(Refusal::AlreadyResolved)
    );
    assert_eq!(i.timeline.len(), 7);
    assert_eq!(i.commander(), Some("UBOB"));
    i.set_status("UBOB", Status::Investigating, 12_000).unwrap();
    assert_eq!((i.resolved_ms, i.mitigated_ms), (None, None), "reopened");
}

#[test]
fn a_mitigation_typed_in_the_minute_the_impact_started_is_not_before_it() {
    let mut i = Incident::declare(&Declaration {
        impact_started_ms: 90_000,
        now_ms: 120_000,
        ..declaration()
    });
    assert_eq!(
        i.clone().resolve("UALICE", Some(59_999), 200_000),
        Err(Refusal::BadTime),
        "the minute before"
    );
    i.resolve("UALICE", Some(60_000), 200_000).unwrap();
    assert_eq!(i.mitigated_ms, Some(90_000), "not before the impact itself");
    assert_eq!(i.metrics().mitigate, Some(0));
}

fn declaration() -> Declaration<'static> {
    Declaration {
        title: "Database latency",
        kind: "database",
        severity: 2,
        private: false,
        reporter: "UALICE",
        commander: Some("UALICE"),
        services: &[],
        impact_started_ms: 1_000,
        detected_ms: None,
        now_ms: 5_000,
    }
}

#[test]
fn resolving_needs_the_mitigation_time_and_metrics_count_from_the_impact() {
    let mut i = incident();
    assert_eq!(
        i.resolve("UALICE", None, 60_000),
        Err(Refusal::MitigationUnknown)
    );
    assert_eq!(
        i.resolve("UALICE", Some(70_000), 60_000),
        Err(Refusal::BadTime),
        "not in the future"
    );
    assert_eq!(i.status, Status::Investigating);
    i.resolve("UALICE", Some(30_000), 60_000).unwrap();
    assert_eq!(
        i.metrics(),
        Metrics {
            detect: Some(4_000),
            acknowledge: Some(0),
            mitigate: Some(29_000),
            resolve: Some(59_000),
        }
    );
    let mitigated = i.ordered().into_iter().find(|e| e.what == What::Mitigated);
    assert_eq!(mitigated.map(|e| e.occurred_ms), Some(30_000));
    assert_eq!(
        i.resolve("UALICE", None, 61_000),
        Err(Refusal::AlreadyResolved)
    );
    assert_eq!(i.reopen("UALICE", Status::Resolved, 62_000), Ok(()));
    assert_eq!(i.status, Status::Investigating);
}

#[test]
fn backdated_notes_sit_where_they_happened() {
    let mut i = incident();
    i.note("UBOB", "later", None, 9_000).unwrap();
    i.note("UBOB", "error rate rose", Some(2_000), 9_500)
        .unwrap();
    assert_eq!(
        i.note("UBOB", "x", Some(10_000), 9_500),
        Err(Refusal::BadTime)
    );
    let texts: Vec<String> = i
        .ordered()
        .iter()
        .filter_map(|e| match &e.what {
            What::Note { text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["error rate rose", "later"]);
}

#[test]
fn checklist_ticks_toggle_and_action_items_number_themselves() {
    let mut i = incident();
    assert_eq!(i.tick("UBOB", 1, 3, 6_000), Ok(true));
    assert_eq!(
        i.tick("UBOB", 1, 3, 6_500),
        Ok(false),
        "a second click unticks"
    );
    assert_eq!(i.tick("UBOB", 3, 3, 6_500), Err(Refusal::NoSuchStep));
    assert_eq!(
        i.add_action("UBOB", "Add replica lag alarm", Some("UKENJI"), None, 7_000),
        1
    );
    assert_eq!(
        i.add_action(
            "UBOB",
            "Runbook for failover",
            None,
            Some("2026-12-04"),
            7_000
        ),
        2
    );
    assert_eq!(i.actions[1].due.as_deref(), Some("2026-12-04"));
}

#[test]
fn affected_services_match_apps_in_any_environment() {
    let i = incident();
    assert!(i.affected_by("api/production"));
    assert!(i.affected_by("api"));
    assert!(!i.affected_by("web/production"));
    let mut all = incident();
    all.services.clear();
    assert!(all.affected_by("network"), "no service named: everything");
}
