//! Path and name globs: `*` matches within one path segment, `**` across segments.

/// Whether `text` matches `pattern` (`*` stops at `/`, `**` does not, `?` is one character).
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches_from(&p, &t)
}

fn matches_from(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            // `**/` also matches zero directories.
            let rest = if p.get(2) == Some(&'/') {
                &p[3..]
            } else {
                &p[2..]
            };
            (0..=t.len()).any(|i| matches_from(rest, &t[i..]))
                || (p.get(2) == Some(&'/') && matches_from(&p[2..], t))
        }
        Some('*') => {
            let rest = &p[1..];
            for i in 0..=t.len() {
                if matches_from(rest, &t[i..]) {
                    return true;
                }
                if i < t.len() && t[i] == '/' {
                    break;
                }
            }
            false
        }
        Some('?') => !t.is_empty() && t[0] != '/' && matches_from(&p[1..], &t[1..]),
        Some(c) => t.first() == Some(c) && matches_from(&p[1..], &t[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn segments_and_double_stars() {
        assert!(matches(
            "envs/prod/network/*.tf",
            "envs/prod/network/main.tf"
        ));
        assert!(!matches(
            "envs/prod/network/*.tf",
            "envs/prod/network/sub/main.tf"
        ));
        assert!(matches("modules/vpc/**", "modules/vpc/a/b/c.tf"));
        assert!(matches("**/*.tf", "main.tf"));
        assert!(matches("**/*.tf", "a/b/main.tf"));
        assert!(!matches("**/*.tf", "a/b/main.tfvars.json"));
        assert!(matches("aws_iam_*", "aws_iam_role"));
        assert!(!matches("aws_iam_*", "aws_s3_bucket"));
        assert!(matches("v?.tf", "v1.tf"));
    }
}
