use super::*;
use crate::domain::policy::Level;

fn write(dir: &std::path::Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const PLAN: &str = r#"{"resource_changes":[
  {"address":"aws_s3_bucket.logs","type":"aws_s3_bucket","change":{"actions":["delete"],"before":{"acl":"private"},"after":null}},
  {"address":"aws_instance.web","type":"aws_instance","change":{"actions":["update"],"before":{},"after":{"tags":{}}}}
]}"#;

#[test]
fn conftest_conventions_are_read() {
    let dir = tempdir();
    write(
        &dir,
        "s3.rego",
        r#"package terraform.s3

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "aws_s3_bucket"
	"delete" in rc.change.actions
	msg := sprintf("%s would be deleted", [rc.address])
}

warn_tags contains {"msg": msg, "metadata": {"ja": sprintf("%s に owner タグがありません", [rc.address])}} if {
	some rc in input.resource_changes
	not rc.change.after.tags.owner
	rc.change.after != null
	msg := sprintf("%s has no owner tag", [rc.address])
}

helper_not_a_rule := true
"#,
    );
    write(
        &dir,
        "nested/main.rego",
        "package main\n\nviolation contains \"always\" if { true }\n",
    );
    let bundle = Bundle::load(std::slice::from_ref(&dir)).unwrap();
    let input = Input::parse(PLAN).unwrap();
    for threads in [1, 2] {
        let found = bundle.evaluate(&input, threads);
        assert_eq!(found.rules, 3, "deny, warn_tags and violation");
        let mut got: Vec<_> = found
            .findings
            .iter()
            .map(|f| {
                (
                    f.level,
                    f.namespace.as_str(),
                    f.msg.as_str(),
                    f.msg_ja.as_deref(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                (Level::Fail, "main", "always", None),
                (
                    Level::Fail,
                    "terraform.s3",
                    "aws_s3_bucket.logs would be deleted",
                    None
                ),
                (
                    Level::Warn,
                    "terraform.s3",
                    "aws_instance.web has no owner tag",
                    Some("aws_instance.web に owner タグがありません")
                ),
            ]
        );
    }
}

#[test]
fn a_missing_builtin_is_named_at_its_file_and_line() {
    let dir = tempdir();
    write(
        &dir,
        "certs.rego",
        "package certs\n\ndeny contains msg if {\n    certs := crypto.x509.parse_certificates(input.pem)\n    count(certs) > 1\n    msg := \"x\"\n}\n",
    );
    let e = Bundle::load(std::slice::from_ref(&dir)).unwrap_err();
    assert_eq!((e.line, e.column), (4, 14), "{e}");
    assert!(e.path.ends_with("certs.rego"));
    assert!(
        e.to_string().contains("crypto.x509.parse_certificates"),
        "{e}"
    );
    // A function the policies define themselves is fine, under an import alias too.
    let dir = tempdir();
    write(
        &dir,
        "lib.rego",
        "package lib\n\nis_public(rc) if rc.change.after.acl == \"public-read\"\n",
    );
    write(
        &dir,
        "p.rego",
        "package p\n\nimport data.lib\n\ndeny contains \"public\" if {\n\tsome rc in input.resource_changes\n\tlib.is_public(rc)\n}\n",
    );
    assert!(Bundle::load(&[dir]).is_ok());
}

#[test]
fn syntax_errors_point_at_the_line_and_tests_run() {
    let dir = tempdir();
    write(
        &dir,
        "bad.rego",
        "package bad\n\ndeny contains msg if {\n\tmsg := \n}\n",
    );
    let e = Bundle::load(std::slice::from_ref(&dir)).unwrap_err();
    assert!(e.path.ends_with("bad.rego") && e.line >= 4, "{e}");

    let dir = tempdir();
    write(
        &dir,
        "p.rego",
        "package p\n\ndeny contains \"no\" if input.x == 1\n",
    );
    write(
        &dir,
        "p_test.rego",
        "package p_test\n\nimport data.p\n\ntest_denied if { p.deny[\"no\"] with input as {\"x\": 1} }\ntest_wrong if { p.deny[\"no\"] with input as {\"x\": 2} }\n",
    );
    let bundle = Bundle::load(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(bundle.files.len(), 1, "tests are not policies");
    let mut results: Vec<_> = bundle
        .run_tests()
        .into_iter()
        .map(|t| (t.name, t.result.is_ok()))
        .collect();
    results.sort();
    assert_eq!(
        results,
        [("test_denied".into(), true), ("test_wrong".into(), false)]
    );
    // Changing a test leaves the digest alone; changing a policy does not.
    let before = bundle.digest.clone();
    write(&dir, "p_test.rego", "package p_test\n\ntest_x if true\n");
    assert_eq!(
        Bundle::load(std::slice::from_ref(&dir)).unwrap().digest,
        before
    );
    write(
        &dir,
        "p.rego",
        "package p\n\ndeny contains \"no\" if input.x == 2\n",
    );
    assert_ne!(Bundle::load(&[dir]).unwrap().digest, before);
}

#[test]
fn a_rule_that_errors_fails_closed() {
    let dir = tempdir();
    write(
        &dir,
        "p.rego",
        "package p\n\ndeny contains msg if {\n\tmsg := sprintf(\"%d\", 1)\n}\n",
    );
    let bundle = Bundle::load(&[dir]).unwrap();
    let found = bundle.evaluate(&Input::parse("{}").unwrap(), 1);
    assert_eq!(found.findings.len(), 1, "{found:?}");
    assert_eq!(found.findings[0].level, Level::Fail);
    assert!(found.findings[0].msg.contains("could not be evaluated"));
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "banto-policy-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
