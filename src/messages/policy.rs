//! Policy results on a run's card and its pull request, and the answers to an Override click.

use super::common::mention;
use crate::domain::policy::{Finding, OverrideRefusal, SetResult};
use crate::domain::tf_run::Run;
use crate::ids::UserId;

super::bilingual! {
    use { PolicyText as P, OverrideRefusal as R };
    PolicyText => "en/tf_policy.mrkdwn", "ja/tf_policy.mrkdwn";
    PolicyComment => "en/tf_policy.md", "ja/tf_policy.md";
}

/// At most this many messages of each level per set on a card; the PR comment has them all.
const SHOWN: usize = 8;
const MSG_CHARS: usize = 300;

/// One finding in both languages (Japanese falls back to the rule's message).
#[derive(Clone, Debug, PartialEq)]
pub struct FindingView {
    pub namespace: String,
    pub en: String,
    pub ja: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SetView {
    pub name: String,
    pub failures: Vec<FindingView>,
    pub warnings: Vec<FindingView>,
    /// Messages left out of the card.
    pub more: usize,
    /// Who overrode it and why (mentions).
    pub overrides: Vec<(String, String)>,
    /// Overrides still needed.
    pub needed: u32,
    /// Its failures still hold approval back.
    pub blocking: bool,
}

fn short(s: &str) -> String {
    if s.chars().count() <= MSG_CHARS {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(MSG_CHARS - 1).collect();
    out.push('…');
    out
}

fn view(f: &Finding, shorten: bool) -> FindingView {
    let cut = |s: &str| if shorten { short(s) } else { s.to_owned() };
    FindingView {
        namespace: f.namespace.clone(),
        en: cut(&f.msg),
        ja: cut(f.msg_ja.as_deref().unwrap_or(&f.msg)),
    }
}

/// Each set that found something or was overridden, as the card (`all` false) or the pull
/// request (`all` true) shows it.
pub fn set_views(run: &Run, all: bool) -> Vec<SetView> {
    let results: &[SetResult] = run.plan.as_ref().map_or(&[], |p| &p.policies);
    let blocking: Vec<&str> = run
        .blocking_policies()
        .iter()
        .map(|r| r.set.as_str())
        .collect();
    results
        .iter()
        .filter(|r| !r.findings.is_empty())
        .map(|r| {
            let take = if all { usize::MAX } else { SHOWN };
            let failures: Vec<FindingView> =
                r.failures().take(take).map(|f| view(f, !all)).collect();
            let warnings: Vec<FindingView> =
                r.warnings().take(take).map(|f| view(f, !all)).collect();
            let overrides: Vec<(String, String)> = run
                .overrides
                .iter()
                .filter(|o| o.set == r.set)
                .map(|o| (mention(o.by.as_str()), o.reason.clone()))
                .collect();
            SetView {
                name: r.set.clone(),
                more: r.findings.len() - failures.len() - warnings.len(),
                failures,
                warnings,
                needed: r
                    .overrides_needed
                    .max(1)
                    .saturating_sub(overrides.len() as u32),
                overrides,
                blocking: blocking.contains(&r.set.as_str()),
            }
        })
        .collect()
}

pub enum PolicyText {
    /// The card's policy section.
    Card {
        sets: Vec<SetView>,
    },
    /// The Override button's modal title and its question.
    ModalTitle,
    ModalWhy,
    Refused {
        run: i64,
        refusal: OverrideRefusal,
    },
    Overridden {
        run: i64,
        sets: Vec<String>,
    },
}

/// The policy results on the pull request, in the repository's language (Markdown table
/// cells: user text escaped by the caller's views).
pub struct PolicyComment {
    pub run: i64,
    pub sets: Vec<SetView>,
}

impl PolicyComment {
    /// Views for GitHub: every message, escaped for a Markdown table cell; overriders named
    /// by `who` (their GitHub login where known).
    pub fn new(run_id: i64, run: &Run, who: impl Fn(&UserId) -> String) -> Self {
        let cell = |s: &str| {
            let mut out = String::new();
            askama::filters::Escaper::write_escaped_str(&super::MarkdownText, &mut out, s)
                .expect("String writes");
            out
        };
        let mut sets = set_views(run, true);
        for set in &mut sets {
            for f in set.failures.iter_mut().chain(set.warnings.iter_mut()) {
                f.en = cell(&f.en);
                f.ja = cell(&f.ja);
                f.namespace = cell(&f.namespace);
            }
            let by = run.overrides.iter().filter(|o| o.set == set.name);
            for ((name, reason), o) in set.overrides.iter_mut().zip(by) {
                *name = cell(&who(&o.by));
                *reason = cell(reason);
            }
        }
        Self { run: run_id, sets }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Level;
    use crate::domain::tf_run::PlanFacts;
    use crate::locale::Locale;
    use crate::messages::Message;

    fn finding(level: Level, namespace: &str, msg: &str, ja: Option<&str>) -> Finding {
        Finding {
            level,
            namespace: namespace.into(),
            msg: msg.into(),
            msg_ja: ja.map(Into::into),
        }
    }

    /// `guard` fails and waits for two owners (one has overridden); `names` only warns, with
    /// more messages than a card shows, one of them long and holding a table's `|`.
    fn run() -> Run {
        let guard = SetResult {
            set: "guard".into(),
            digest: "d1".into(),
            overrides_needed: 2,
            findings: vec![
                finding(
                    Level::Fail,
                    "terraform.deletes",
                    "aws_db_instance.main would be destroyed",
                    Some("aws_db_instance.main が削除されます"),
                ),
                finding(
                    Level::Warn,
                    "terraform.deletes",
                    "aws_iam_role.ci changes",
                    None,
                ),
            ],
        };
        let mut names = SetResult {
            set: "names".into(),
            digest: "d2".into(),
            overrides_needed: 1,
            findings: vec![],
        };
        for i in 0..10 {
            names.findings.push(finding(
                Level::Warn,
                "main",
                &format!("name {i} has a dash"),
                None,
            ));
        }
        names.findings[0].msg = format!("a|b {}", "x".repeat(400));
        let mut run = Run::new("network", "a1a1a1a1a1", "UCAROL");
        run.plan_succeeded(
            PlanFacts {
                sha256: "00".into(),
                planned_at_ms: 0,
                required_approvals: 1,
                binding: Default::default(),
                policies: vec![guard, names],
                cost: None,
                changes_digest: None,
            },
            true,
        );
        run.override_policies(&"UKENJI".into(), "restoring from snapshot", |s| {
            s == "guard"
        })
        .unwrap();
        run
    }

    #[test]
    fn policy_texts_in_both_languages() {
        let run = run();
        let mut out = vec![];
        for locale in [Locale::En, Locale::Ja] {
            let mut texts = vec![
                PolicyText::Card {
                    sets: set_views(&run, false),
                },
                PolicyText::ModalTitle,
                PolicyText::ModalWhy,
                PolicyText::Overridden {
                    run: 7,
                    sets: vec!["guard".into(), "names".into()],
                },
            ];
            for refusal in [
                OverrideRefusal::NotAwaitingApproval,
                OverrideRefusal::NothingToOverride,
                OverrideRefusal::NotAnOwner,
                OverrideRefusal::OwnChange,
                OverrideRefusal::NoReason,
            ] {
                texts.push(PolicyText::Refused { run: 7, refusal });
            }
            for t in texts {
                out.push(format!("{locale:?}: {}", t.render(locale)));
            }
            let comment =
                PolicyComment::new(7, &run, |u| format!("@{}", u.as_str().to_lowercase()));
            out.push(format!("{locale:?} PR: {}", comment.render(locale)));
        }
        insta::assert_snapshot!(out.join("\n\n"));
    }

    #[test]
    fn a_card_shows_a_few_short_messages_and_says_how_many_more() {
        let sets = set_views(&run(), false);
        let names = &sets[1];
        assert_eq!(names.warnings.len(), SHOWN);
        assert_eq!(names.more, 2);
        assert!(names.warnings[0].en.chars().count() <= MSG_CHARS);
        assert!(sets[0].blocking, "one of two overrides is not enough");
        let all = set_views(&run(), true);
        assert_eq!(all[1].warnings.len(), 10);
        assert_eq!(all[1].more, 0);
    }
}
