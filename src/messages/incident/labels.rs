//! The words on incident cards and forms (headers, buttons, field labels), in English and
//! Japanese (`templates/*/incident_label.txt`).

use crate::locale::Locale;
use crate::messages::Message;

super::super::bilingual! {
    use { Label as L };
    Label => "en/incident_label.txt", "ja/incident_label.txt";
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    Checklist,
    Done,
    Undo,
    /// The suspects card's header: the window before the impact start (`since`, a Slack date).
    Suspects {
        window_minutes: u32,
        since: String,
    },
    NoSuspects,
    ConfirmCulprit,
    Dismiss,
    RollBack,
    MinutesBeforeImpact {
        minutes: i64,
    },
    ConfirmedBy,
    DismissedBy,
    DestroysOrReplaces,
    DeclareIncident,
    Declare,
    Cancel,
    Title,
    Type,
    Severity,
    AffectedServices,
    OtherServices,
    Private,
    PrivateHint,
    ImpactStarted,
    Commander,
    Handover,
    HandOver,
    CurrentState,
    Hypotheses,
    WhatWasTried,
    NextSteps,
}

impl Label {
    pub fn text(&self, locale: Locale) -> String {
        self.render(locale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_in_both_languages() {
        let all = [
            Label::Checklist,
            Label::Done,
            Label::Undo,
            Label::Suspects {
                window_minutes: 120,
                since: "<!date^1796455701^{date_short_pretty} {time}|2026-12-05 07:28 UTC>".into(),
            },
            Label::NoSuspects,
            Label::ConfirmCulprit,
            Label::Dismiss,
            Label::RollBack,
            Label::MinutesBeforeImpact { minutes: 20 },
            Label::ConfirmedBy,
            Label::DismissedBy,
            Label::DestroysOrReplaces,
            Label::DeclareIncident,
            Label::Declare,
            Label::Cancel,
            Label::Title,
            Label::Type,
            Label::Severity,
            Label::AffectedServices,
            Label::OtherServices,
            Label::Private,
            Label::PrivateHint,
            Label::ImpactStarted,
            Label::Commander,
            Label::Handover,
            Label::HandOver,
            Label::CurrentState,
            Label::Hypotheses,
            Label::WhatWasTried,
            Label::NextSteps,
        ];
        let lines: Vec<String> = all
            .iter()
            .map(|l| format!("{} | {}", l.text(Locale::En), l.text(Locale::Ja)))
            .collect();
        assert!(
            lines
                .iter()
                .all(|l| !l.starts_with(" |") && !l.ends_with("| "))
        );
        insta::assert_snapshot!(lines.join("\n"));
    }
}
