//! Cost, when the plan build runs Infracost: the card shows the monthly cost before and after
//! and what changes most; a risk rule raises the approvals needed above a cost increase, and
//! counts as exceeded when the build wrote no estimate or one banto cannot read.

use crate::helpers::*;

const OVER_500: &str = "[[terraform.projects.risk]]\ncost_increase_over = 500\nmin_approvals = 3\n";

/// `infracost breakdown --format json` output (version 0.2), `before` → `after` dollars a month.
fn infracost(before: &str, after: &str) -> String {
    format!(
        r#"{{"version":"0.2","currency":"USD","projects":[{{"name":"acme/infra/envs/prod/network",
        "pastBreakdown":{{"resources":[],"totalMonthlyCost":"{before}"}},
        "breakdown":{{"resources":[],"totalMonthlyCost":"{after}"}},
        "diff":{{"resources":[{{"name":"null_resource.foo","monthlyCost":"600.1"}},{{"name":"null_resource.bar","monthlyCost":"-12"}}]}}}}],
        "totalHourlyCost":"1.02","totalMonthlyCost":"{after}","pastTotalHourlyCost":"0.16",
        "pastTotalMonthlyCost":"{before}","diffTotalMonthlyCost":"0","timeGenerated":"2026-12-01T09:00:00Z"}}"#
    )
}

fn write_estimate(world: &World, build: &FakeBuild, body: &str) {
    world
        .aws_side()
        .put_artifact(build, "infracost.json", body)
        .unwrap();
}

#[tokio::test]
async fn a_cost_increase_over_the_limit_needs_more_approvals_and_the_card_shows_it() {
    let world = world_with(OVER_500).await;
    let (card, build) = open_pr(&world, 41, HEAD_A, "carol-gh").await;
    write_estimate(&world, &build, &infracost("120.5", "742.64"));
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    assert!(card.text.contains("0 of 3"), "{}", card.text);
    let blocks = blocks_text(&card);
    assert!(
        blocks.contains("*Monthly cost* $120.50 → $742.64 (*+$622.14*)"),
        "{blocks}"
    );
    assert!(
        blocks.contains("`null_resource.foo` +$600.10")
            && blocks.contains("`null_resource.bar` -$12.00"),
        "what changes most: {blocks}"
    );
}

#[tokio::test]
async fn an_increase_under_the_limit_is_shown_and_changes_nothing() {
    let world = world_with(OVER_500).await;
    let (card, build) = open_pr(&world, 42, HEAD_A, "carol-gh").await;
    write_estimate(&world, &build, &infracost("100", "600"));
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    assert!(
        card.text.contains("0 of 1"),
        "+$500 is not over 500: {}",
        card.text
    );
    assert!(blocks_text(&card).contains("(*+$500.00*)"));
}

#[tokio::test]
async fn without_a_readable_estimate_a_cost_rule_counts_as_exceeded() {
    let world = world_with(OVER_500).await;
    let (card, build) = open_pr(&world, 43, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    assert!(card.text.contains("0 of 3"), "{}", card.text);
    assert!(
        blocks_text(&card).contains("wrote no cost estimate"),
        "{}",
        blocks_text(&card)
    );

    // Another project lock holder would queue it: a world of its own.
    let world = world_with(OVER_500).await;
    let (card, build) = open_pr(&world, 44, HEAD_B, "carol-gh").await;
    write_estimate(&world, &build, "Error: INFRACOST_API_KEY is not set");
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    assert!(card.text.contains("0 of 3"), "{}", card.text);
    let blocks = blocks_text(&card);
    assert!(
        blocks.contains("could not be read: it is not JSON"),
        "{blocks}"
    );
    assert!(
        !blocks.contains("INFRACOST_API_KEY"),
        "the file is never quoted: {blocks}"
    );
}

#[tokio::test]
async fn a_project_without_cost_rules_and_without_an_estimate_says_nothing_of_cost() {
    let world = world_with("").await;
    let (card, build) = open_pr(&world, 45, HEAD_A, "carol-gh").await;
    let (card, _) = plan_ready(&world, &card, &build, &creates()).await;
    assert!(card.text.contains("0 of 1"), "{}", card.text);
    assert!(!blocks_text(&card).contains("moneybag"));
}
