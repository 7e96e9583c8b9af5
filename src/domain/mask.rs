//! What must never reach Slack, GitHub or the logs from a Terraform plan: values Terraform marks
//! sensitive, values under keys that look secret, and values that look like credentials.

use serde_json::Value;

pub const SENSITIVE: &str = "(sensitive)";
pub const UNKNOWN: &str = "(known after apply)";

const SECRET_KEY_PARTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "private_key",
    "privatekey",
    "api_key",
    "apikey",
    "access_key",
    "credential",
    "connection_string",
    "auth_key",
    "passphrase",
    "session_key",
];

/// A key whose value is a secret whatever Terraform says (`db_password`, `github_token`, …).
pub fn key_looks_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('-', "_");
    SECRET_KEY_PARTS.iter().any(|p| k.contains(p))
}

/// A string that looks like a credential (Slack/GitHub/AWS/GitLab/Stripe tokens, PEM keys, JWTs).
pub fn value_looks_secret(s: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "xoxb-",
        "xoxp-",
        "xoxa-",
        "xoxr-",
        "xoxs-",
        "xapp-",
        "ghp_",
        "gho_",
        "ghs_",
        "ghu_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "sk_live_",
        "rk_live_",
        "-----BEGIN",
    ];
    let t = s.trim();
    if PREFIXES.iter().any(|p| t.starts_with(p)) || t.contains("PRIVATE KEY-----") {
        return true;
    }
    let aws_key = (t.starts_with("AKIA") || t.starts_with("ASIA"))
        && t.len() == 20
        && t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let jwt = t.starts_with("eyJ") && t.split('.').count() == 3 && !t.contains(' ');
    aws_key || jwt
}

/// Whether the sensitivity mark (a bool or an object/array of marks shaped like the value) says
/// the whole value is sensitive.
fn marked(mark: Option<&Value>) -> bool {
    matches!(mark, Some(Value::Bool(true)))
}

fn child<'a>(mark: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    match mark {
        Some(Value::Object(m)) => m.get(key),
        _ => None,
    }
}

fn item(mark: Option<&Value>, i: usize) -> Option<&Value> {
    match mark {
        Some(Value::Array(a)) => a.get(i),
        _ => None,
    }
}

/// A copy of `value` safe to show: sensitive marks, secret-looking keys and credential-looking
/// strings are replaced by `(sensitive)`.
pub fn masked(value: &Value, sensitive: Option<&Value>) -> Value {
    if marked(sensitive) {
        return Value::String(SENSITIVE.into());
    }
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let shown = if key_looks_secret(k) && !v.is_null() {
                        Value::String(SENSITIVE.into())
                    } else {
                        masked(v, child(sensitive, k))
                    };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| masked(v, item(sensitive, i)))
                .collect(),
        ),
        Value::String(s) if value_looks_secret(s) => Value::String(SENSITIVE.into()),
        other => other.clone(),
    }
}

/// A short one-line rendering of a masked value.
pub fn short(value: &Value, max_chars: usize) -> String {
    let s = match value {
        Value::String(s) if s == SENSITIVE || s == UNKNOWN => s.clone(),
        Value::String(s) => format!("{s:?}"),
        Value::Null => "null".into(),
        other => other.to_string(),
    };
    if s.chars().count() > max_chars {
        let cut: String = s.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn marks_keys_and_prefixes_all_mask() {
        let v = json!({
            "name": "db", "db_password": "hunter2", "tags": { "Owner": "sre", "api-token": "abc" },
            "list": ["a", "b"], "note": "xoxb-1234-5678-abcdef", "key": "AKIAABCDEFGHIJKLMNOP",
            "plain_key_name": "my-key",
        });
        let marks = json!({ "list": [false, true] });
        let m = masked(&v, Some(&marks));
        assert_eq!(m["name"], "db");
        assert_eq!(m["db_password"], SENSITIVE);
        assert_eq!(m["tags"]["Owner"], "sre");
        assert_eq!(m["tags"]["api-token"], SENSITIVE);
        assert_eq!(m["list"], json!(["a", SENSITIVE]));
        assert_eq!(m["note"], SENSITIVE);
        assert_eq!(m["key"], SENSITIVE);
        assert_eq!(m["plain_key_name"], "my-key");
        assert_eq!(
            masked(&json!("anything"), Some(&json!(true))),
            json!(SENSITIVE)
        );
    }

    #[test]
    fn short_values_are_truncated() {
        assert_eq!(short(&json!("t3.small"), 20), "\"t3.small\"");
        assert_eq!(short(&json!({"a": "bbbbbbbbbbbbbbb"}), 10), "{\"a\":\"bbb…");
    }
}
