//! The blameless check: phrasing that puts the cause in a person instead of in the system,
//! in English and Japanese. It warns with a suggested rewrite; it never blocks a draft.
//!
//! How sentences are judged: "human error", "careless", "forgot to", 「人為的ミス」,
//! 「ヒューマンエラー」, 「不注意」 and 「以後注意する」 are always flagged. "should have" is
//! flagged only when a person is its subject (a pronoun, a role such as "the on-call", or a
//! Slack mention right before it): "the deploy should have been rolled back by the canary" is
//! about the system and passes. 「〜すべきだった」 likewise only in a sentence that names a
//! person (〜さん, 担当者, 私, 彼, メンバー, a mention). An action item that only says "be
//! careful" / 「注意する」 is flagged: it is not an action.

use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    HumanError,
    Careless,
    ShouldHave,
    ForgotTo,
    /// An action item that asks people to be careful.
    BeCareful,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Where: `summary`, `timeline`, `action 2`, ….
    pub place: String,
    /// The words found, as written.
    pub phrase: String,
    pub rule: Rule,
}

static ALWAYS: LazyLock<Vec<(Regex, Rule)>> = LazyLock::new(|| {
    [
        (r"(?i)\b(human|operator|user)[ -]error\b", Rule::HumanError),
        (
            r"人為的(な)?ミス|ヒューマンエラー|操作ミス",
            Rule::HumanError,
        ),
        (
            r"(?i)\bcareless(ly|ness)?\b|\bnegligen(t|ce)\b",
            Rule::Careless,
        ),
        (
            r"不注意|うっかり|以後(、)?注意(する|します)",
            Rule::Careless,
        ),
        (r"(?i)\b(forgot|forgotten|neglected) to\b", Rule::ForgotTo),
        (r"忘れ(た|ていた|てしまった)", Rule::ForgotTo),
    ]
    .into_iter()
    .map(|(p, r)| (Regex::new(p).expect("valid pattern"), r))
    .collect()
});

static SHOULD_HAVE_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\b(i|we|you|he|she|they|someone|somebody|nobody|the (on-?call|engineer|operator|developer|reviewer|author|approver|team))|<@[A-Z0-9]+(\|[^>]*)?>|@[a-z][\w.-]*)\s+(really\s+)?should(\s+not|n't)?\s+have\b",
    )
    .expect("valid pattern")
});

static JA_SHOULD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"べきだった|べきでした").expect("valid pattern"));

static JA_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"さん|担当者|私|我々|彼|彼女|メンバー|オンコール|作業者|<@[A-Z0-9]+")
        .expect("valid pattern")
});

static BE_CAREFUL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*((be|being) (more )?careful|pay (more )?attention|double[- ]check( everything)?|(以後|今後)?(、)?(十分に|より)?(注意|気をつけ)(する|します|ます|を徹底する|を払う)?)\s*[.。!！]?\s*$",
    )
    .expect("valid pattern")
});

/// Every pattern at once: most text matches none, and one pass says so.
static ANY: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    let mut all: Vec<&str> = ALWAYS.iter().map(|(r, _)| r.as_str()).collect();
    all.push(SHOULD_HAVE_PERSON.as_str());
    all.push(JA_SHOULD.as_str());
    regex::RegexSet::new(all).expect("valid patterns")
});

/// Phrases in `text` (found at `place`) that blame a person.
pub fn check(place: &str, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    if !ANY.is_match(text) {
        return out;
    }
    let mut add = |phrase: &str, rule| {
        out.push(Finding {
            place: place.to_owned(),
            phrase: phrase.to_owned(),
            rule,
        })
    };
    for (re, rule) in ALWAYS.iter() {
        for m in re.find_iter(text) {
            add(m.as_str(), *rule);
        }
    }
    for m in SHOULD_HAVE_PERSON.find_iter(text) {
        add(m.as_str(), Rule::ShouldHave);
    }
    for sentence in text.split(['。', '\n']) {
        if let Some(m) = JA_SHOULD.find(sentence)
            && JA_PERSON.is_match(sentence)
        {
            add(m.as_str(), Rule::ShouldHave);
        }
    }
    out
}

/// An action item's text, which must be an action.
pub fn check_action(place: &str, text: &str) -> Vec<Finding> {
    let mut out = check(place, text);
    if BE_CAREFUL.is_match(text) {
        out.push(Finding {
            place: place.to_owned(),
            phrase: text.trim().to_owned(),
            rule: Rule::BeCareful,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<Rule> {
        check("summary", text).into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn each_listed_phrase_is_found() {
        assert_eq!(
            rules("Root cause: human error during the failover."),
            [Rule::HumanError]
        );
        assert_eq!(rules("A careless change to the config."), [Rule::Careless]);
        assert_eq!(
            rules("The on-call forgot to drain the node."),
            [Rule::ForgotTo]
        );
        assert_eq!(
            rules("Alice should have checked the dashboard."),
            Vec::<Rule>::new(),
            "a bare name is not recognised; see the module doc"
        );
        assert_eq!(
            rules("She should have checked the dashboard."),
            [Rule::ShouldHave]
        );
        assert_eq!(rules("<@U0ALICE> should have waited."), [Rule::ShouldHave]);
        assert_eq!(rules("人為的ミスによる障害"), [Rule::HumanError]);
        assert_eq!(rules("原因はヒューマンエラーです"), [Rule::HumanError]);
        assert_eq!(rules("担当者の不注意"), [Rule::Careless]);
        assert_eq!(rules("以後注意する"), [Rule::Careless]);
        assert_eq!(rules("担当者が確認すべきだった。"), [Rule::ShouldHave]);
    }

    #[test]
    fn sentences_about_the_system_pass() {
        for ok in [
            "The deploy should have been rolled back by the canary.",
            "Alerting should have fired earlier: the threshold was 10 minutes.",
            "カナリアでロールバックされるべきだった。",
            "Failover took 4 minutes; we rolled back at 14:05.",
            "設定の検証がCIにあるべきだった",
        ] {
            assert_eq!(rules(ok), Vec::<Rule>::new(), "{ok}");
        }
    }

    #[test]
    fn an_action_that_only_asks_for_care_is_not_an_action() {
        for bad in [
            "Be careful",
            "be more careful.",
            "注意する",
            "以後注意する",
            "今後、十分に注意します。",
        ] {
            assert!(
                check_action("action 1", bad)
                    .iter()
                    .any(|f| f.rule == Rule::BeCareful),
                "{bad}"
            );
        }
        for good in [
            "Add a pre-merge check that the replica count is at least 2",
            "本番DBの変更に承認者2名を必須にする",
        ] {
            assert!(check_action("action 1", good).is_empty(), "{good}");
        }
    }
}
