//! Pieces every capability's messages use: mentions, durations, the reject-reason modal.

use super::escape_mrkdwn;
use crate::config::People;
use crate::event::{Action, Form};
use crate::locale::Locale;
use crate::messages::Message;
use serde_json::{Value, json};

pub const REASON_BLOCK: &str = "reason";
pub const REASON_INPUT: &str = "reason_input";

/// `<@U…>` for a Slack user; a GitHub login (`github:octocat`) as code, since it cannot ping.
pub fn mention(who: impl AsRef<str>) -> String {
    let who = who.as_ref();
    match who.strip_prefix("github:") {
        Some(login) => format!("`{}` (GitHub)", escape_mrkdwn(login)),
        None => format!("<@{}>", escape_mrkdwn(who)),
    }
}

pub fn mentions<'a, S: AsRef<str> + 'a>(who: impl IntoIterator<Item = &'a S>) -> String {
    who.into_iter()
        .map(|w| mention(w.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who may approve: configured users, then configured user groups (`<!subteam^S…>`).
pub fn approver_mentions(approvers: &People) -> String {
    approvers
        .users
        .iter()
        .map(|u| mention(u.as_str()))
        .chain(
            approvers
                .groups
                .iter()
                .map(|g| format!("<!subteam^{}>", escape_mrkdwn(g.as_str()))),
        )
        .collect::<Vec<_>>()
        .join(", ")
}

/// "3m 12s" / "3分12秒".
pub fn duration(ms: i64, locale: Locale) -> String {
    let s = (ms.max(0) + 500) / 1000;
    let (m, s) = (s / 60, s % 60);
    match (locale, m) {
        (Locale::En, 0) => format!("{s}s"),
        (Locale::En, _) => format!("{m}m {s}s"),
        (Locale::Ja, 0) => format!("{s}秒"),
        (Locale::Ja, _) => format!("{m}分{s}秒"),
    }
}

super::bilingual! {
    use { Word as W };
    Word => "en/common_word.txt", "ja/common_word.txt";
}

/// Words on the approval buttons and the reject modal (`templates/*/common_word.txt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    Approve,
    Reject,
    RejectWhy,
    Cancel,
}

/// The modal that asks why a plan or deploy is rejected; `form` says which.
pub fn reject_modal(form: &Form, locale: Locale) -> Value {
    let [title, label] = [Word::Reject, Word::RejectWhy].map(|w| w.render(locale));
    reason_modal(form, &title, &label, locale)
}

/// A modal asking one question whose answer is a reason (`REASON_BLOCK`.`REASON_INPUT`).
pub fn reason_modal(form: &Form, title: &str, label: &str, locale: Locale) -> Value {
    let (callback_id, private_metadata) = form.wire();
    let cancel = Word::Cancel.render(locale);
    let submit = title;
    json!({
        "type": "modal", "callback_id": callback_id, "private_metadata": private_metadata,
        "title": { "type": "plain_text", "text": title },
        "submit": { "type": "plain_text", "text": submit },
        "close": { "type": "plain_text", "text": cancel },
        "blocks": [{ "type": "input", "block_id": REASON_BLOCK,
            "label": { "type": "plain_text", "text": label },
            "element": { "type": "plain_text_input", "action_id": REASON_INPUT, "multiline": true, "max_length": 500 } }],
    })
}

/// The Approve and Reject buttons of a card awaiting approval.
pub fn approval_buttons(
    block_id: String,
    approve: &Action,
    reject: &Action,
    locale: Locale,
) -> Value {
    let approve_label = Word::Approve.render(locale);
    let reject_label = Word::Reject.render(locale);
    let button = |action: &Action, style: &str, label: &str| {
        let (action_id, value) = action.wire();
        json!({ "type": "button", "action_id": action_id, "style": style, "value": value,
            "text": { "type": "plain_text", "text": label } })
    };
    json!({ "type": "actions", "block_id": block_id, "elements": [
        button(approve, "primary", &approve_label),
        button(reject, "danger", &reject_label),
    ] })
}
