//! Slack modals in the terminal: a form banto opened is printed with what it is prefilled
//! with, and `:submit [block=value …]` sends it as filled (the overrides replacing fields).

use serde_json::{Value, json};

fn input_blocks(view: &Value) -> impl Iterator<Item = &Value> {
    view["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "input")
}

fn option_text(o: &Value) -> String {
    o["text"]["text"].as_str().unwrap_or_default().to_owned()
}

/// A form as a person reads it: its title, each field with its prefilled value and choices.
pub fn describe(view: &Value) -> String {
    let mut out = format!(
        "banto opened a form: {}\n",
        view["title"]["text"].as_str().unwrap_or_default()
    );
    for b in input_blocks(view) {
        let e = &b["element"];
        let shown = match e["type"].as_str().unwrap_or_default() {
            "plain_text_input" => e["initial_value"].as_str().unwrap_or_default().to_owned(),
            "static_select" => {
                let choices: Vec<String> = e["options"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| {
                        format!(
                            "{}={}",
                            o["value"].as_str().unwrap_or_default(),
                            option_text(o)
                        )
                    })
                    .collect();
                format!(
                    "{} (choices: {})",
                    option_text(&e["initial_option"]),
                    choices.join(", ")
                )
            }
            "multi_static_select" => e["initial_options"]
                .as_array()
                .into_iter()
                .flatten()
                .map(option_text)
                .collect::<Vec<_>>()
                .join(", "),
            "users_select" => e["initial_user"].as_str().unwrap_or("(nobody)").to_owned(),
            "datetimepicker" => e["initial_date_time"]
                .as_i64()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
            other => format!("({other})"),
        };
        out.push_str(&format!(
            "  {:<10} {}: {}\n",
            b["block_id"].as_str().unwrap_or_default(),
            b["label"]["text"].as_str().unwrap_or_default(),
            shown
        ));
    }
    out.push_str("  :submit sends it as filled; :submit <field>=<value> … changes fields first\n");
    out
}

/// The values a submission carries (`block → action → value`, as `World::submit_view` takes
/// them): each field's prefilled value, or `overrides` (`block=value`).
pub fn values(view: &Value, overrides: &[(String, String)]) -> Value {
    let mut out = serde_json::Map::new();
    for b in input_blocks(view) {
        let e = &b["element"];
        let block = b["block_id"].as_str().unwrap_or_default();
        let given = overrides
            .iter()
            .find(|(k, _)| k == block)
            .map(|(_, v)| v.as_str());
        let value = match (e["type"].as_str().unwrap_or_default(), given) {
            ("static_select", Some(v)) => json!({ "value": v }),
            ("static_select", None) => match e["initial_option"]["value"].as_str() {
                Some(v) => json!({ "value": v }),
                None => continue,
            },
            ("multi_static_select" | "checkboxes", Some(v)) => {
                json!(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                )
            }
            ("multi_static_select" | "checkboxes", None) => json!(
                e["initial_options"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|o| o["value"].as_str())
                    .collect::<Vec<_>>()
            ),
            ("datetimepicker", _) => e["initial_date_time"].clone(),
            ("users_select", Some(v)) => json!({ "user": (v != "none").then_some(v) }),
            ("users_select", None) => json!({ "user": e["initial_user"] }),
            (_, Some(v)) => json!(v),
            (_, None) => e["initial_value"].clone(),
        };
        if value.is_null() {
            continue;
        }
        let action = e["action_id"].as_str().unwrap_or_default();
        out.insert(block.to_owned(), json!({ action: value }));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefilled_form_is_submitted_as_filled_with_overrides() {
        let view = json!({ "title": { "text": "Attach alert" }, "blocks": [
            { "type": "section", "text": { "text": "x" } },
            { "type": "input", "block_id": "title", "label": { "text": "Title" },
              "element": { "type": "plain_text_input", "action_id": "title", "initial_value": "DB down" } },
            { "type": "input", "block_id": "sev", "label": { "text": "Severity" },
              "element": { "type": "static_select", "action_id": "sev",
                "options": [{ "text": { "text": "SEV1" }, "value": "1" }],
                "initial_option": { "text": { "text": "SEV1" }, "value": "1" } } },
            { "type": "input", "block_id": "impact", "label": { "text": "Impact" },
              "element": { "type": "datetimepicker", "action_id": "impact", "initial_date_time": 1_795_000_000 } },
        ]});
        assert!(describe(&view).contains("Severity: SEV1 (choices: 1=SEV1)"));
        let v = values(&view, &[("title".into(), "Primary DB down".into())]);
        assert_eq!(
            v,
            json!({ "title": { "title": "Primary DB down" }, "sev": { "sev": { "value": "1" } },
                    "impact": { "impact": 1_795_000_000 } })
        );
    }
}
