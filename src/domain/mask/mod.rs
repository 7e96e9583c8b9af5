//! What must never reach Slack, GitHub or the logs: values Terraform marks sensitive (and their
//! unmarked repeats), values under keys that look secret, and credentials inside any text.

pub mod credentials;

use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

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

/// A copy of `value` with what Terraform marks sensitive and what sits under a secret-looking key
/// replaced by `(sensitive)`. Strings are left for [`Masker::scrub_value`].
pub fn by_marks(value: &Value, sensitive: Option<&Value>) -> Value {
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
                        by_marks(v, child(sensitive, k))
                    };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| by_marks(v, item(sensitive, i)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Masks text: credentials anywhere inside it, and any of the `known` secrets (strings Terraform
/// marks sensitive somewhere in the same plan) wherever they repeat.
#[derive(Default)]
pub struct Masker {
    known: Known,
}

/// Shorter strings are too common to mask wherever they appear.
pub const MIN_KNOWN_CHARS: usize = 4;

/// Exact strings to find inside text. A plan can mark tens of thousands of them, so instead of an
/// automaton (whose construction is superlinear at that size) each position is checked against
/// the set of 4-byte prefixes, then against the strings of each length, longest first.
#[derive(Default)]
struct Known {
    prefixes: HashSet<[u8; 4]>,
    by_len: Vec<(usize, HashSet<Box<[u8]>>)>,
}

impl Known {
    fn new(strings: Vec<String>) -> Self {
        let mut prefixes = HashSet::new();
        let mut by_len: BTreeMap<usize, HashSet<Box<[u8]>>> = BTreeMap::new();
        for s in strings {
            let b = s.into_bytes();
            if let Some(p) = b.first_chunk::<4>() {
                prefixes.insert(*p);
                by_len
                    .entry(b.len())
                    .or_default()
                    .insert(b.into_boxed_slice());
            }
        }
        Self {
            prefixes,
            by_len: by_len.into_iter().rev().collect(),
        }
    }

    fn find(&self, s: &str) -> Vec<Range<usize>> {
        let b = s.as_bytes();
        let mut found = Vec::new();
        if self.prefixes.is_empty() {
            return found;
        }
        let mut i = 0;
        while i + 4 <= b.len() {
            let at = &b[i..];
            if s.is_char_boundary(i) && self.prefixes.contains(&at[..4]) {
                let hit = self
                    .by_len
                    .iter()
                    .find(|(len, set)| at.len() >= *len && set.contains(&at[..*len]));
                if let Some((len, _)) = hit {
                    found.push(i..i + len);
                    i += len;
                    continue;
                }
            }
            i += 1;
        }
        found
    }
}

impl Masker {
    pub fn new(known: impl IntoIterator<Item = String>) -> Self {
        let known: Vec<String> = known
            .into_iter()
            .filter(|s| s.chars().count() >= MIN_KNOWN_CHARS && s != SENSITIVE)
            .collect();
        Self {
            known: Known::new(known),
        }
    }

    /// `s` with each secret inside it replaced by `(sensitive)`.
    pub fn scrub<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let mut ranges = credentials::SCANNER.find(s);
        ranges.extend(self.known.find(s));
        ranges.sort_by_key(|r| r.start);
        replace(s, &ranges)
    }

    /// Every string (and object key) in `value` scrubbed.
    pub fn scrub_value(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                if let Cow::Owned(o) = self.scrub(s) {
                    *s = o;
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|v| self.scrub_value(v)),
            Value::Object(m) => {
                let entries = std::mem::take(m);
                for (k, mut v) in entries {
                    self.scrub_value(&mut v);
                    m.insert(self.scrub(&k).into_owned(), v);
                }
            }
            _ => {}
        }
    }
}

/// Text from outside banto (build logs, error messages, commit titles) with credentials masked.
pub fn text(s: &str) -> Cow<'_, str> {
    replace(s, &credentials::SCANNER.find(s))
}

