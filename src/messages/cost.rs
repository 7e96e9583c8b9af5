//! The monthly cost line of a run's card, from the plan build's Infracost estimate.

use crate::domain::cost::{Cost, Unreadable, money};

super::bilingual! {
    use { CostText as C, Unreadable as U };
    CostText => "en/tf_cost.mrkdwn", "ja/tf_cost.mrkdwn";
}

pub enum CostText {
    Estimate {
        before: String,
        after: String,
        /// `+$622.14`, `-$32.85`.
        change: String,
        /// The resources whose cost changes most, with their change.
        top: Vec<(String, String)>,
    },
    Unreadable {
        why: Unreadable,
        /// A risk rule on cost counts as exceeded.
        ruled: bool,
    },
    /// The project has a cost rule but the build wrote no estimate.
    Missing,
}

fn signed(cents: i64, currency: &str) -> String {
    let m = money(cents, currency);
    if cents > 0 { format!("+{m}") } else { m }
}

impl CostText {
    /// What the card says about cost: nothing when there is no estimate and no rule needs one.
    pub fn of(cost: Option<&Cost>, has_cost_rule: bool) -> Option<CostText> {
        match cost {
            Some(Cost::Estimate(e)) => Some(CostText::Estimate {
                before: money(e.before_cents, &e.currency),
                after: money(e.after_cents, &e.currency),
                change: signed(e.increase_cents(), &e.currency),
                top: e
                    .top
                    .iter()
                    .map(|(name, c)| (name.clone(), signed(*c, &e.currency)))
                    .collect(),
            }),
            Some(Cost::Unreadable(why)) => Some(CostText::Unreadable {
                why: why.clone(),
                ruled: has_cost_rule,
            }),
            None => has_cost_rule.then_some(CostText::Missing),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cost::CostEstimate;
    use crate::locale::Locale;
    use crate::messages::Message;

    #[test]
    fn cost_texts_in_both_languages() {
        let estimate = Cost::Estimate(CostEstimate {
            currency: "USD".into(),
            before_cents: 12_050,
            after_cents: 74_264,
            top: vec![
                ("aws_db_instance.reports".into(), 58_440),
                ("aws_nat_gateway.legacy".into(), -3_285),
            ],
        });
        let unreadable = Cost::Unreadable(Unreadable::NotJson { line: 3 });
        let mut out = vec![];
        for locale in [Locale::En, Locale::Ja] {
            for (cost, ruled) in [
                (Some(&estimate), true),
                (Some(&unreadable), true),
                (Some(&unreadable), false),
                (None, true),
                (Some(&Cost::Unreadable(Unreadable::NotInfracost)), true),
                (
                    Some(&Cost::Unreadable(Unreadable::NotAnAmount {
                        key: "totalMonthlyCost".into(),
                    })),
                    true,
                ),
            ] {
                let text = CostText::of(cost, ruled).expect("something to say");
                out.push(format!("{locale:?}: {}", text.render(locale)));
            }
        }
        assert!(
            CostText::of(None, false).is_none(),
            "no estimate, no rule: silence"
        );
        insta::assert_snapshot!(out.join("\n\n"));
    }
}
