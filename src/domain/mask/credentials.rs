//! Credentials anywhere inside a text. gitleaks' default rules (`gitleaks.toml`, MIT, see
//! `GITLEAKS-LICENSE`) applied as gitleaks applies them: keywords first, then the rule's regex,
//! its secret group, its entropy floor and its allowlists. banto adds what gitleaks has no rule
//! for: passwords in URL userinfo, `Authorization:` headers, `password=`-style assignments of any
//! length, and the prefixes of tokens too short for gitleaks' exact formats. A rule's `path`
//! (files it is meant for) is ignored: here every rule applies to every text.

use aho_corasick::AhoCorasick;
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

const GITLEAKS: &str = include_str!("gitleaks.toml");

/// banto's own rules: (id, regex with the secret in group 1, keywords).
const BANTO_RULES: &[(&str, &str, &[&str])] = &[
    (
        "banto-url-userinfo-password",
        r"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@]*:([^\s/?#@]+)@",
        &["://"],
    ),
    (
        "banto-authorization-header",
        r#"(?i)authorization["']?\s*[:=]\s*["']?(?:(?:basic|bearer|token|digest|negotiate)\s+)?([^\s"',;]{6,})"#,
        &["authorization"],
    ),
    (
        "banto-bearer",
        r"(?i)\b(?:bearer|basic)\s+([A-Za-z0-9._~+/-]{16,}=*)",
        &["bearer", "basic"],
    ),
    (
        "banto-secret-assignment",
        r#"(?i)(?:^|[^A-Za-z0-9])(?:[A-Za-z0-9_.-]*[_.-])?(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?)["']?\s*(?:=|:=|=>|:)\s*["']?([^\s"',;&]{4,})"#,
        &[
            "password",
            "passwd",
            "pwd",
            "passphrase",
            "secret",
            "token",
            "key",
            "credential",
        ],
    ),
    (
        "banto-token-prefix",
        r"\b((?:xox[abposr]|xapp|gh[pousr]|github_pat|glpat|sk_live|rk_live|npm|pypi-)[_-][A-Za-z0-9_-]{6,})",
        &[
            "xox",
            "xapp",
            "ghp_",
            "gho_",
            "ghu_",
            "ghs_",
            "ghr_",
            "github_pat",
            "glpat",
            "_live_",
            "npm_",
            "pypi-",
        ],
    ),
];

/// An AWS secret access key has no format of its own (40 characters of base64): it is found by
/// what stands before it, its key id or its name, in any format (`export`, credentials file,
/// JSON from the CLI, a table, a sentence in Japanese). Entropy keeps commit SHAs out.
const AWS_SECRET_RULES: &[(&str, &str, &[&str])] = &[
    (
        "banto-aws-secret-after-key-id",
        r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}[^\n]{0,80}?[^A-Za-z0-9/+]([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)",
        &["akia", "asia", "abia", "acca", "a3t"],
    ),
    (
        "banto-aws-secret-after-its-name",
        r"(?i)(?:secret[_ .-]?access[_ .-]?key|シークレット(?:アクセス)?キー)[^A-Za-z0-9/+\n]{0,12}([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)",
        &["secret", "シークレット"],
    ),
];

/// Values an assignment rule finds that are not secrets: placeholders and banto's own masks.
const PLACEHOLDER: &str = r"^(?:\(sensitive\)|\(known after apply\)|\*+|<[^>]*>|\$\{?[A-Za-z_][A-Za-z0-9_.]*\}?|\{\{.*\}\}|%[A-Za-z_]+%|null|none|true|false|redacted|xxxx+)$";

