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

/// A deploy's commit, in its one fixed form: a subject line, then trailers tools read.
pub struct DeployCommit<'a> {
    pub id: DeployId,
    pub app: &'a str,
    pub env: &'a str,
    pub from: Option<&'a str>,
    pub tag: &'a str,
    /// People as GitHub shows them (`@login`).
    pub requested_by: &'a str,
    /// For the merge: its pull request and who approved it (empty: it merged itself).
    pub merge: Option<(u64, &'a [String])>,
    pub break_glass: Option<&'a str>,
}

impl DeployCommit<'_> {
    pub fn message(&self) -> String {
        let from = self.from.unwrap_or("none");
        let mut subject = format!("deploy({}): {} {from} → {}", self.app, self.env, self.tag);
        let mut trailers = vec![
            format!("Banto-Deploy-Id: {}", self.id),
            format!("Banto-Requested-By: {}", self.requested_by),
        ];
        if let Some((pr, approvers)) = self.merge {
            subject.push_str(&format!(" (#{pr})"));
            let approved = if approvers.is_empty() {
                "auto-merge".to_owned()
            } else {
                approvers.join(", ")
            };
            trailers.push(format!("Banto-Approved-By: {approved}"));
        }
        trailers.push(format!("Banto-Previous-Tag: {from}"));
        if let Some(reason) = self.break_glass {
            trailers.push(format!("Banto-Break-Glass: {reason}"));
        }
        format!("{subject}\n\n{}", trailers.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::both;

    #[test]
    fn a_deploy_commit_has_its_subject_and_trailers() {
        let edit = DeployCommit {
            id: DeployId(4),
            app: "web",
            env: "production",
            from: Some("0.1"),
            tag: "0.3",
            requested_by: "@bob-gh",
            merge: None,
            break_glass: None,
        };
        assert_eq!(
            edit.message(),
            "deploy(web): production 0.1 → 0.3\n\nBanto-Deploy-Id: 4\nBanto-Requested-By: @bob-gh\nBanto-Previous-Tag: 0.1"
        );
        let approvers = ["@alice".to_owned(), "@kenji".to_owned()];
        let merge = DeployCommit {
            from: None,
            merge: Some((9, &approvers)),
            break_glass: Some("hotfix for INC-3"),
            ..edit
        };
        assert_eq!(
            merge.message(),
            "deploy(web): production none → 0.3 (#9)\n\nBanto-Deploy-Id: 4\nBanto-Requested-By: @bob-gh\nBanto-Approved-By: @alice, @kenji\nBanto-Previous-Tag: none\nBanto-Break-Glass: hotfix for INC-3"
        );
        let auto = DeployCommit {
            merge: Some((9, &[])),
            break_glass: None,
            ..merge
        };
        assert!(auto.message().contains("Banto-Approved-By: auto-merge"));
    }

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
