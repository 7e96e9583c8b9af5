//! What a person is told when banto cannot do what they asked, and what the ops channel is told
//! when something nobody asked for fails for good.

super::bilingual! {
    use { FailureNotice as Notice };
    FailureNotice => "en/failure.mrkdwn", "ja/failure.mrkdwn";
}

/// The error as people read it: its first line, at most this long.
const ERROR_CHARS: usize = 300;

pub enum FailureNotice {
    /// The first failure of something a person asked for; it will be retried.
    Retrying { what: String, error: String },
    /// It failed every retry and is parked.
    Parked {
        what: String,
        error: String,
        row: i64,
    },
    /// A webhook or timer failed every retry and is parked (for the ops channel).
    ParkedUnasked {
        what: String,
        error: String,
        row: i64,
    },
}

/// The first line of `error`, shortened.
pub fn short_error(error: &str) -> String {
    let line = error.lines().next().unwrap_or("").trim();
    if line.chars().count() > ERROR_CHARS {
        let cut: String = line.chars().take(ERROR_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::both;

    #[test]
    fn every_notice_in_both_languages() {
        let error = short_error("GitHub answered 502: Bad Gateway\ncaused by: upstream");
        assert_eq!(error, "GitHub answered 502: Bad Gateway");
        let notices = [
            FailureNotice::Retrying {
                what: "/tf plan network".into(),
                error: error.clone(),
            },
            FailureNotice::Parked {
                what: "/tf plan network".into(),
                error: error.clone(),
                row: 42,
            },
            FailureNotice::ParkedUnasked {
                what: "GitHub pull_request.opened acme/infra".into(),
                error: "<!channel> & co".into(),
                row: 43,
            },
        ];
        let all: Vec<String> = notices.iter().map(|n| both(n)).collect();
        assert!(all[2].contains("&lt;!channel&gt;"), "escaped: {}", all[2]);
        insta::assert_snapshot!(all.join("\n\n"));
    }
}