#[derive(Deserialize)]
struct RawConfig {
    allowlist: RawAllow,
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    id: String,
    regex: Option<String>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    allowlists: Vec<RawAllow>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawAllow {
    condition: Option<String>,
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Secret,
    Match,
    Line,
}

struct Allow {
    all: bool,
    target: Target,
    regexes: Vec<Regex>,
    stopwords: Vec<String>,
    /// An allowlist that also needs a file path can never apply here.
    needs_path: bool,
}

struct Rule {
    id: String,
    pattern: String,
    /// Compiled the first time the rule's keywords appear: most texts never need most rules.
    regex: OnceLock<Regex>,
    secret_group: usize,
    entropy: Option<f64>,
    allows: Vec<Allow>,
}

pub struct Scanner {
    rules: Vec<Rule>,
    keywords: AhoCorasick,
    /// For each keyword pattern, the rules it enables.
    rules_of_keyword: Vec<Vec<usize>>,
    /// Rules without keywords run on every text.
    always: Vec<usize>,
    global: Allow,
}

/// Go (RE2) reads a brace that starts no `{n}`, `{n,}` or `{n,m}` as a literal; Rust wants it
/// escaped.
fn go_braces(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let (mut i, mut in_class) = (0, false);
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                }
                i += 2;
                continue;
            }
            _ if in_class => in_class = c != ']',
            '[' => {
                in_class = true;
                out.push(c);
                i += 1;
                for lead in ['^', ']'] {
                    if chars.get(i) == Some(&lead) {
                        out.push(lead);
                        i += 1;
                    }
                }
                continue;
            }
            '{' => {
                let rest: String = chars[i..].iter().take(24).collect();
                let close = rest.find('}').filter(|&end| {
                    let inner = &rest[1..end];
                    let (n, m) = inner.split_once(',').unwrap_or((inner, "0"));
                    !n.is_empty() && [n, m].iter().all(|d| d.bytes().all(|b| b.is_ascii_digit()))
                });
                if let Some(end) = close {
                    out.push_str(&rest[..=end]);
                    i += rest[..=end].chars().count();
                    continue;
                }
                out.push_str("\\{");
                i += 1;
                continue;
            }
            '}' => {
                out.push_str("\\}");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

fn compile(pattern: &str) -> Regex {
    // gitleaks' patterns are Go (RE2) syntax with ASCII classes; the byte regex without Unicode
    // reads them the same way.
    RegexBuilder::new(&go_braces(pattern))
        .unicode(false)
        .size_limit(64 << 20)
        .build()
        .unwrap_or_else(|e| panic!("credential rule {pattern:?} does not compile: {e}"))
}

fn allow(raw: RawAllow) -> Allow {
    Allow {
        all: raw.condition.is_some_and(|c| c.eq_ignore_ascii_case("and")),
        target: match raw.regex_target.as_deref() {
            Some("match") => Target::Match,
            Some("line") => Target::Line,
            _ => Target::Secret,
        },
        regexes: raw.regexes.iter().map(|r| compile(r)).collect(),
        stopwords: raw.stopwords.iter().map(|s| s.to_lowercase()).collect(),
        needs_path: !raw.paths.is_empty(),
    }
}

impl Allow {
    /// Whether this allowlist says the finding is not a secret.
    fn allows(&self, secret: &[u8], matched: &[u8], line: &[u8]) -> bool {
        let target = match self.target {
            Target::Secret => secret,
            Target::Match => matched,
            Target::Line => line,
        };
        let by_regex =
            (!self.regexes.is_empty()).then(|| self.regexes.iter().any(|r| r.is_match(target)));
        let by_word = (!self.stopwords.is_empty()).then(|| {
            let lower = secret.to_ascii_lowercase();
            self.stopwords
                .iter()
                .any(|w| memchr_contains(&lower, w.as_bytes()))
        });
        let path = self.needs_path.then_some(false);
        let checks = [by_regex, by_word, path];
        let mut given = checks.iter().flatten().peekable();
        if given.peek().is_none() {
            return false;
        }
        if self.all {
            given.all(|c| *c)
        } else {
            given.any(|c| *c)
        }
    }
}

fn memchr_contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Shannon entropy in bits per byte, as gitleaks computes it.
fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

impl Rule {
    fn new(
        id: &str,
        pattern: &str,
        secret_group: usize,
        entropy: Option<f64>,
        allows: Vec<Allow>,
    ) -> Self {
        Rule {
            id: id.to_owned(),
            pattern: pattern.to_owned(),
            regex: OnceLock::new(),
            secret_group,
            entropy,
            allows,
        }
    }

    fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| compile(&self.pattern))
    }
}