/// `s` with the (sorted) byte ranges replaced by `(sensitive)`; overlapping ranges merge.
fn replace<'a>(s: &'a str, ranges: &[Range<usize>]) -> Cow<'a, str> {
    if ranges.is_empty() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for r in ranges {
        if r.end <= at {
            continue;
        }
        out.push_str(&s[at..r.start.max(at)]);
        if !out.ends_with(SENSITIVE) {
            out.push_str(SENSITIVE);
        }
        at = r.end;
    }
    out.push_str(&s[at..]);
    Cow::Owned(out)
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
    fn marks_and_secret_keys_mask_whole_values() {
        let v = json!({
            "name": "db", "db_password": "hunter2", "tags": { "Owner": "sre", "api-token": "abc" },
            "list": ["a", "b"], "plain_key_name": "my-key",
        });
        let marks = json!({ "list": [false, true] });
        let m = by_marks(&v, Some(&marks));
        assert_eq!(m["name"], "db");
        assert_eq!(m["db_password"], SENSITIVE);
        assert_eq!(m["tags"]["Owner"], "sre");
        assert_eq!(m["tags"]["api-token"], SENSITIVE);
        assert_eq!(m["list"], json!(["a", SENSITIVE]));
        assert_eq!(m["plain_key_name"], "my-key");
        assert_eq!(
            by_marks(&json!("anything"), Some(&json!(true))),
            json!(SENSITIVE)
        );
    }

    #[test]
    fn known_secrets_are_masked_where_they_repeat() {
        let m = Masker::new(["correct-horse".to_owned(), "abc".to_owned()]);
        assert_eq!(m.scrub("correct-horse"), SENSITIVE);
        assert_eq!(
            m.scrub("postgres://app@db/x?pw=correct-horse&x=1"),
            "postgres://app@db/x?pw=(sensitive)&x=1"
        );
        assert_eq!(
            m.scrub("abc stays: shorter than four"),
            "abc stays: shorter than four"
        );
        let mut v =
            json!({"output": "correct-horse", "list": ["x correct-horse y"], "correct-horse": 1});
        m.scrub_value(&mut v);
        assert_eq!(
            v,
            json!({"output": SENSITIVE, "list": ["x (sensitive) y"], "(sensitive)": 1})
        );
    }

    #[test]
    fn credentials_inside_text_are_masked_and_the_rest_is_kept() {
        let cases = [
            (
                "export AWS_ACCESS_KEY_ID=AKIAZ7VRSQ4TFE2MKD3P && make",
                "export AWS_ACCESS_KEY_ID=(sensitive) && make",
            ),
            (
                "DATABASE_URL=postgres://admin:password@db/app",
                "DATABASE_URL=postgres://admin:(sensitive)@db/app",
            ),
            (
                "curl -H 'token=xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx'",
                "curl -H 'token=(sensitive)'",
            ),
            ("db password: hunter2", "db password: (sensitive)"),
            ("secret=abcd1234 rest", "secret=(sensitive) rest"),
            ("instance_type = t3.large", "instance_type = t3.large"),
            (
                "password = ${var.db_password}",
                "password = ${var.db_password}",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(text(input), want, "{input}");
        }
        let bearer = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(text(bearer), "Authorization: Bearer (sensitive)");
        let pem = "user_data: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQABAoIBAQ==\n  -----END RSA PRIVATE KEY-----\nruncmd: [x]";
        let masked = text(pem);
        assert!(
            !masked.contains("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRg"),
            "{masked}"
        );
        assert!(
            masked.starts_with("user_data: |") && masked.ends_with("runcmd: [x]"),
            "{masked}"
        );
    }

    #[test]
    fn short_values_are_truncated() {
        assert_eq!(short(&json!("t3.small"), 20), "\"t3.small\"");
        assert_eq!(short(&json!({"a": "bbbbbbbbbbbbbbb"}), 10), "{\"a\":\"bbb…");
    }
}
