//! Text from Slack, webhooks or config that becomes part of a GitHub URL: refs by git's own
//! grammar (`git check-ref-format`, or a commit SHA), repository file paths without dot segments,
//! and every segment percent-encoded, so nobody can steer a request to another route.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters is encoded: `/`, `?`, `#`, `%`, spaces too.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One path segment or query value, percent-encoded.
pub fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// A path of several segments (a ref like `feature/x`, a file path), each segment encoded and
/// the `/` between them kept. Callers check the grammar first: `.` and `..` are not encoded.
pub fn segments(s: &str) -> String {
    s.split('/').map(segment).collect::<Vec<_>>().join("/")
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    #[error("`{0}` is not a branch, tag or commit name git allows")]
    Ref(String),
    #[error("`{0}` is not a file path inside a repository")]
    File(String),
}

/// A branch, tag or commit as git allows it: no `..`, `@{`, control characters, spaces or any of
/// `~^:?*[\`; no segment starting with `.` or ending with `.lock`; not starting with `-` or `/`.
pub fn check_ref(r: &str) -> Result<&str, PathError> {
    let bad = || PathError::Ref(r.to_owned());
    let forbidden = |c: char| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c);
    if r.is_empty()
        || r == "@"
        || r.len() > 255
        || r.starts_with(['-', '/'])
        || r.ends_with(['/', '.'])
        || r.contains("..")
        || r.contains("@{")
        || r.contains("//")
        || r.chars().any(forbidden)
        || r.split('/')
            .any(|s| s.starts_with('.') || s.ends_with(".lock"))
    {
        return Err(bad());
    }
    Ok(r)
}

/// A file path relative to a repository's root: no empty, `.` or `..` segments, no leading `/`,
/// no backslashes or control characters.
pub fn check_file(p: &str) -> Result<&str, PathError> {
    let ok = !p.is_empty()
        && p.len() <= 4096
        && !p.chars().any(|c| c.is_control() || c == '\\')
        && p.split('/').all(|s| !matches!(s, "" | "." | ".."));
    if ok {
        Ok(p)
    } else {
        Err(PathError::File(p.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_change_the_route() {
        assert_eq!(segment("a/b?c#d%2Fe f"), "a%2Fb%3Fc%23d%252Fe%20f");
        assert_eq!(segments("feature/x#1"), "feature/x%231");
        assert_eq!(segment("v1.2.3_rc-1~x"), "v1.2.3_rc-1~x");
        assert_eq!(segment("日本"), "%E6%97%A5%E6%9C%AC");
    }

    #[test]
    fn refs_follow_git() {
        for ok in [
            "main",
            "feature/x",
            "v1.2.3",
            "release-2026.11",
            "a1b2c3d",
            "HEAD",
            "x#1",
        ] {
            assert_eq!(check_ref(ok), Ok(ok));
        }
        for bad in [
            "",
            "../main",
            "a/../b",
            "main?x=1",
            "a b",
            "-x",
            "/main",
            "main/",
            "a..b",
            "x.lock",
            "a/.hidden",
            "a@{1}",
            "a~1",
            "a^",
            "a:b",
            "a*",
            "a[b",
            "a\\b",
            "tab\there",
            "@",
        ] {
            assert!(check_ref(bad).is_err(), "{bad:?} is refused");
        }
    }

    #[test]
    fn file_paths_stay_inside_the_repository() {
        for ok in [
            "values.yaml",
            "apps/web/production/kustomization.yaml",
            "a b/c#d.yaml",
        ] {
            assert_eq!(check_file(ok), Ok(ok));
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../b",
            "a//b",
            "./a",
            "a/",
            "a\\b",
        ] {
            assert!(check_file(bad).is_err(), "{bad:?} is refused");
        }
    }
}
