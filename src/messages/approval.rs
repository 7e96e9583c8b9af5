//! Why an approval or a rejection was refused, for every approvable thing: one message, in
//! English and Japanese.

use crate::domain::approval::Refusal;

super::bilingual! {
    use { Item, Refusal };
    ApprovalRefused => "en/approval_refused.mrkdwn", "ja/approval_refused.mrkdwn";
}

/// What was being approved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// A Terraform run's plan.
    Plan {
        run: i64,
    },
    Deploy {
        id: i64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalRefused {
    pub item: Item,
    /// The project or app whose approvers decide.
    pub owner: String,
    pub refusal: Refusal,
    /// Refused a rejection (else an approval).
    pub rejecting: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Locale;
    use crate::messages::Message;

    #[test]
    fn every_refusal_in_both_languages() {
        let mut out = String::new();
        for item in [Item::Plan { run: 7 }, Item::Deploy { id: 12 }] {
            for refusal in [
                Refusal::NotAnApprover,
                Refusal::OwnRun,
                Refusal::AlreadyApproved,
                Refusal::NotAwaitingApproval,
                Refusal::Blocked,
            ] {
                for rejecting in [false, true] {
                    if rejecting
                        && matches!(
                            refusal,
                            Refusal::OwnRun | Refusal::AlreadyApproved | Refusal::Blocked
                        )
                    {
                        continue;
                    }
                    let m = ApprovalRefused {
                        item,
                        owner: "network".into(),
                        refusal,
                        rejecting,
                    };
                    for locale in [Locale::En, Locale::Ja] {
                        out.push_str(&format!(
                            "{item:?} {refusal:?} rejecting={rejecting} {locale:?}: {}\n",
                            m.render(locale)
                        ));
                    }
                }
            }
        }
        insta::assert_snapshot!(out);
    }
}
