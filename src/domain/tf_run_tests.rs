//! The run state machine: approvals, freshness, what an approval is bound to, ends.

use super::*;

use crate::config::terraform::tests::project;

fn policy(allow_self_approval: bool) -> Policy {
    Policy::new(["UALICE", "UBOB", "UCAROL"], allow_self_approval)
}

fn awaiting(need: u32) -> Run {
    let mut r = Run::new("network", "sha-a", "UALICE");
    r.plan_succeeded(
        PlanFacts {
            sha256: "p".into(),
            planned_at_ms: 1_000,
            required_approvals: need,
            binding: bound(),
            policies: vec![],
            cost: None,
            changes_digest: None,
        },
        true,
    );
    r
}

fn fresh(now_ms: i64) -> Freshness {
    Freshness {
        wait_for_merge: false,
        now_ms,
        ttl_ms: 60_000,
        current_head: Some("sha-a".into()),
        last_apply_ms: None,
        holds_lock: true,
        artifacts: Artifacts {
            plan_sha256: "p".into(),
            binding: bound(),
        },
    }
}

fn bound() -> Binding {
    Binding {
        lock_sha256: Some("lock-1".into()),
        terraform_version: Some("1.9.8".into()),
        base_sha: Some("base-1".into()),
        policy_digest: Some("pol-1".into()),
    }
}

#[test]
fn each_piece_of_the_binding_voids_the_approval_and_is_named() {
    use BindingPart::*;
    type Change = fn(&mut Artifacts);
    let cases: [(Change, Vec<BindingPart>); 6] = [
        (|a| a.plan_sha256 = "other".into(), vec![PlanFile]),
        (
            |a| a.binding.lock_sha256 = Some("lock-2".into()),
            vec![LockFile],
        ),
        (
            |a| a.binding.terraform_version = None,
            vec![TerraformVersion],
        ),
        (
            |a| a.binding.base_sha = Some("base-2".into()),
            vec![BaseCommit],
        ),
        (
            |a| a.binding.policy_digest = Some("pol-2".into()),
            vec![Policies],
        ),
        (
            |a| {
                a.plan_sha256 = "other".into();
                a.binding = Binding::default();
            },
            vec![PlanFile, LockFile, TerraformVersion, BaseCommit, Policies],
        ),
    ];
    for (change, parts) in cases {
        let mut now = fresh(2_000);
        change(&mut now.artifacts);
        let mut r = awaiting(1);
        r.approve(&UserId::from("UBOB"), &policy(false)).unwrap();
        let want = Stale::Changed { parts };
        assert_eq!(r.begin_apply(&now), ApplyDecision::Superseded(want.clone()));
        assert_eq!(r.state, RunState::Superseded { reason: want });
    }
}

#[test]
fn n_of_m_and_double_clicks() {
    let mut r = awaiting(2);
    assert_eq!(
        r.approve(&UserId::from("UBOB"), &policy(false)),
        Ok(Approved::Counted { have: 1, need: 2 })
    );
    assert_eq!(
        r.approve(&UserId::from("UBOB"), &policy(false)),
        Err(Refusal::AlreadyApproved)
    );
    assert_eq!(r.begin_apply(&fresh(2_000)), ApplyDecision::NotReady);
    assert_eq!(
        r.state,
        RunState::AwaitingApproval,
        "one approval of two starts nothing"
    );
    assert_eq!(
        r.approve(&UserId::from("UCAROL"), &policy(false)),
        Ok(Approved::Complete)
    );
    assert_eq!(r.begin_apply(&fresh(2_000)), ApplyDecision::Start);
    assert_eq!(r.state, RunState::Applying);
    assert_eq!(
        r.begin_apply(&fresh(2_001)),
        ApplyDecision::NotReady,
        "a second click or retry cannot start a second apply"
    );
    assert_eq!(
        r.approve(&UserId::from("UALICE"), &policy(true)),
        Err(Refusal::NotAwaitingApproval)
    );
}

