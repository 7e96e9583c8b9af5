//! A plan summary as people read it: plain text (CLI, logs), Markdown (the PR comment) and a
//! Slack card that fits Slack's limits, with the full list for its thread. English and Japanese.

use super::escape_mrkdwn;
use crate::domain::plan::{Action, Counts, PlanSummary, ResourceChange};
use crate::locale::Locale;
use crate::messages::Message;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// Slack refuses a section text over 3,000 characters and a message over 50 blocks.
pub const SLACK_SECTION_MAX: usize = 3000;
pub const SLACK_BLOCKS_MAX: usize = 50;
/// Resources named on the card itself; the thread has them all.
const CARD_RESOURCES: usize = 15;

super::bilingual! {
    use { PlanWord as W };
    PlanWord => "en/plan_word.txt", "ja/plan_word.txt";
}

/// The words of a plan summary (`templates/*/plan_word.txt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanWord {
    Title,
    NoChanges,
    Errored,
    Add,
    Change,
    Destroy,
    Replace,
    Import,
    Moved,
    Forget,
    Read,
    Destructive,
    OtherChanges,
    Drift,
    Outputs,
    More,
    ThreadHint,
    ThreadRest,
    Imported,
    MovedFrom,
    FailedIn,
    NothingToApprove,
    BuildLog,
    ApplyTitle,
    Applied,
    ApplyFailedIn,
    ApprovedBy,
}

/// Every word of a plan summary in one language, rendered once.
struct Labels {
    title: String,
    no_changes: String,
    errored: String,
    add: String,
    change: String,
    destroy: String,
    replace: String,
    import: String,
    moved: String,
    forget: String,
    read: String,
    destructive: String,
    other_changes: String,
    drift: String,
    outputs: String,
    more: String,
    thread_hint: String,
    thread_rest: String,
    imported: String,
    moved_from: String,
    failed_in: String,
    nothing_to_approve: String,
    build_log: String,
    apply_title: String,
    applied: String,
    apply_failed_in: String,
    approved_by: String,
}

fn labels(locale: Locale) -> &'static Labels {
    static EN: OnceLock<Labels> = OnceLock::new();
    static JA: OnceLock<Labels> = OnceLock::new();
    let cell = match locale {
        Locale::En => &EN,
        Locale::Ja => &JA,
    };
    cell.get_or_init(|| {
        let w = |word: PlanWord| word.render(locale);
        Labels {
            title: w(PlanWord::Title),
            no_changes: w(PlanWord::NoChanges),
            errored: w(PlanWord::Errored),
            add: w(PlanWord::Add),
            change: w(PlanWord::Change),
            destroy: w(PlanWord::Destroy),
            replace: w(PlanWord::Replace),
            import: w(PlanWord::Import),
            moved: w(PlanWord::Moved),
            forget: w(PlanWord::Forget),
            read: w(PlanWord::Read),
            destructive: w(PlanWord::Destructive),
            other_changes: w(PlanWord::OtherChanges),
            drift: w(PlanWord::Drift),
            outputs: w(PlanWord::Outputs),
            more: w(PlanWord::More),
            thread_hint: w(PlanWord::ThreadHint),
            thread_rest: w(PlanWord::ThreadRest),
            imported: w(PlanWord::Imported),
            moved_from: w(PlanWord::MovedFrom),
            failed_in: w(PlanWord::FailedIn),
            nothing_to_approve: w(PlanWord::NothingToApprove),
            build_log: w(PlanWord::BuildLog),
            apply_title: w(PlanWord::ApplyTitle),
            applied: w(PlanWord::Applied),
            apply_failed_in: w(PlanWord::ApplyFailedIn),
            approved_by: w(PlanWord::ApprovedBy),
        }
    })
}

