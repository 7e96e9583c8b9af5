//! Messages as the terminal shows them: Slack markup made readable, Block Kit as text with
//! numbered buttons.

use super::{Session, forms, same};
use crate::fake::slack::FakeMessage;
use serde_json::Value;

/// Slack markup as a person reads it: `<@U…>` → `@alice`, `<#C…>` → `#deploys`,
/// `<!subteam^S…>` → `@sre-leads`, `<!date^…|fallback>` → the fallback, `<url|label>` →
/// `label (url)`, entities decoded. `name`
/// looks up a user (`@`), channel (`#`) or user group (`^`) id.
fn readable(text: &str, name: impl Fn(char, &str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let Some(len) = rest[i..].find('>') else {
            break;
        };
        let inner = &rest[i + 1..i + len];
        let (target, label) = inner.split_once('|').unwrap_or((inner, ""));
        let shown = if let Some(id) = target.strip_prefix('@') {
            format!("@{}", name('@', id).unwrap_or_else(|| id.to_owned()))
        } else if let Some(id) = target.strip_prefix('#') {
            format!("#{}", name('#', id).unwrap_or_else(|| id.to_owned()))
        } else if target.starts_with("!date^") {
            label.to_owned()
        } else if let Some(id) = target.strip_prefix("!subteam^") {
            format!("@{}", name('^', id).unwrap_or_else(|| id.to_owned()))
        } else if let Some(special) = target.strip_prefix('!') {
            format!("@{special}")
        } else if label.is_empty() {
            target.to_owned()
        } else {
            format!("{label} ({target})")
        };
        out.push_str(&shown);
        rest = &rest[i + len + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A message rendered for the terminal, with names instead of ids.
fn for_terminal(s: &Session, m: &FakeMessage) -> String {
    let st = s.world.slack.state();
    readable(&render_message(m), |kind, id| match kind {
        '@' => st.users.get(id).map(|u| u.name.clone()),
        '#' => st.channels.get(id).map(|c| c.name.clone()),
        _ => st.usergroups.get(id).map(|(handle, _)| handle.clone()),
    })
}

pub(super) fn channel_name(s: &Session, id: &str) -> String {
    s.world
        .slack
        .state()
        .channels
        .get(id)
        .map_or_else(|| id.to_owned(), |c| format!("#{}", c.name))
}

pub(super) fn nth_button(m: &FakeMessage, arg: &str) -> Option<String> {
    let n: usize = arg.parse().ok()?;
    buttons(m)
        .into_iter()
        .nth(n.checked_sub(1)?)
        .map(|(id, _)| id)
}

fn buttons(m: &FakeMessage) -> Vec<(String, String)> {
    let mut out = vec![];
    for b in m.blocks.iter().flat_map(|b| b.as_array()).flatten() {
        for e in b
            .get("elements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if e["type"] == "button" {
                out.push((
                    e["action_id"].as_str().unwrap_or_default().to_owned(),
                    e["text"]["text"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
    }
    out
}

/// Print bot messages the current user can see and has not seen yet, numbered for :react/:click.
pub(super) fn render_new(s: &mut Session) -> String {
    let user_id = s.world.user(&s.user);
    let fresh: Vec<FakeMessage> = s.world.slack.mutate(|st| {
        st.messages
            .iter_mut()
            .filter(|m| {
                m.from_bot && !m.seen && m.ephemeral_to.as_ref().is_none_or(|u| *u == user_id)
            })
            .map(|m| {
                m.seen = true;
                m.clone()
            })
            .collect()
    });
    let mut out = String::new();
    let views: Vec<serde_json::Value> = {
        let st = s.world.slack.state();
        let new = st.views.iter().skip(s.views_seen);
        new.filter(|v| v.user == user_id)
            .map(|v| v.view.clone())
            .collect()
    };
    s.views_seen = s.world.slack.state().views.len();
    for v in views {
        out.push_str(&forms::describe(&v));
    }
    let files: Vec<crate::fake::slack::FakeFile> = {
        let st = s.world.slack.state();
        st.files.iter().skip(s.files_seen).cloned().collect()
    };
    s.files_seen += files.len();
    for f in files {
        let channel = f
            .channel
            .as_deref()
            .map(|c| channel_name(s, c))
            .unwrap_or_default();
        out.push_str(&format!(
            "banto shared the file {} in {channel}:\n",
            f.filename
        ));
        out.push_str(&indent(&f.content));
    }
    let edited: Vec<(usize, FakeMessage)> = {
        let st = s.world.slack.state();
        s.shown
            .iter()
            .enumerate()
            .filter_map(|(i, old)| {
                st.messages
                    .iter()
                    .find(|m| m.channel == old.channel && m.ts == old.ts && !same(m, old))
                    .map(|m| (i, m.clone()))
            })
            .collect()
    };
    for (i, m) in edited {
        out.push_str(&format!(
            "[{}] banto edited its message in {}:\n",
            i + 1,
            channel_name(s, &m.channel)
        ));
        out.push_str(&indent(&for_terminal(s, &m)));
        s.shown[i] = m;
    }
    for m in fresh {
        s.shown.push(m.clone());
        let n = s.shown.len();
        let whom = if m.ephemeral_to.is_some() {
            " (only you)"
        } else {
            ""
        };
        let thread = if m.thread_ts.is_some() {
            " ↳ thread"
        } else {
            ""
        };
        out.push_str(&format!(
            "[{n}] banto in {}{whom}{thread}:\n",
            channel_name(s, &m.channel)
        ));
        out.push_str(&indent(&for_terminal(s, &m)));
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// Block Kit as readable text: headers, sections, fields, context and numbered buttons.
pub fn render_message(m: &FakeMessage) -> String {
    let Some(blocks) = m.blocks.as_ref().and_then(Value::as_array) else {
        return format!("{}\n", m.text);
    };
    let mut out = String::new();
    let mut button_no = 0;
    for b in blocks {
        let text = |v: &Value| v["text"].as_str().unwrap_or_default().to_owned();
        match b["type"].as_str().unwrap_or_default() {
            "header" => out.push_str(&format!("== {} ==\n", text(&b["text"]))),
            "section" => {
                if b.get("text").is_some() {
                    out.push_str(&format!("{}\n", text(&b["text"])));
                }
                for f in b
                    .get("fields")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.push_str(&format!("  • {}\n", text(f)));
                }
            }
            "context" => {
                let parts: Vec<String> = b["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(text)
                    .collect();
                out.push_str(&format!("  ({})\n", parts.join(" · ")));
            }
            "divider" => out.push_str("  ----\n"),
            "actions" => {
                let mut row = vec![];
                for e in b["elements"].as_array().into_iter().flatten() {
                    if e["type"] == "button" {
                        button_no += 1;
                        row.push(format!("[{button_no}: {}]", text(&e["text"])));
                    }
                }
                out.push_str(&format!("  {}\n", row.join(" ")));
            }
            other => out.push_str(&format!("  <{other} block>\n")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_kit_renders_as_readable_text() {
        let blocks = serde_json::json!([
            { "type": "header", "text": { "type": "plain_text", "text": "Plan: network (prod)" } },
            { "type": "section", "text": { "type": "mrkdwn", "text": "*2 to add*, 1 to destroy" },
              "fields": [{ "type": "mrkdwn", "text": "*Commit* abc123" }, { "type": "mrkdwn", "text": "*By* alice" }] },
            { "type": "divider" },
            { "type": "context", "elements": [{ "type": "mrkdwn", "text": "planned 09:00 JST" }, { "type": "plain_text", "text": "build 42" }] },
            { "type": "actions", "elements": [
                { "type": "button", "action_id": "approve", "text": { "type": "plain_text", "text": "Approve" } },
                { "type": "button", "action_id": "reject", "text": { "type": "plain_text", "text": "Reject" } }] },
            { "type": "image", "image_url": "https://example.com/x.png", "alt_text": "x" }
        ]);
        let m = FakeMessage {
            channel: "C1".into(),
            ts: "1.1".into(),
            thread_ts: None,
            user: "U1".into(),
            text: "fallback".into(),
            blocks: Some(blocks),
            ephemeral_to: None,
            reactions: Default::default(),
            edited: false,
            from_bot: true,
            seen: false,
            metadata: None,
        };
        assert_eq!(
            render_message(&m),
            "== Plan: network (prod) ==\n*2 to add*, 1 to destroy\n  • *Commit* abc123\n  • *By* alice\n  ----\n  (planned 09:00 JST · build 42)\n  [1: Approve] [2: Reject]\n  <image block>\n"
        );
        assert_eq!(nth_button(&m, "2").as_deref(), Some("reject"));
    }

    #[test]
    fn slack_markup_reads_as_names() {
        let names = |kind: char, id: &str| match (kind, id) {
            ('@', "U1") => Some("alice".to_owned()),
            ('#', "C1") => Some("deploys".to_owned()),
            ('^', "S1") => Some("sre-leads".to_owned()),
            _ => None,
        };
        assert_eq!(
            readable(
                "<@U1> and <!subteam^S1> in <#C1>: <https://x.test/pr/1|acme/gitops#1> &lt;app&gt; <!here> <@U9>",
                names
            ),
            "@alice and @sre-leads in #deploys: acme/gitops#1 (https://x.test/pr/1) <app> @here @U9"
        );
        assert_eq!(
            readable(
                "since <!date^1795870654^{date_short_pretty} {time}|2026-11-28 09:37 UTC>",
                names
            ),
            "since 2026-11-28 09:37 UTC"
        );
    }
}
