//! Snapshots of the postmortem messages in English and Japanese.

use super::*;
use crate::domain::changes::ChangeKind;
use crate::domain::incident::{Captured, Declaration, Incident, Lesson, Status, SuspectChange};
use crate::domain::postmortem::{Inputs, draft};
use crate::ids::{ChangeId, DeployId};
use crate::messages::both;
use chrono_tz::Tz;

const MIN: i64 = 60_000;
/// 2026-11-01 08:00 UTC: 17:00 in Tokyo, 01:00 PDT in Los Angeles, an hour before DST ends.
const T0: i64 = 1_793_520_000_000;

fn captured(
    ts_ms: i64,
    thread: Option<i64>,
    author: &str,
    text: &str,
    lesson: Option<Lesson>,
) -> Captured {
    let ts = |ms: i64| format!("{}.{:06}", ms / 1000, 100);
    Captured {
        channel: "C0INC".into(),
        ts: ts(ts_ms),
        thread_ts: thread.map(ts),
        author: author.into(),
        text: text.into(),
        edited: false,
        deleted: false,
        lesson,
    }
}

/// Impact at 17:00 JST / 01:00 PDT; a production deploy 20 minutes before; resolved after
/// midnight in Tokyo and after DST ended in Los Angeles.
pub(crate) fn incident() -> Incident {
    let mut i = Incident::declare(&Declaration {
        title: "Checkout 502s | payments",
        kind: "bad-deploy",
        severity: 2,
        private: false,
        reporter: "UBOB",
        commander: Some("UBOB"),
        services: &["web".into()],
        impact_started_ms: T0,
        detected_ms: Some(T0 + 4 * MIN),
        now_ms: T0 + 10 * MIN,
    });
    i.set_suspects(vec![
        SuspectChange {
            id: ChangeId(1),
            kind: ChangeKind::Deploy,
            subject: "web/production".into(),
            actor: "UALICE".into(),
            finished_ms: T0 - 20 * MIN,
            summary: "#12 1.4.1 → 1.5.0".into(),
            production: true,
            destructive: 0,
            deploy: Some(DeployId(12)),
        },
        SuspectChange {
            id: ChangeId(2),
            kind: ChangeKind::TerraformApply,
            subject: "network".into(),
            actor: "UKENJI".into(),
            finished_ms: T0 - 90 * MIN,
            summary: "1 to change".into(),
            production: false,
            destructive: 0,
            deploy: None,
        },
    ]);
    i.judge(ChangeId(1), true, "UBOB", T0 + 15 * MIN).unwrap();
    let parent = captured(
        T0 + 12 * MIN,
        None,
        "UALICE",
        "502s started right after 1.5.0 went out",
        None,
    );
    i.capture("UBOB", parent, T0 + 12 * MIN, T0 + 13 * MIN);
    let reply = captured(
        T0 + 14 * MIN,
        Some(T0 + 12 * MIN),
        "UKENJI",
        "ロールバックを開始します <@UBOB>",
        Some(Lesson::WentWell),
    );
    i.capture("UKENJI", reply, T0 + 14 * MIN, T0 + 20 * MIN);
    let lucky = captured(
        T0 + 30 * MIN,
        None,
        "UALICE",
        "Only the EU region had the new build",
        Some(Lesson::Lucky),
    );
    i.capture("UALICE", lucky, T0 + 30 * MIN, T0 + 31 * MIN);
    i.captured_edited(
        "C0INC",
        &format!("{}.000100", (T0 + 30 * MIN) / 1000),
        "Only the EU region had the new build yet",
    );
    i.set_status("UBOB", Status::Identified, T0 + 16 * MIN)
        .unwrap();
    i.note(
        "UBOB",
        "Human error: the on-call forgot to check the canary",
        Some(T0 + 40 * MIN),
        T0 + 41 * MIN,
    )
    .unwrap();
    i.update(
        "UBOB",
        "Rolled back to 1.4.1; error rate back to normal",
        T0 + 70 * MIN,
    )
    .unwrap();
    i.set_status("UBOB", Status::Monitoring, T0 + 70 * MIN)
        .unwrap();
    i.add_action(
        "UBOB",
        "Gate production deploys on the canary's error rate",
        Some("UALICE"),
        Some("2026-11-15"),
        T0 + 80 * MIN,
    );
    i.add_action("UBOB", "Be careful", None, None, T0 + 81 * MIN);
    // 16:30 UTC: 01:30 JST on 11-02, 08:30 PST on 11-01.
    i.set_status("UBOB", Status::Resolved, T0 + 510 * MIN)
        .unwrap();
    i
}

fn names() -> Names {
    [("UALICE", "alice"), ("UBOB", "bob"), ("UKENJI", "kenji")]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

pub(crate) fn the_draft() -> Draft {
    let zones: Vec<Tz> = vec![
        "Asia/Tokyo".parse().unwrap(),
        "America/Los_Angeles".parse().unwrap(),
    ];
    draft(&Inputs {
        id: "INC-7",
        incident: &incident(),
        zones: &zones,
        workspace_url: Some("https://acme.slack.com/"),
    })
}

#[test]
fn the_draft_in_english_and_japanese() {
    let d = the_draft();
    assert_eq!(d.findings.len(), 3, "{:?}", d.findings);
    let en = View::new(&d, "Bad deploy", &names(), Locale::En).render(Locale::En);
    let ja = View::new(&d, "不具合のあるデプロイ", &names(), Locale::Ja).render(Locale::Ja);
    insta::assert_snapshot!("postmortem_en", en);
    insta::assert_snapshot!("postmortem_ja", ja);
}

#[test]
fn the_card_in_both_languages() {
    let card = PostmortemCard {
        id: "INC-7".into(),
        entries: 14,
        actions: 2,
        findings: 3,
        to_fill: 2,
        regenerated: false,
        kept_edits: true,
        pr: Some("https://github.com/acme/docs/pull/3".into()),
    };
    insta::assert_snapshot!(both(&card));
}

#[test]
fn a_team_template_reads_the_same_fields_escaped_the_same_way() {
    let d = the_draft();
    let view = View::new(&d, "Bad deploy", &names(), Locale::En);
    let team = "# {{ m.id }} — {{ m.title }}\n{% for r in m.timeline %}{% if loop.index <= 2 %}| {{ r.when[1] }} | {{ r.t }} | {{ r.what|safe }} |\n{% endif %}{% endfor %}Detect: {{ m.detect }}";
    let out = view.render_with(Some(team), Locale::En);
    assert_eq!(
        out,
        "# INC-7 — Checkout 502s \\| payments\n| 2026-11-01 01:10 PDT | T+10m | Declared at SEV2 |\n| 2026-11-01 01:12 PDT | T+12m | @alice: “502s started right after 1.5.0 went out” |\nDetect: 4m"
    );
    let broken = "{{ m.id | no_such_filter }}";
    assert_eq!(
        view.render_with(Some(broken), Locale::En),
        view.render(Locale::En),
        "a template that fails at render falls back to the built-in one"
    );
}

#[test]
fn mentions_in_text_become_names() {
    assert_eq!(
        unmention(&names(), "ask <@UBOB|bob> and <@UZED>"),
        "ask @bob and UZED"
    );
}
