//! Pure translation logic: which language a message is in (`detect`), and what a translation
//! must carry through untouched (`protect`).

mod detect;
mod protect;

pub use detect::{detect, words};
pub use protect::{Kept, Lost, Piece, Style, encode, restore, split};

/// English or Japanese: the two languages banto translates between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ja,
            Lang::Ja => Lang::En,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(id: &str) -> Option<String> {
        match id {
            "U0ALICE" => Some("alice".into()),
            "U0KENJI" => Some("kenji".into()),
            _ => None,
        }
    }

    /// Real-looking ops messages: (text, language, what must come back exactly).
    const MESSAGES: &[(&str, Option<Lang>, &[&str])] = &[
        (
            "deploy of web 1.5.0 to production started",
            Some(Lang::En),
            &[],
        ),
        (
            "本番に web 1.5.0 をデプロイ開始しました",
            Some(Lang::Ja),
            &[],
        ),
        ("rollbackしました", Some(Lang::Ja), &[]),
        (
            "<@U0ALICE> can you check the p99?",
            Some(Lang::En),
            &["@alice"],
        ),
        (
            "<@U0KENJI> p99 を確認してもらえますか？",
            Some(Lang::Ja),
            &["@kenji"],
        ),
        ("<!here> checkout is down", Some(Lang::En), &["@here"]),
        (
            "<!channel> 決済が落ちています",
            Some(Lang::Ja),
            &["@channel"],
        ),
        (
            "<!subteam^S0SRE|@sre-leads> need a second approver",
            Some(Lang::En),
            &["@sre-leads"],
        ),
        (
            "see <https://grafana.example.com/d/api?from=now-1h|the API dashboard>",
            Some(Lang::En),
            &["<https://grafana.example.com/d/api?from=now-1h|", ">"],
        ),
        (
            "<https://grafana.example.com/d/db|DBダッシュボード>を見てください",
            Some(Lang::Ja),
            &["<https://grafana.example.com/d/db|"],
        ),
        (
            "error in `payments-api`: timeout after 30s",
            Some(Lang::En),
            &["`payments-api`"],
        ),
        (
            "`kubectl rollout undo deploy/web` を実行します",
            Some(Lang::Ja),
            &["`kubectl rollout undo deploy/web`"],
        ),
        (
            "```\nERROR 502 upstream timed out\n```",
            None,
            &["```\nERROR 502 upstream timed out\n```"],
        ),
        (
            "logs:\n```\nERROR 502 upstream timed out\n```\nlooks like the LB",
            Some(Lang::En),
            &["```\nERROR 502 upstream timed out\n```"],
        ),
        (
            "ログ:\n```\npanic: nil map\n```\nnilマップへの書き込みです",
            Some(Lang::Ja),
            &["```\npanic: nil map\n```"],
        ),
        (":fire: error rate 12%", Some(Lang::En), &[":fire:"]),
        (
            ":white_check_mark: 復旧しました",
            Some(Lang::Ja),
            &[":white_check_mark:"],
        ),
        (":+1:", None, &[":+1:"]),
        (
            "https://status.example.com",
            None,
            &["https://status.example.com"],
        ),
        (
            "status page: https://status.example.com/incidents/42 updated",
            Some(Lang::En),
            &["https://status.example.com/incidents/42"],
        ),
        (
            "*do not deploy* until the freeze ends",
            Some(Lang::En),
            &["*"],
        ),
        ("_maybe_ the cache", Some(Lang::En), &["_"]),
        ("~fixed~ not fixed yet", Some(Lang::En), &["~"]),
        ("*デプロイ禁止* です", Some(Lang::Ja), &["*"]),
        ("snake_case_name stays", Some(Lang::En), &[]),
        ("12:30", None, &[]),
        ("p99: 4.2s → 900ms", Some(Lang::En), &[]),
        (
            "<#C0INFRA|infra> has the plan",
            Some(Lang::En),
            &["<#C0INFRA|"],
        ),
        (
            "<#C0INFRA> にプランがあります",
            Some(Lang::Ja),
            &["<#C0INFRA>"],
        ),
        ("<@U0ZED> unknown user pinged", Some(Lang::En), &["@U0ZED"]),
        (
            "<!here> <@U0ALICE> <@U0KENJI> all hands",
            Some(Lang::En),
            &["@here", "@alice", "@kenji"],
        ),
        (
            "DB の CPU が 95% です <!date^1795000000^{time}|10:00 UTC> から",
            Some(Lang::Ja),
            &["<!date^1795000000^{time}|10:00 UTC>"],
        ),
        (
            "failover done in 40s :tada: thanks <@U0KENJI>",
            Some(Lang::En),
            &[":tada:", "@kenji"],
        ),
        (
            "フェイルオーバー完了 :tada: <@U0ALICE> ありがとう",
            Some(Lang::Ja),
            &[":tada:", "@alice"],
        ),
        ("a < b && c > d in the config", Some(Lang::En), &[]),
        ("設定で a < b & c > d です", Some(Lang::Ja), &[]),
        ("`x|y` pipes in code", Some(Lang::En), &["`x|y`"]),
        ("ok", Some(Lang::En), &[]),
        ("了解", Some(Lang::Ja), &[]),
        ("", None, &[]),
        ("   ", None, &[]),
        ("<@U0ALICE>", None, &["@alice"]),
    ];

    /// A provider that translates (here: upper-cases) only the text between tokens and moves
    /// the first token to the end, as a real one may reorder them.
    fn provider(encoded: &str, style: Style) -> String {
        let (open, close) = match style {
            Style::Xml => ("<x i=\"", "\"/>"),
            Style::Span => ("<span translate=\"no\">⟦", "⟧</span>"),
            Style::Placeholder => ("⟦", "⟧"),
        };
        let mut parts: Vec<String> = Vec::new();
        let mut rest = encoded;
        while let Some(i) = rest.find(open) {
            let end = rest[i..].find(close).unwrap() + i + close.len();
            parts.push(
                rest[..i]
                    .to_uppercase()
                    .replace("&AMP;", "&amp;")
                    .replace("&LT;", "&lt;")
                    .replace("&GT;", "&gt;"),
            );
            parts.push(rest[i..end].to_owned());
            rest = &rest[end..];
        }
        parts.push(
            rest.to_uppercase()
                .replace("&AMP;", "&amp;")
                .replace("&LT;", "&lt;")
                .replace("&GT;", "&gt;"),
        );
        if let Some(first) = parts.iter().position(|p| p.starts_with(open)) {
            let token = parts.remove(first);
            parts.push(token);
        }
        parts.concat()
    }

    #[test]
    fn forty_ops_messages_keep_every_token_and_ping_nobody() {
        assert!(MESSAGES.len() >= 40);
        for (text, lang, kept) in MESSAGES {
            assert_eq!(detect(text), *lang, "{text:?}");
            for style in [Style::Xml, Style::Span, Style::Placeholder] {
                let pieces = split(text, &names);
                let (encoded, tokens) = encode(&pieces, style);
                let back = restore(&provider(&encoded, style), &tokens, style)
                    .unwrap_or_else(|e| panic!("{text:?} {style:?}: lost {e:?}"));
                for k in *kept {
                    assert!(
                        back.contains(k),
                        "{text:?} {style:?}: {k:?} missing in {back:?}"
                    );
                }
                assert!(
                    !back.contains("<@")
                        && !back.contains("<!here")
                        && !back.contains("<!channel")
                        && !back.contains("<!subteam"),
                    "{text:?} {style:?} would ping: {back:?}"
                );
            }
        }
    }

    #[test]
    fn a_token_the_provider_dropped_or_doubled_is_named() {
        let pieces = split("ask <@U0ALICE> about `db-1`", &names);
        let (encoded, tokens) = encode(&pieces, Style::Placeholder);
        assert_eq!(encoded, "ask ⟦0⟧ about ⟦1⟧");
        assert_eq!(
            restore("⟦0⟧に聞いて", &tokens, Style::Placeholder),
            Err(Lost(vec![1]))
        );
        assert_eq!(
            restore("⟦0⟧ ⟦0⟧ に ⟦1⟧ を聞いて", &tokens, Style::Placeholder),
            Err(Lost(vec![0]))
        );
        assert_eq!(
            restore("⟦1⟧ について ⟦0⟧ に聞いて", &tokens, Style::Placeholder).as_deref(),
            Ok("`db-1` について @alice に聞いて")
        );
    }

    #[test]
    fn a_link_label_is_translated_and_its_url_kept() {
        let pieces = split("see <https://x.example/a?b=1&c=2|the runbook> now", &names);
        let (encoded, tokens) = encode(&pieces, Style::Xml);
        assert_eq!(encoded, "see <x i=\"0\"/>the runbook<x i=\"1\"/> now");
        let back = restore("<x i=\"0\"/>手順書<x i=\"1\"/>を見て", &tokens, Style::Xml).unwrap();
        assert_eq!(back, "<https://x.example/a?b=1&c=2|手順書>を見て");
    }
}
