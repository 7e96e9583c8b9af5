//! Real-looking ops messages in English, Japanese and both, with mentions, links, code, emoji
//! and `@here` at the start: for the table tests of detection and protection, through the pure
//! code and through every provider's fake.

use crate::domain::translate::Lang;

/// Display names of the users the messages mention.
pub fn names(id: &str) -> Option<String> {
    match id {
        "U0ALICE" => Some("alice".into()),
        "U0KENJI" => Some("kenji".into()),
        _ => None,
    }
}

/// Real-looking ops messages: (text, language, what must come back exactly, mentions shown as
/// the names `names` gives).
pub const OPS_MESSAGES: &[(&str, Option<Lang>, &[&str])] = &[
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
