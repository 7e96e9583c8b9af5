//! Every plan in `shared/corpus/terraform/plan-json` is summarised with the right counts, and no
//! sensitive value from those files appears in any text banto would post to Slack or GitHub.

use banto::domain::plan::{Counts, summarize};
use banto::locale::Locale;
use banto::messages::plan::{self as render, SLACK_BLOCKS_MAX, SLACK_SECTION_MAX};
use serde_json::Value;

fn dir() -> std::path::PathBuf {
    banto::fake::corpus::path("terraform/plan-json")
}

fn c(
    create: usize,
    update: usize,
    delete: usize,
    replace: usize,
    import: usize,
    moved: usize,
    read: usize,
) -> Counts {
    Counts {
        add: create + replace,
        change: update,
        destroy: delete + replace,
        replace,
        import,
        moved,
        forget: 0,
        read,
    }
}

#[test]
fn every_corpus_plan_has_the_right_counts() {
    let expected: &[(&str, Counts, usize, bool)] = &[
        // file, counts (create, update, delete, replace, import, moved, read), drift, errored
        (
            "opentofu__cloud__plan-json-full.plan-unredacted.json",
            c(2, 0, 0, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "opentofu__cloud__plan-json-no-changes.plan-unredacted.json",
            c(0, 0, 0, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "opentofu__show-json__basic-delete.plan.json",
            c(0, 1, 1, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "opentofu__show-json__drift.plan.json",
            c(0, 2, 0, 0, 0, 0, 0),
            1,
            false,
        ),
        (
            "opentofu__show-json__moved.plan.json",
            c(0, 1, 0, 0, 0, 1, 0),
            0,
            false,
        ),
        (
            "opentofu__show-json__plan-error.plan.json",
            c(0, 0, 0, 0, 0, 0, 0),
            0,
            true,
        ),
        (
            "opentofu__show-json__requires-replace.plan.json",
            c(0, 0, 0, 1, 0, 0, 0),
            0,
            false,
        ),
        (
            "terraform-json__110_sensitive_values.plan.json",
            c(7, 0, 0, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "terraform-json__120_basic.plan.json",
            c(7, 0, 0, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "terraform-json__basic.plan.json",
            c(7, 0, 0, 0, 0, 0, 1),
            0,
            false,
        ),
        (
            "terraform-json__config_resource_depends_on.plan.json",
            c(0, 0, 0, 1, 0, 0, 0),
            0,
            false,
        ),
        (
            "terraform-json__has_checks.plan.json",
            c(2, 0, 0, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "terraform-json__identity.plan.json",
            c(0, 1, 0, 0, 1, 0, 0),
            0,
            false,
        ),
        (
            "terraform-json__no_changes.plan.json",
            c(0, 0, 0, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "terraform__show-json__drift.plan.json",
            c(0, 2, 0, 0, 0, 0, 0),
            1,
            false,
        ),
        (
            "tf-plan-format__create.tfplan.json",
            c(1, 0, 0, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "tf-plan-format__delete.tfplan.json",
            c(0, 0, 1, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "tf-plan-format__no-op.tfplan.json",
            c(0, 0, 0, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "tf-plan-format__no-resources.tfplan.json",
            c(0, 0, 0, 0, 0, 0, 0),
            0,
            false,
        ),
        (
            "tf-plan-format__update.tfplan.json",
            c(0, 1, 0, 0, 0, 0, 0),
            0,
            false,
        ),
    ];
    let mut files: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let listed: Vec<&str> = expected.iter().map(|e| e.0).collect();
    assert_eq!(files, listed, "every corpus plan has an expectation");
    for (file, counts, drift, errored) in expected {
        let s = summarize(&std::fs::read_to_string(dir().join(file)).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(&s.counts, counts, "{file}");
        assert_eq!(s.drift.len(), *drift, "{file}");
        assert_eq!(s.errored, *errored, "{file}");
    }
}

#[test]
fn destroys_and_replaces_come_first_and_are_marked() {
    let s = summarize(
        &std::fs::read_to_string(dir().join("opentofu__show-json__basic-delete.plan.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(s.changes[0].address, "test_instance.test-delete");
    let text = render::text(&s, Locale::En);
    assert!(text.starts_with("Terraform plan: 0 to add, 1 to change, 1 to destroy\n- test_instance.test-delete (delete_because_no_resource_config)\n~ test_instance.test\n"), "{text}");
    let card = render::slack_card(&s, "network (prod)", Locale::En);
    assert!(
        card[2]["text"]["text"]
            .as_str()
            .unwrap()
            .starts_with(":warning: *Destroys and replaces* (1)"),
        "{card:?}"
    );
}

/// Put a unique canary wherever Terraform marks a value sensitive (following the marks' shape),
/// so that a leak cannot hide behind a value that also appears openly elsewhere.
fn poison(v: &mut Value, marks: Option<&Value>, n: &mut usize) {
    match marks {
        Some(Value::Bool(true)) => {
            *n += 1;
            *v = Value::String(format!("CANARY-{n}-sensitive"));
        }
        Some(Value::Object(m)) => {
            if !v.is_object() {
                *v = Value::Object(Default::default());
            }
            for (k, mark) in m {
                let child = v
                    .as_object_mut()
                    .unwrap()
                    .entry(k.clone())
                    .or_insert(Value::Null);
                poison(child, Some(mark), n);
            }
        }
        Some(Value::Array(marks)) => {
            if let Value::Array(items) = v {
                for (item, mark) in items.iter_mut().zip(marks) {
                    poison(item, Some(mark), n);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn no_sensitive_value_reaches_slack_or_github() {
    let mut canaries = 0;
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        let mut plan: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut n = 0;
        if let Some(Value::Object(vars)) = plan.get_mut("variables") {
            for var in vars.values_mut() {
                n += 1;
                var["value"] = Value::String(format!("CANARY-{n}-variable"));
            }
        }
        for list in ["resource_changes", "resource_drift"] {
            for rc in plan[list].as_array_mut().into_iter().flatten() {
                let ch = &mut rc["change"];
                for (value, mark) in [("before", "before_sensitive"), ("after", "after_sensitive")]
                {
                    let marks = ch.get(mark).cloned();
                    poison(&mut ch[value], marks.as_ref(), &mut n);
                    // Unmarked, but secret by name or by shape: masked all the same.
                    if let Some(obj) = ch[value].as_object_mut() {
                        n += 1;
                        obj.insert(
                            "db_password".into(),
                            Value::String(format!("CANARY-{n}-by-name")),
                        );
                        n += 1;
                        obj.insert(
                            "user_data".into(),
                            Value::String(format!("ghp_CANARY{n}byshape")),
                        );
                    }
                }
            }
        }
        for oc in plan["output_changes"]
            .as_object_mut()
            .into_iter()
            .flat_map(|m| m.values_mut())
        {
            let marks = oc.get("after_sensitive").cloned();
            poison(&mut oc["after"], marks.as_ref(), &mut n);
        }
        let s = summarize(&plan.to_string()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut texts = vec![];
        for locale in [Locale::En, Locale::Ja] {
            texts.push(render::text(&s, locale));
            texts.push(render::markdown(&s, locale));
            let card = render::slack_card(&s, "t", locale);
            assert!(card.len() <= SLACK_BLOCKS_MAX);
            for b in &card {
                assert!(
                    b["text"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .chars()
                        .count()
                        <= SLACK_SECTION_MAX
                );
            }
            texts.push(serde_json::to_string(&card).unwrap());
            texts.extend(render::slack_thread(&s, locale));
        }
        for t in &texts {
            assert!(
                !t.contains("CANARY"),
                "{}: a sensitive value appears in:\n{t}",
                path.display()
            );
        }
        canaries += n;
    }
    assert!(canaries >= 50, "canaries planted: {canaries}");
}

#[test]
fn a_huge_plan_still_fits_slack() {
    let resources: Vec<String> = (0..2000)
        .map(|i| format!(r#"{{"address":"aws_iam_role.r{i:04}[\"<team&{i}>\"]","type":"aws_iam_role","change":{{"actions":["{}"],"before":null,"after":{{}}}}}}"#, if i % 3 == 0 { "delete" } else { "create" }))
        .collect();
    let plan = format!(
        r#"{{"format_version":"1.2","resource_changes":[{}]}}"#,
        resources.join(",")
    );
    let s = summarize(&plan).unwrap();
    let card = render::slack_card(&s, "iam", Locale::En);
    assert!(card.len() <= SLACK_BLOCKS_MAX);
    let texts: Vec<&str> = card
        .iter()
        .filter_map(|b| b["text"]["text"].as_str())
        .collect();
    assert!(texts.iter().all(|t| t.chars().count() <= SLACK_SECTION_MAX));
    assert!(texts.iter().any(|t| t.contains("… 652 more")), "{texts:?}");
    assert!(
        !texts.iter().any(|t| t.contains("<team")),
        "addresses are mrkdwn-escaped"
    );
    let thread = render::slack_thread(&s, Locale::En);
    assert!(
        thread
            .iter()
            .all(|m| m.chars().count() <= SLACK_SECTION_MAX)
    );
    let listed: usize = thread
        .iter()
        .map(|m| m.matches("aws_iam_role.r").count())
        .sum();
    assert_eq!(
        thread.len(),
        render::THREAD_MESSAGES_MAX,
        "a huge plan's thread is capped"
    );
    let last = thread.last().unwrap();
    let rest: usize = last
        .split("…and ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the last message says how many are left out: {last}"));
    assert_eq!(listed + rest, 2000, "every resource is listed or counted");
    assert!(last.contains("the build log has the whole plan"), "{last}");
}
