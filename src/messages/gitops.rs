//! What banto writes on the GitOps repository's pull requests, in the repository's language
//! (`[github] languages`). Commit messages stay in one fixed form: their trailers are read by
//! tools.

use crate::ids::DeployId;

super::bilingual! {
    use { GitopsText as Text };
    GitopsText => "en/gitops.md", "ja/gitops.md";
}

pub enum GitopsText {
    PrTitle {
        app: String,
        from: String,
        tag: String,
        env: String,
    },
    PrBody {
        id: DeployId,
        by: String,
        diff: String,
    },
    SupersededTitle {
        app: String,
        newest: DeployId,
    },
    SupersededBody {
        newest: DeployId,
    },
    NotMergedTitle {
        app: String,
        id: DeployId,
    },
    Rejected {
        by: String,
        reason: String,
    },
    Moved {
        env: String,
        current: String,
    },
    /// The merge was refused (by GitHub, or because the file is gone).
    Refused {
        message: String,
    },
    /// Approved, but an incident froze the environment after it was asked for.
    Frozen {
        env: String,
        incidents: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::both;

    #[test]
    fn every_pull_request_text_in_both_languages() {
        let all = [
            GitopsText::PrTitle {
                app: "web".into(),
                from: "0.1".into(),
                tag: "0.3".into(),
                env: "production".into(),
            },
            GitopsText::PrBody {
                id: DeployId(4),
                by: "@bob-gh".into(),
                diff: "-  tag: 0.1\n+  tag: \"0.3\"\n".into(),
            },
            GitopsText::SupersededTitle {
                app: "web".into(),
                newest: DeployId(5),
            },
            GitopsText::SupersededBody {
                newest: DeployId(5),
            },
            GitopsText::NotMergedTitle {
                app: "web".into(),
                id: DeployId(4),
            },
            GitopsText::Rejected {
                by: "@alice".into(),
                reason: "wrong tag <b>".into(),
            },
            GitopsText::Moved {
                env: "production".into(),
                current: "0.2".into(),
            },
            GitopsText::Refused {
                message: "Head branch was modified".into(),
            },
            GitopsText::Frozen {
                env: "production".into(),
                incidents: "INC-3".into(),
            },
        ];
        let text: Vec<String> = all.iter().map(|m| both(m)).collect();
        insta::assert_snapshot!(text.join("\n\n"));
    }
}
