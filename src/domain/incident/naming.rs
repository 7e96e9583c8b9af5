//! Incident channel names within Slack's rules.

/// The incident channel's name: `<prefix>-YYYYMMDD-<slug of the title>` within Slack's rules
/// (lowercase letters, digits, `-` and `_`, at most 80 characters). A title with nothing Slack
/// allows (Japanese only) gets the incident's number instead; `attempt` > 1 adds a suffix after
/// `name_taken`.
pub fn channel_name(prefix: &str, date: &str, title: &str, number: i64, attempt: u32) -> String {
    let slug = slug(title, number);
    let suffix = if attempt > 1 {
        format!("-{attempt}")
    } else {
        String::new()
    };
    let head = format!("{prefix}-{date}-");
    let room = 80usize.saturating_sub(head.len() + suffix.len());
    let slug: String = slug.chars().take(room).collect();
    format!("{head}{}{suffix}", slug.trim_end_matches('-'))
}

/// A title as lowercase ASCII words joined by `-` (`DB latency: p99!` → `db-latency-p99`);
/// `number` when nothing is left (a Japanese-only title).
pub fn slug(title: &str, number: i64) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    match slug.trim_end_matches('-') {
        "" => number.to_string(),
        s => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_follow_slacks_rules() {
        assert_eq!(
            channel_name("inc", "20261128", "DB latency: p99 > 2s!", 7, 1),
            "inc-20261128-db-latency-p99-2s"
        );
        assert_eq!(
            channel_name("inc", "20261128", "データベース遅延", 7, 1),
            "inc-20261128-7",
            "a Japanese-only title gets the incident's number"
        );
        assert_eq!(
            channel_name("inc", "20261128", "API 障害 in ap-northeast-1", 7, 2),
            "inc-20261128-api-in-ap-northeast-1-2"
        );
        let long = channel_name("inc", "20261128", &"very long title ".repeat(20), 7, 3);
        assert!(
            long.len() <= 80 && long.ends_with("-3") && !long.contains("--"),
            "{long}"
        );
    }
}