#[test]
fn stale_plans_are_superseded_with_the_reason() {
    let cases = [
        (
            Freshness {
                current_head: Some("sha-b".into()),
                ..fresh(2_000)
            },
            Stale::NewCommit {
                head: "sha-b".into(),
            },
        ),
        (
            Freshness {
                last_apply_ms: Some(1_500),
                ..fresh(2_000)
            },
            Stale::OtherApply,
        ),
        (fresh(1_000 + 60_001), Stale::Expired),
        (
            Freshness {
                holds_lock: false,
                ..fresh(2_000)
            },
            Stale::LockLost,
        ),
    ];
    for (f, want) in cases {
        let mut r = awaiting(1);
        r.approve(&UserId::from("UBOB"), &policy(false)).unwrap();
        assert_eq!(r.begin_apply(&f), ApplyDecision::Superseded(want.clone()));
        assert_eq!(r.state, RunState::Superseded { reason: want });
    }
    let mut r = awaiting(1);
    r.approve(&UserId::from("UBOB"), &policy(false)).unwrap();
    assert_eq!(
        r.begin_apply(&Freshness {
            last_apply_ms: Some(900),
            ..fresh(2_000)
        }),
        ApplyDecision::Start,
        "an apply before this plan is fine"
    );
}

#[test]
fn risk_rules_raise_the_bar() {
    let p = project(
        "[[terraform.projects.risk]]\nresource_types = [\"aws_db_instance\", \"aws_iam_*\"]\nmin_approvals = 2\n",
    );
    let plan = |json: &str| super::super::plan::summarize(json).unwrap();
    let destroy_db = plan(
        r#"{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.main","type":"aws_db_instance","change":{"actions":["delete"]}}]}"#,
    );
    let update_db = plan(
        r#"{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.main","type":"aws_db_instance","change":{"actions":["update"],"before":{},"after":{}}}]}"#,
    );
    let replace_role = plan(
        r#"{"format_version":"1.2","resource_changes":[{"address":"aws_iam_role.ci","type":"aws_iam_role","change":{"actions":["create","delete"]}}]}"#,
    );
    assert_eq!(
        required_approvals(p.min_approvals, &p.risk, &destroy_db, None),
        2
    );
    assert_eq!(
        required_approvals(p.min_approvals, &p.risk, &update_db, None),
        1,
        "only delete and replace are risky by default"
    );
    assert_eq!(
        required_approvals(p.min_approvals, &p.risk, &replace_role, None),
        2
    );
}

#[test]
fn a_cost_rule_raises_the_bar_above_its_increase_and_when_nobody_can_tell() {
    use super::super::cost::{Cost, CostEstimate};
    let p = project(
        "[[terraform.projects.risk]]\ncost_increase_over = 500\nmin_approvals = 3\n\
         [[terraform.projects.risk]]\nresource_types = [\"aws_db_instance\"]\ncost_increase_over = 100\nmin_approvals = 2\n",
    );
    let update_vm = super::super::plan::summarize(
        r#"{"format_version":"1.2","resource_changes":[{"address":"aws_instance.a","type":"aws_instance","change":{"actions":["update"],"before":{},"after":{}}}]}"#,
    )
    .unwrap();
    let delete_db = super::super::plan::summarize(
        r#"{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.main","type":"aws_db_instance","change":{"actions":["delete"]}}]}"#,
    )
    .unwrap();
    let costing = |before: i64, after: i64| {
        Some(Cost::Estimate(CostEstimate {
            currency: "USD".into(),
            before_cents: before,
            after_cents: after,
            top: vec![],
        }))
    };
    let need = |plan, cost: Option<Cost>| required_approvals(1, &p.risk, plan, cost.as_ref());
    assert_eq!(
        need(&update_vm, costing(10_000, 60_000)),
        1,
        "+$500 is not over 500"
    );
    assert_eq!(need(&update_vm, costing(10_000, 60_001)), 3);
    assert_eq!(need(&update_vm, costing(90_000, 10_000)), 1, "savings");
    assert_eq!(
        need(&delete_db, costing(0, 20_000)),
        2,
        "both halves of the rule match"
    );
    assert_eq!(need(&update_vm, costing(0, 20_000)), 1, "not a database");
    assert_eq!(
        need(&update_vm, None),
        3,
        "no estimate: the limit cannot be checked"
    );
    assert_eq!(
        need(
            &update_vm,
            Some(Cost::Unreadable(
                super::super::cost::Unreadable::NotInfracost
            ))
        ),
        3
    );
}