impl Scanner {
    fn load() -> Self {
        let config: RawConfig = toml::from_str(GITLEAKS).expect("gitleaks.toml parses");
        let placeholder = compile(PLACEHOLDER);
        let mut rules = Vec::new();
        let mut keyword_list: Vec<String> = Vec::new();
        let mut rules_of_keyword: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        let mut add = |rule: Rule, keywords: &[String]| {
            let i = rules.len();
            rules.push(rule);
            if keywords.is_empty() {
                always.push(i);
            }
            for k in keywords {
                let k = k.to_lowercase();
                match keyword_list.iter().position(|x| *x == k) {
                    Some(p) => rules_of_keyword[p].push(i),
                    None => {
                        keyword_list.push(k);
                        rules_of_keyword.push(vec![i]);
                    }
                }
            }
        };
        for raw in config.rules {
            let Some(regex) = raw.regex.as_deref() else {
                continue;
            };
            let rule = Rule::new(
                &raw.id,
                regex,
                raw.secret_group.unwrap_or(0),
                raw.entropy.filter(|e| *e > 0.0),
                raw.allowlists.into_iter().map(allow).collect(),
            );
            add(rule, &raw.keywords);
        }
        for (id, regex, keywords) in BANTO_RULES {
            let placeholder_allowed = Allow {
                all: false,
                target: Target::Secret,
                regexes: vec![placeholder.clone()],
                stopwords: vec![],
                needs_path: false,
            };
            let rule = Rule::new(id, regex, 1, None, vec![placeholder_allowed]);
            let keywords: Vec<String> = keywords.iter().map(|k| (*k).to_owned()).collect();
            add(rule, &keywords);
        }
        for (id, regex, keywords) in AWS_SECRET_RULES {
            let rule = Rule::new(id, regex, 1, Some(4.0), vec![]);
            let keywords: Vec<String> = keywords.iter().map(|k| (*k).to_owned()).collect();
            add(rule, &keywords);
        }
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&keyword_list)
            .expect("keywords build");
        Scanner {
            rules,
            keywords,
            rules_of_keyword,
            always,
            global: allow(config.allowlist),
        }
    }

    /// Byte ranges of the credentials in `text`, sorted, merged, on character boundaries.
    pub fn find(&self, text: &str) -> Vec<Range<usize>> {
        let bytes = text.as_bytes();
        let mut candidates = self.always.clone();
        for m in self.keywords.find_overlapping_iter(bytes) {
            candidates.extend_from_slice(&self.rules_of_keyword[m.pattern().as_usize()]);
        }
        if candidates.is_empty() {
            return vec![];
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut found = Vec::new();
        for &i in &candidates {
            let rule = &self.rules[i];
            for caps in rule.regex().captures_iter(bytes) {
                let whole = caps.get(0).expect("group 0 always matches");
                let secret = if rule.secret_group > 0 {
                    caps.get(rule.secret_group)
                } else {
                    caps.iter().skip(1).flatten().find(|g| !g.is_empty())
                }
                .unwrap_or(whole);
                if secret.is_empty() || !self.is_secret(rule, secret.as_bytes(), whole, bytes) {
                    continue;
                }
                found.push(secret.range());
            }
        }
        merge(found, text)
    }

    fn is_secret(
        &self,
        rule: &Rule,
        secret: &[u8],
        whole: regex::bytes::Match,
        text: &[u8],
    ) -> bool {
        if rule.entropy.is_some_and(|floor| entropy(secret) <= floor) {
            return false;
        }
        if rule.id.starts_with("generic") && !secret.iter().any(u8::is_ascii_digit) {
            return false;
        }
        let line_start = text[..whole.start()]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let line_end = text[whole.end()..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |p| whole.end() + p);
        let line = &text[line_start..line_end];
        !(self.global.allows(secret, whole.as_bytes(), line)
            || rule
                .allows
                .iter()
                .any(|a| a.allows(secret, whole.as_bytes(), line)))
    }

    /// The ids of the rules that find something in `text`.
    #[cfg(test)]
    fn rules_matching(&self, text: &str) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| {
                r.regex().captures_iter(text.as_bytes()).any(|c| {
                    let whole = c.get(0).expect("group 0");
                    let secret = c
                        .iter()
                        .skip(1)
                        .flatten()
                        .find(|g| !g.is_empty())
                        .unwrap_or(whole);
                    self.is_secret(r, secret.as_bytes(), whole, text.as_bytes())
                })
            })
            .map(|r| r.id.as_str())
            .collect()
    }
}