/// Terraform's own `Plan:` counts first, then what they include or leave out:
/// "1 to import, 4 to add, 2 to change, 4 to destroy (2 to replace, 1 to move)" /
/// "インポート 1、追加 4、変更 2、削除 4（置換 2、移動 1）".
pub fn counts_line(c: &Counts, locale: Locale) -> String {
    let l = labels(locale);
    let part = |(n, word): (usize, &str)| match locale {
        Locale::En => format!("{n} {word}"),
        Locale::Ja => format!("{word} {n}"),
    };
    let import = (c.import > 0).then_some((c.import, l.import.as_str()));
    let terraform: Vec<String> = import
        .into_iter()
        .chain([
            (c.add, l.add.as_str()),
            (c.change, l.change.as_str()),
            (c.destroy, l.destroy.as_str()),
        ])
        .map(part)
        .collect();
    let beside: Vec<String> = [
        (c.replace, l.replace.as_str()),
        (c.moved, l.moved.as_str()),
        (c.forget, l.forget.as_str()),
        (c.read, l.read.as_str()),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(part)
    .collect();
    let (sep, open, close) = match locale {
        Locale::En => (", ", " (", ")"),
        Locale::Ja => ("、", "（", "）"),
    };
    let mut line = terraform.join(sep);
    if !beside.is_empty() {
        line.push_str(&format!("{open}{}{close}", beside.join(sep)));
    }
    line
}

fn headline(s: &PlanSummary, locale: Locale) -> String {
    let l = labels(locale);
    if s.errored {
        l.errored.to_owned()
    } else if !s.has_changes() {
        l.no_changes.to_owned()
    } else {
        counts_line(&s.counts, locale)
    }
}

fn resource_line(r: &ResourceChange, locale: Locale) -> String {
    let l = labels(locale);
    let mut line = format!("{} {}", r.action.symbol(), r.address);
    if let Some(reason) = &r.reason {
        line.push_str(&format!(" ({reason})"));
    }
    if r.importing {
        line.push_str(&format!(" [{}]", l.imported));
    }
    if let Some(prev) = &r.previous_address {
        line.push_str(&format!(" [{} {prev}]", l.moved_from));
    }
    line
}

fn resource_block(r: &ResourceChange, locale: Locale) -> String {
    let mut out = resource_line(r, locale);
    for a in &r.attrs {
        out.push_str(&format!("\n      {}: {} → {}", a.name, a.before, a.after));
    }
    out
}

/// The whole summary as plain text.
pub fn text(s: &PlanSummary, locale: Locale) -> String {
    let l = labels(locale);
    let mut out = format!("{}: {}\n", l.title, headline(s, locale));
    for r in &s.changes {
        out.push_str(&resource_block(r, locale));
        out.push('\n');
    }
    if !s.drift.is_empty() {
        out.push_str(&format!("\n{} ({}):\n", l.drift, s.drift.len()));
        for r in &s.drift {
            out.push_str(&format!("  {}\n", resource_line(r, locale)));
        }
    }
    let outputs: Vec<_> = s.changed_outputs().collect();
    if !outputs.is_empty() {
        out.push_str(&format!("\n{}:\n", l.outputs));
        for o in outputs {
            out.push_str(&format!(
                "  {} {} = {}\n",
                o.action.symbol(),
                o.name,
                o.after
            ));
        }
    }
    out
}

/// A failed plan as Markdown: it replaces the PR's plan comment, so an earlier summary is not
/// taken for the current one.
/// The apply's outcome as Markdown, a pull request comment of its own under the plan's:
/// `failed` is the phase it failed in; `approvers` are GitHub names.
pub fn markdown_applied(
    run: i64,
    commit: &str,
    approvers: &[String],
    failed: Option<&str>,
    logs: Option<&str>,
    locale: Locale,
) -> String {
    let l = labels(locale);
    let (alert, headline) = match failed {
        None => ("NOTE", l.applied.to_owned()),
        Some(phase) => (
            "CAUTION",
            format!("{} `{}`", l.apply_failed_in, phase.replace('`', "'")),
        ),
    };
    let commit: String = commit.chars().take(7).collect();
    let mut out = format!(
        "### {}\n\n> [!{alert}]\n> **{headline}**: run #{run} (`{commit}`)",
        l.apply_title
    );
    if !approvers.is_empty() {
        out.push_str(&format!(
            " · {} {}",
            l.approved_by,
            super::escape_mrkdwn(&approvers.join(", "))
        ));
    }
    if let Some(url) = logs {
        out.push_str(&format!(" · [{}]({url})", l.build_log));
    }
    out.push('\n');
    out
}

pub fn markdown_failed(phase: &str, logs: Option<&str>, locale: Locale) -> String {
    let l = labels(locale);
    let mut out = format!(
        "### {}\n\n> [!CAUTION]\n> **{} `{}`**. {}",
        l.title,
        l.failed_in,
        phase.replace('`', "'"),
        l.nothing_to_approve
    );
    if let Some(url) = logs {
        out.push_str(&format!(" [{}]({url})", l.build_log));
    }
    out.push('\n');
    out
}

/// Markdown for the pull request comment (edited in place on every re-plan).
pub fn markdown(s: &PlanSummary, locale: Locale) -> String {
    let l = labels(locale);
    // GitHub Markdown reads `&`, `<` and `>` as HTML, as Slack does: one escaper for both.
    let esc = super::escape_mrkdwn;
    let mut out = format!("### {}\n\n**{}**\n", l.title, esc(&headline(s, locale)));
    let destructive: Vec<_> = s.destructive().collect();
    if !destructive.is_empty() {
        out.push_str(&format!(
            "\n> [!WARNING]\n> **{}**: {}\n",
            l.destructive,
            destructive.len()
        ));
        for r in &destructive {
            out.push_str(&format!("> - `{}`\n", r.address));
        }
    }
    if !s.changes.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>{} ({})</summary>\n\n```diff\n",
            l.other_changes,
            s.changes.len()
        ));
        for r in &s.changes {
            // A diff block colours a line by its first character: `-` red, `+` green, `!` amber.
            let block = resource_block(r, locale).replace("```", "'''");
            let line = match r.action {
                Action::Update => block.replacen('~', "!", 1),
                Action::Forget | Action::Read | Action::NoOp => format!("  {block}"),
                Action::Create | Action::Delete | Action::Replace => block,
            };
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str("```\n</details>\n");
    }
    if !s.drift.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>{} ({})</summary>\n\n",
            l.drift,
            s.drift.len()
        ));
        for r in &s.drift {
            out.push_str(&format!("- `{}`\n", resource_line(r, locale)));
        }
        out.push_str("</details>\n");
    }
    let outputs: Vec<_> = s.changed_outputs().collect();
    if !outputs.is_empty() {
        out.push_str(&format!("\n**{}**\n\n", l.outputs));
        for o in outputs {
            out.push_str(&format!(
                "- `{}` {} `{}`\n",
                o.name,
                o.action.symbol(),
                o.after.replace('`', "'")
            ));
        }
    }
    out
}

/// Lines joined into one section text of at most `SLACK_SECTION_MAX` characters, the rest
/// counted as "… and N more".
fn fit_section(heading: &str, lines: &[String], max_lines: usize, locale: Locale) -> String {
    let l = labels(locale);
    let mut out = heading.to_owned();
    let mut shown = 0;
    for line in lines.iter().take(max_lines) {
        let reserve = 40; // room for the "and N more" line
        if out.chars().count() + line.chars().count() + 1 + reserve > SLACK_SECTION_MAX {
            break;
        }
        out.push('\n');
        out.push_str(line);
        shown += 1;
    }
    if shown < lines.len() {
        out.push_str(&format!("\n… {} {}", lines.len() - shown, l.more));
    }
    out
}

fn section(text: String) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })
}

/// The compact card: headline, destroys/replaces first, a few other changes, drift and outputs
/// counts. At most 50 blocks, every section at most 3,000 characters.
pub fn slack_card(s: &PlanSummary, title: &str, locale: Locale) -> Vec<Value> {
    let l = labels(locale);
    let mut blocks = vec![
        json!({ "type": "header", "text": { "type": "plain_text", "text": title.chars().take(150).collect::<String>() } }),
        section(format!("*{}*", escape_mrkdwn(&headline(s, locale)))),
    ];
    let line = |r: &ResourceChange| format!("`{}`", escape_mrkdwn(&resource_line(r, locale)));
    let destructive: Vec<String> = s.destructive().map(line).collect();
    if !destructive.is_empty() {
        blocks.push(section(fit_section(
            &format!(":warning: *{}* ({})", l.destructive, destructive.len()),
            &destructive,
            CARD_RESOURCES,
            locale,
        )));
    }
    let others: Vec<String> = s
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::Replace | Action::Delete))
        .map(line)
        .collect();
    if !others.is_empty() {
        blocks.push(section(fit_section(
            &format!("*{}* ({})", l.other_changes, others.len()),
            &others,
            CARD_RESOURCES,
            locale,
        )));
    }
    let mut context = vec![];
    if !s.drift.is_empty() {
        context.push(format!(":mag: {}: {}", l.drift, s.drift.len()));
    }
    let outputs = s.changed_outputs().count();
    if outputs > 0 {
        context.push(format!("{}: {outputs}", l.outputs));
    }
    if s.changes.len() > CARD_RESOURCES || !s.drift.is_empty() {
        context.push(l.thread_hint.to_owned());
    }
    if !context.is_empty() {
        blocks.push(json!({ "type": "context", "elements": context.into_iter().map(|t| json!({ "type": "mrkdwn", "text": t })).collect::<Vec<_>>() }));
    }
    debug_assert!(blocks.len() <= SLACK_BLOCKS_MAX);
    blocks
}

/// At most this many thread messages (about 30,000 characters): a huge plan's thread would take
/// minutes at Slack's message a second per channel, and nobody reads it there.
pub const THREAD_MESSAGES_MAX: usize = 10;

/// The masked resource list for the card's thread, as messages of at most 3,000 characters;
/// past [`THREAD_MESSAGES_MAX`] the last message says how many changes were left out.
pub fn slack_thread(s: &PlanSummary, locale: Locale) -> Vec<String> {
    let rest_note = |n: usize| labels(locale).thread_rest.replace("{n}", &n.to_string());
    // Room kept in the last message for the note.
    let reserve = rest_note(s.changes.len()).chars().count() + 1;
    let mut messages = vec![];
    let mut current = String::new();
    for (i, r) in s.changes.iter().enumerate() {
        let block = format!(
            "```{}```",
            escape_mrkdwn(&resource_block(r, locale)).replace("```", "'''")
        );
        let block: String = block.chars().take(SLACK_SECTION_MAX - reserve).collect();
        let last = messages.len() == THREAD_MESSAGES_MAX - 1;
        let room = SLACK_SECTION_MAX - if last { reserve } else { 0 };
        if !current.is_empty() && current.chars().count() + block.chars().count() + 1 > room {
            if last {
                current.push('\n');
                current.push_str(&rest_note(s.changes.len() - i));
                messages.push(current);
                return messages;
            }
            messages.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&block);
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apply_comment_in_both_languages() {
        let mut out = Vec::new();
        for locale in [Locale::En, Locale::Ja] {
            out.push(markdown_applied(
                1,
                "a1a1a1a1a1a1",
                &["@alice".into(), "slack:U2".into()],
                None,
                Some("https://logs.example/1"),
                locale,
            ));
            out.push(markdown_applied(
                2,
                "b2b2b2b2",
                &[],
                Some("BUILD"),
                None,
                locale,
            ));
        }
        insta::assert_snapshot!(out.join("\n----\n"));
    }
}
