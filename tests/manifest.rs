//! slack-app-manifest.yml grants what the code uses and points at routes that exist.

use banto::commands::SLASH_COMMANDS;
use banto::server::ROUTES;

fn manifest() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/slack-app-manifest.yml"
    ))
    .unwrap()
}

/// Values of `key:` lines and of list items under `section:`, with their indentation ignored.
fn values_of(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .strip_prefix(&format!("{key}:"))
        })
        .map(|v| v.trim().trim_matches('"').to_owned())
        .collect()
}

fn list_under(text: &str, section: &str) -> Vec<String> {
    let mut out = vec![];
    let mut indent = None;
    for line in text.lines() {
        let depth = line.len() - line.trim_start().len();
        if line.trim() == format!("{section}:") {
            indent = Some(depth);
            continue;
        }
        if let Some(d) = indent {
            match line.trim().strip_prefix("- ") {
                Some(item) if depth >= d => out.push(item.to_owned()),
                _ if depth <= d && !line.trim().is_empty() => indent = None,
                _ => {}
            }
        }
    }
    out
}

#[test]
fn every_command_is_registered_and_nothing_else() {
    let m = manifest();
    let mut registered = values_of(&m, "command");
    registered.sort();
    let mut code: Vec<String> = SLASH_COMMANDS.iter().map(|c| c.to_string()).collect();
    code.sort();
    assert_eq!(registered, code);
}

#[test]
fn every_url_points_at_a_route_banto_serves() {
    let m = manifest();
    let urls: Vec<String> = values_of(&m, "url")
        .into_iter()
        .chain(values_of(&m, "request_url"))
        .collect();
    assert_eq!(
        urls.len(),
        banto::commands::SLASH_COMMANDS.len() + 2,
        "one per command, events, interactions: {urls:?}"
    );
    for url in urls {
        let path = url
            .strip_prefix("https://banto.example.com")
            .unwrap_or_else(|| panic!("{url} is not on the public URL"));
        assert!(ROUTES.contains(&path), "{path} is not a route");
    }
    for path in ["/slack/commands", "/slack/events", "/slack/interactions"] {
        assert!(
            m.contains(&format!("https://banto.example.com{path}")),
            "{path} is missing"
        );
    }
}

#[test]
fn events_and_scopes_cover_what_banto_handles_and_calls() {
    let m = manifest();
    let events = list_under(&m, "bot_events");
    for e in [
        "app_mention",
        "message.channels",
        "message.groups",
        "pin_added",
        "reaction_added",
    ] {
        assert!(
            events.contains(&e.to_owned()),
            "event {e} is not subscribed: {events:?}"
        );
    }
    let scopes = list_under(&m, "bot");
    // Each Web API method the Slack client calls, with the scope it needs.
    for (method, scope) in [
        ("chat.postMessage", "chat:write"),
        ("chat.postMessage to public channels", "chat:write.public"),
        ("users.info", "users:read"),
        ("slash commands", "commands"),
        ("conversations.create", "channels:manage"),
        ("conversations.invite (private)", "groups:write"),
        ("reactions.add", "reactions:write"),
        ("pins.add", "pins:write"),
        ("usergroups.users.list", "usergroups:read"),
        ("views.open (reject reason)", "commands"),
        (
            "files.getUploadURLExternal (postmortem drafts)",
            "files:write",
        ),
        (
            "files.info (a completion whose answer was lost)",
            "files:read",
        ),
        (
            "conversations.replies (captured messages)",
            "channels:history",
        ),
        (
            "conversations.replies in private incidents",
            "groups:history",
        ),
        ("pin_added events", "pins:read"),
    ] {
        assert!(
            scopes.contains(&scope.to_owned()),
            "{method} needs {scope}: {scopes:?}"
        );
    }
    for callback in [
        banto::event::DECLARE_FROM_MESSAGE,
        banto::event::TRANSLATE_MESSAGE,
    ] {
        assert!(
            m.contains(&format!("callback_id: {callback}")),
            "the message shortcut {callback} is registered with the callback id banto handles"
        );
    }
    let mut sorted = scopes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(scopes, sorted, "scopes are sorted and unique");
}