fn merge(mut ranges: Vec<Range<usize>>, text: &str) -> Vec<Range<usize>> {
    for r in &mut ranges {
        while !text.is_char_boundary(r.start) {
            r.start -= 1;
        }
        while !text.is_char_boundary(r.end) {
            r.end += 1;
        }
    }
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

pub static SCANNER: LazyLock<Scanner> = LazyLock::new(Scanner::load);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gitleaks_rule_compiles_and_the_services_an_ops_team_touches_are_found() {
        let s = &*SCANNER;
        assert!(s.rules.len() > 200, "{} rules", s.rules.len());
        for r in &s.rules {
            r.regex();
        }
        let mix = |n: usize| -> String {
            "k3Jq9Zx7Lm2Vb8Nc4Rt6Yw1Hp5Gd0Sf"
                .chars()
                .cycle()
                .take(n)
                .collect()
        };
        let (fine, gcp, npm, azure) = (
            format!("github_pat_{}", mix(82)),
            format!("AIza{}", mix(35)),
            format!("npm_{}", mix(36).to_lowercase()),
            format!("client_secret: abc8Q~{}", mix(33)),
        );
        let samples = [
            ("aws-access-token", "key AKIAZ7VRSQ4TFE2MKD3P here"),
            ("github-pat", "ghp_Jr8mPLqD6B1cSw7fXoYt2KzEaR9uNn0HvMgi"),
            ("github-fine-grained-pat", fine.as_str()),
            ("gitlab-pat", "glpat-Xk9mP2qR7sT4vW8yZ1aB"),
            (
                "slack-bot-token",
                "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
            ),
            ("gcp-api-key", gcp.as_str()),
            ("npm-access-token", npm.as_str()),
            (
                "pypi-upload-token",
                "pypi-AgEIcHlwaS5vcmcCJGE4ZGI5YjYwLWVhZGYtNGQ4Yy04YzRiLWYzNzBhMTkwYTljNgACKlszLCJhMmU3ZmE5Ni01Y2E3LTQ4NDQtYmFjYS0xODYxYzU4M2Q3NDEiXQAABiCa",
            ),
            (
                "jwt",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            ),
            ("azure-ad-client-secret", azure.as_str()),
            (
                "banto-url-userinfo-password",
                "mysql://root:s3cr3t@10.0.0.1:3306/db",
            ),
            ("banto-secret-assignment", "PASSWORD=hunter2"),
        ];
        for (rule, sample) in samples {
            let found = s.rules_matching(sample);
            assert!(
                found.contains(&rule),
                "{rule} in {sample:?}: found {found:?}"
            );
            assert!(!s.find(sample).is_empty(), "{sample}");
        }
    }

    #[test]
    fn an_aws_secret_beside_its_key_id_or_its_name_is_found_in_every_format() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Lw2Hn4T";
        for text in [
            format!("AKIAZ7VRSQ4TFE2MKD3P {secret}"),
            format!("AKIAZ7VRSQ4TFE2MKD3P:{secret}"),
            format!("keys: AKIAZ7VRSQ4TFE2MKD3P / secret {secret}."),
            format!(r#"["ASIAZ7VRSQ4TFE2MKD3P", "{secret}"]"#),
            format!("| AKIAZ7VRSQ4TFE2MKD3P | {secret} |"),
            format!(r#"{{"AccessKeyId": "AKIAZ7VRSQ4TFE2MKD3P", "SecretAccessKey": "{secret}"}}"#),
            format!("SecretAccessKey: {secret}"),
            format!("AWS_SECRET_ACCESS_KEY {secret}"),
            format!("export AWS_SECRET_ACCESS_KEY=\"{secret}\""),
            format!(
                "[default]\naws_access_key_id = AKIAZ7VRSQ4TFE2MKD3P\naws_secret_access_key = {secret}\n"
            ),
            format!("アクセスキー AKIAZ7VRSQ4TFE2MKD3P、シークレットは {secret} です"),
            format!("シークレットアクセスキー：{secret}"),
        ] {
            let masked = crate::domain::mask::text(&text);
            assert!(!masked.contains(secret), "{text:?} → {masked}");
            assert!(!masked.contains("wJalrXUt"), "{masked}");
        }
        // Not a secret: a commit SHA after a key id, a short value after the name.
        let sha = "AKIAZ7VRSQ4TFE2MKD3P at 9fceb02d0ae598e95dc970b74767f19372d61af8";
        assert!(
            crate::domain::mask::text(sha).contains("9fceb02d0ae5"),
            "{sha}"
        );
    }

    #[test]
    fn ordinary_infrastructure_values_are_not_credentials() {
        for plain in [
            "arn:aws:iam::123456789012:role/banto-plan",
            "ami-0c55b159cbfafe1f0",
            "t3.large",
            "sg-0123456789abcdef0",
            "https://github.com/acme/infra/pull/42",
            "10.0.0.0/16",
            "key_name = deployer",
            "secret_name = prod/db",
            "password = (sensitive)",
            "7ffb2bf3-0259-15ec-a4ff-93dd3bfdc3ad",
        ] {
            assert!(
                SCANNER.find(plain).is_empty(),
                "{plain}: {:?}",
                SCANNER.rules_matching(plain)
            );
        }
    }
}