#[test]
fn lifecycle_ends() {
    let mut r = Run::new("network", "sha-a", "UALICE");
    r.plan_failed("BUILD");
    assert_eq!(
        r.state,
        RunState::PlanFailed {
            phase: "BUILD".into()
        }
    );
    let mut r = Run::new("network", "sha-a", "UALICE");
    r.plan_succeeded(
        PlanFacts {
            sha256: "p".into(),
            planned_at_ms: 0,
            required_approvals: 1,
            binding: Binding::default(),
            policies: vec![],
            cost: None,
            changes_digest: None,
        },
        false,
    );
    assert_eq!(r.state, RunState::Applied, "no changes: nothing to approve");
    let mut r = awaiting(1);
    r.supersede(Stale::NewCommit {
        head: "sha-b".into(),
    });
    assert!(r.state.is_final());
    let mut r = awaiting(1);
    assert_eq!(
        r.reject(&UserId::from("UMALLORY"), &policy(false), "no"),
        Err(Refusal::NotAnApprover)
    );
    assert_eq!(
        r.reject(&UserId::from("UBOB"), &policy(false), "wrong account"),
        Ok(())
    );
    assert_eq!(
        r.state,
        RunState::Rejected {
            by: UserId::from("UBOB"),
            reason: "wrong account".into()
        }
    );
    let mut r = awaiting(1);
    r.approve(&UserId::from("UBOB"), &policy(false)).unwrap();
    assert_eq!(r.begin_apply(&fresh(2_000)), ApplyDecision::Start);
    assert!(
        !r.cancel("UBOB"),
        "an apply in flight is not cancelled from Slack"
    );
    r.apply_finished(Some("BUILD"));
    assert_eq!(
        r.state,
        RunState::ApplyFailed {
            phase: "BUILD".into()
        }
    );
}

#[test]
fn apply_on_merge_waits_for_the_merge_and_carries_approvals_only_to_the_same_changes() {
    let mut r = awaiting(1);
    r.approve(&UserId::from("UBOB"), &policy(false)).unwrap();
    let at_merge = Freshness {
        wait_for_merge: true,
        ..fresh(2_000)
    };
    assert_eq!(r.begin_apply(&at_merge), ApplyDecision::AwaitMerge);
    assert_eq!(r.state, RunState::AwaitingMerge);
    assert!(
        r.supersede(Stale::Merged { run: 2 }),
        "the merge supersedes it"
    );

    let merged = |digest: &str| {
        let mut m = Run {
            carried: Some(Carried {
                from_run: 1,
                pr: 31,
                changes_digest: "same".into(),
                approvals: vec![UserId::from("UBOB")],
            }),
            ..Run::new("network", "sha-m", "UALICE")
        };
        m.plan_succeeded(
            PlanFacts {
                changes_digest: Some(digest.into()),
                ..awaiting(1).plan.unwrap()
            },
            true,
        );
        m
    };
    let mut same = merged("same");
    assert!(same.carry_approvals());
    assert_eq!(same.approvals, vec![UserId::from("UBOB")]);
    assert!(!same.carry_approvals(), "once");
    let fresh_merge = Freshness {
        current_head: None,
        ..fresh(2_000)
    };
    let mut same = Run {
        head_sha: "sha-m".into(),
        ..same
    };
    assert_eq!(same.begin_apply(&fresh_merge), ApplyDecision::Start);
    let mut other = merged("other");
    assert!(
        !other.carry_approvals(),
        "other changes need approval again"
    );
    assert!(other.approvals.is_empty());
    assert_eq!(other.state, RunState::AwaitingApproval);
}
