//! The `banto` binary as a user runs it: console with a script, check-config, inbox.

use banto::domain::audit::AuditAction;
use std::io::Write;
use std::process::{Command, Stdio};

fn banto(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_banto"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .envs(env.iter().copied())
        .env_remove("BANTO_TEST_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn console_runs_a_script_in_both_languages() {
    let script = "/banto ping\n:as kenji\n/banto help\n:in #general\nhello\n/banto dpeloy\n:channels\n:quit\n";
    let (ok, out, err) = banto(&["console"], script, &[]);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("[1] banto in #ops (only you):\n    :table_tennis_paddle_and_ball: pong"),
        "{out}"
    );
    assert!(
        out.contains(
            "[2] banto in #ops (only you):\n    *banto* — オンコールチームのための ChatOps です。"
        ),
        "{out}"
    );
    assert!(out.contains("kenji in #general> "), "{out}");
    assert!(
        out.contains("`/banto dpeloy` は知らないコマンドです。"),
        "{out}"
    );
    assert!(
        out.contains("#ops                  alice, bob, kenji, banto"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("bye"), "{out}");
}

#[test]
fn console_translates_by_reaction_both_ways() {
    let script = "rollback started on db-1\n:react mine flag-jp\n:wait\n:as kenji\n\
                  DBのフェイルオーバーが完了しました\n:react mine flag-us\n:wait\n:quit\n";
    let (ok, out, err) = banto(&["console"], script, &[]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("機械翻訳 (EN → JA)"), "{out}");
    assert!(out.contains("ロールバック 開始しました on db-1"), "{out}");
    assert!(out.contains("Machine translation (JA → EN)"), "{out}");
    assert!(out.contains("DBのフェイルオーバーがfinished"), "{out}");
}

#[test]
fn console_reports_bad_input_and_goes_on() {
    let (ok, out, _) = banto(
        &["console"],
        ":click 9 approve\n:in #nowhere\n:frobnicate\n/banto ping\n",
        &[],
    );
    assert!(ok);
    assert!(out.contains("! no message [9]"), "{out}");
    assert!(
        out.contains("! no channel #nowhere; see :channels"),
        "{out}"
    );
    assert!(
        out.contains("! unknown console command :frobnicate; try :help"),
        "{out}"
    );
    assert!(out.contains("pong"), "{out}");
}

#[test]
fn check_config_shows_secrets_only_as_set_or_unset() {
    let (ok, out, err) = banto(
        &["check-config", "config.toml"],
        "",
        &[("SLACK_BOT_TOKEN", "xoxb-very-secret-value")],
    );
    assert!(ok, "{err}");
    assert!(out.contains("config.toml: ok"), "{out}");
    assert!(out.contains("SLACK_BOT_TOKEN          set"), "{out}");
    assert!(out.contains("SLACK_SIGNING_SECRET     unset"), "{out}");
    assert!(!out.contains("xoxb-very-secret-value") && !err.contains("xoxb-very-secret-value"));
}

#[test]
fn check_config_refuses_what_cannot_work_in_a_real_workspace() {
    let path = std::env::temp_dir().join(format!("banto-ws-{}.toml", std::process::id()));
    let project = |channel: &str, users: &str, groups: &str| {
        format!(
            "[[terraform.projects]]\nname = \"network\"\nrepo = \"acme/infra\"\ndir = \"envs/prod\"\n\
             codebuild_plan_project = \"p\"\ncodebuild_apply_project = \"a\"\n\
             artifact_bucket = \"b\"\nchannel = \"{channel}\"\n\
             approvers = {{ users = [{users}], groups = [{groups}] }}\n"
        )
    };
    let cases = [
        (
            project("C0123INFRA", "\"U0123ALICE\"", "")
                + "[[terraform.projects.risk]]\nmin_approvals = 2\n",
            "1:1: terraform project \"network\": a risk rule names resource_types, cost_increase_over or both",
        ),
        (
            project("#terraform", "\"U0123ALICE\"", ""),
            "8:11: terraform project \"network\": \"#terraform\" is not a Slack channel id",
        ),
        (
            project("C0123INFRA", "\"alice\"", ""),
            "9:24: terraform project \"network\": \"alice\" is not a Slack user id",
        ),
        (
            project("C0123INFRA", "\"U0123ALICE\"", "\"sre-leads\""),
            "9:49: terraform project \"network\": \"sre-leads\" is not a Slack user group id",
        ),
        (
            "[aws]\nendpoint_url = \"not a url\"\n".to_owned(),
            "2:16: aws.endpoint_url \"not a url\" is not a URL",
        ),
        (
            "[aws.endpoints]\ncodebuild = \"vpce codebuild\"\n".to_owned(),
            "2:13: aws.endpoints.codebuild \"vpce codebuild\" is not a URL",
        ),
    ];
    for (text, want) in cases {
        std::fs::write(&path, &text).unwrap();
        let (ok, _, err) = banto(&["check-config", path.to_str().unwrap()], "", &[]);
        assert!(!ok, "{text}");
        assert!(err.contains(&format!("{}:{want}", path.display())), "{err}");
    }
    let good = project("C0123INFRA", "\"U0123ALICE\"", "\"S0SRELEADS\"")
        + &format!(
            "[[terraform.policies]]\nname = \"aws-basics\"\npaths = [\"{}/examples/policies\"]\n\
             owners = {{ groups = [\"S0SRELEADS\"] }}\noverrides_needed = 2\n",
            env!("CARGO_MANIFEST_DIR")
        )
        + "[aws]\nendpoint_url = \"http://localhost:4566\"\n\
           [aws.endpoints]\ncodebuild = \"https://vpce-0abc.codebuild.us-east-1.vpce.amazonaws.com\"\n\
           [incidents]\nbroadcast_channel = \"C0INCIDENTS\"\n\
           [postmortem]\nzones = [\"Asia/Tokyo\", \"America/Los_Angeles\"]\ndocs_repo = \"acme/docs\"\n";
    std::fs::write(&path, good).unwrap();
    let (ok, out, err) = banto(&["check-config", path.to_str().unwrap()], "", &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("terraform         1: network (acme/infra envs/prod)"),
        "{out}"
    );
    assert!(out.contains("deploy apps       none"), "{out}");
    assert!(
        out.contains("policies          1: aws-basics (6 files, 2 overrides to pass a failure)"),
        "{out}"
    );
    assert!(
        out.contains("us-east-1 via http://localhost:4566/"),
        "{out}"
    );
    for line in [
        "    codebuild       via https://vpce-0abc.codebuild.us-east-1.vpce.amazonaws.com/",
        "  default language  English, time zone",
        "  incidents         channels inc-…, announced in C0INCIDENTS, alerts in none, default type none",
        "  translation       deepl (per channel: none), automatic in none",
        "  postmortems       times in Asia/Tokyo and America/Los_Angeles, drafts to acme/docs, issues to none",
    ] {
        assert!(out.contains(line), "{line:?} in\n{out}");
    }
    let _ = std::fs::remove_file(path);
}

#[test]
fn check_config_names_file_line_and_column_of_a_mistake() {
    let path = std::env::temp_dir().join(format!("banto-bad-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "[server]\nlisten = \"127.0.0.1:3000\"\n\n[workers]\ncuont = 3\n",
    )
    .unwrap();
    let (ok, _, err) = banto(&["check-config", path.to_str().unwrap()], "", &[]);
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "{}:5:1: unknown field `cuont`, expected one of",
            path.display()
        )),
        "{err}"
    );
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn inbox_lists_parked_events_with_their_errors_and_requeues_them() {
    use banto::store::{Queue, Store};
    let dir = std::env::temp_dir().join(format!("banto-inbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let test_db = banto::fake::world::TestDatabase::new().await.unwrap();
    let db = test_db.url.clone();
    let config = dir.join("banto.toml");
    std::fs::write(
        &config,
        format!("[database]\nurl = \"{db}\"\n[slack]\ntime_zone = \"Asia/Tokyo\"\n"),
    )
    .unwrap();
    let store = Store::connect(&db, 1).await.unwrap();
    store.migrate().await.unwrap();
    store
        .enqueue(Queue::Inbox, "k1", "slash_command /banto", "{}", 0)
        .await
        .unwrap();
    let claimed = store
        .claim(Queue::Inbox, "w", std::time::Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    store
        .fail(&claimed, "w", "Slack API error: channel_not_found", None)
        .await
        .unwrap();

    let cfg = config.to_str().unwrap();
    let (ok, out, err) = banto(&["--config", cfg, "inbox"], "", &[]);
    assert!(ok, "{err}");
    assert!(out.contains("parked   slash_command /banto"), "{out}");
    assert!(out.contains("attempts=1"), "{out}");
    assert!(out.contains("JST"), "times in the team's zone: {out}");
    assert!(out.contains("Slack API error: channel_not_found"), "{out}");
    let id = claimed.id.0.to_string();
    let (ok, out, _) = banto(&["--config", cfg, "inbox", "--retry", &id], "", &[]);
    assert!(
        ok && out.contains(&format!("event {id} is queued again")),
        "{out}"
    );
    let (ok, _, err) = banto(&["--config", cfg, "inbox", "--retry", &id], "", &[]);
    assert!(
        !ok && err.contains(&format!("event {id} is not parked")),
        "{err}"
    );
    let (_, out, _) = banto(&["--config", cfg, "inbox", "--state", "pending"], "", &[]);
    assert!(out.contains("pending  slash_command /banto"), "{out}");

    store
        .record_ignored(
            "slack:event:Ev1",
            "ignored slack message_changed",
            "{}",
            "message_changed: missing `message.ts`",
        )
        .await
        .unwrap();
    let (ok, out, err) = banto(&["--config", cfg, "inbox", "--state", "ignored"], "", &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("ignored  ignored slack message_changed")
            && out.contains("message_changed: missing `message.ts`")
            && !out.contains("slash_command"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn audit_verify_finds_an_entry_edited_in_the_database() {
    use banto::store::Store;
    let dir = std::env::temp_dir().join(format!("banto-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let test_db = banto::fake::world::TestDatabase::new().await.unwrap();
    let db = test_db.url.clone();
    let config = dir.join("banto.toml");
    std::fs::write(&config, format!("[database]\nurl = \"{db}\"\n")).unwrap();
    let store = Store::connect(&db, 4).await.unwrap();
    store.migrate().await.unwrap();
    // Writers at once (two replicas approving, applying, unlocking) still make one chain.
    let writes = (0..12).map(|i| {
        let store = store.clone();
        async move {
            store
                .audit(
                    "U1",
                    AuditAction::Approved,
                    "tf:network",
                    &format!("run #{i}"),
                )
                .await
        }
    });
    for r in futures::future::join_all(writes).await {
        r.unwrap();
    }
    store
        .audit(
            "U2",
            AuditAction::ForceUnlock,
            "tf:network",
            "stuck, token=xoxb-1234567890-abcdefghij",
        )
        .await
        .unwrap();

    let cfg = config.to_str().unwrap();
    let (ok, out, err) = banto(&["--config", cfg, "audit", "verify"], "", &[]);
    assert!(
        ok && out.contains("audit log intact: 13 entries chained"),
        "{out}{err}"
    );
    let (ok, out, _) = banto(
        &["--config", cfg, "audit", "list", "--subject", "tf:network"],
        "",
        &[],
    );
    assert!(ok && out.lines().count() == 13, "{out}");
    assert!(
        out.contains("force_unlock") && out.contains("token=(sensitive)"),
        "{out}"
    );

    let rows = store.audit_rows(None).await.unwrap();
    let victim = rows[4].id;
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'U999' WHERE id = $1")
        .bind(victim)
        .execute(&mut conn)
        .await
        .unwrap();
    let (ok, _, err) = banto(&["--config", cfg, "audit", "verify"], "", &[]);
    assert!(!ok, "a changed entry fails the check");
    assert!(
        err.contains(&format!(
            "audit entry {victim}: its content does not match its hash"
        )),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn gitops_set_tag_prints_the_file_a_diff_or_the_refusal() {
    let values = "../shared/corpus/gitops/argocd-example-apps__helm-guestbook__values.yaml";
    let original =
        std::fs::read_to_string(format!("{}/{values}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let (ok, out, err) = banto(
        &[
            "gitops",
            "set-tag",
            values,
            "--key",
            "image.tag",
            "--tag",
            "0.2",
        ],
        "",
        &[],
    );
    assert!(ok, "{err}");
    assert_eq!(out, original.replace("  tag: 0.1\n", "  tag: \"0.2\"\n"));

    let (ok, out, _) = banto(
        &[
            "gitops",
            "set-tag",
            values,
            "--key",
            "image.tag",
            "--tag",
            "0.2",
            "--diff",
        ],
        "",
        &[],
    );
    assert!(ok);
    assert!(
        out.contains("@@ -9,1 +9,1 @@\n-  tag: 0.1\n+  tag: \"0.2\"\n"),
        "{out}"
    );

    let random = "../shared/corpus/gitops/kustomize__transformersimage_test__random.yaml";
    let (ok, out, err) = banto(
        &[
            "gitops", "set-tag", random, "--image", "nginx", "--tag", "v2",
        ],
        "",
        &[],
    );
    assert!(!ok && out.is_empty(), "a refusal prints no file");
    assert!(
        err.contains("random.yaml") && err.contains("line 9") && err.contains("line 15"),
        "{err}"
    );
}

#[test]
fn health_asks_the_running_banto_and_fails_when_nobody_answers() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = std::env::temp_dir().join(format!("banto-health-{}.toml", std::process::id()));
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"0.0.0.0:{port}\"\n[database]\nurl = \"sqlite://unused.db\"\n"
        ),
    )
    .unwrap();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 1024];
        let n = conn.read(&mut buf).unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("GET /healthz "));
        conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .unwrap();
    });
    let path = config.to_str().unwrap();
    let (ok, out, err) = banto(&["--config", path, "health"], "", &[]);
    assert!(ok, "{out}{err}");
    server.join().unwrap();
    let (ok, _, err) = banto(&["--config", path, "health"], "", &[]);
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "banto is not answering at http://127.0.0.1:{port}/healthz"
        )),
        "{err}"
    );
    std::fs::remove_file(&config).ok();
}

#[test]
fn doctor_names_what_is_wrong_and_exits_non_zero() {
    let dir = std::env::temp_dir().join(format!("banto-doctor-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"sqlite://{}/banto.db\"\n\n[slack]\napi_url = \"http://127.0.0.1:9/api\"\n",
            dir.display()
        ),
    )
    .unwrap();
    let (ok, out, err) = banto(
        &["--config", config.to_str().unwrap(), "doctor"],
        "",
        &[("SLACK_BOT_TOKEN", "xoxb-doctor-secret-value")],
    );
    assert!(!ok, "doctor must fail: {out}\n{err}");
    assert!(out.contains("✓ SLACK_BOT_TOKEN is set"), "{out}");
    assert!(
        out.contains("✗ neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN is set"),
        "{out}"
    );
    assert!(out.contains("migrations not applied"), "{out}");
    assert!(
        out.contains("✗ auth.test failed: Slack is unavailable"),
        "{out}"
    );
    assert!(out.contains("→ check [slack] api_url"), "{out}");
    assert!(out.contains(" failed"), "{out}");
    assert!(!out.contains("xoxb-doctor-secret-value") && !err.contains("xoxb-doctor-secret-value"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn json_logs_carry_the_dedupe_key_in_every_line_of_an_events_handling() {
    let (ok, out, err) = banto(
        &["console", "--log-format", "json"],
        "/banto ping\n:quit\n",
        &[("RUST_LOG", "banto=debug")],
    );
    assert!(ok && out.contains("pong"), "{out}\n{err}");
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let accepted = lines
        .iter()
        .find(|l| l["message"] == "event accepted")
        .expect("the accepted event is logged");
    let key = accepted["key"].as_str().expect("with its dedupe key");
    assert!(key.starts_with("slack:command:"), "{key}");
    let handled = lines
        .iter()
        .find(|l| l["message"] == "handled")
        .expect("its handling is logged");
    assert_eq!(handled["span"]["key"], key, "{handled}");
    assert_eq!(handled["level"], "DEBUG");
}

#[test]
fn a_missing_config_file_is_said_once() {
    let (ok, _, err) = banto(&["check-config", "/nonexistent/banto.toml"], "", &[]);
    assert!(!ok);
    assert_eq!(
        err.matches("No such file or directory").count(),
        1,
        "the cause once: {err}"
    );
    assert!(err.contains("cannot read /nonexistent/banto.toml"), "{err}");
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("banto-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn policy_test_reads_like_conftest_and_fails_ci_on_a_denial() {
    let args = [
        "policy",
        "test",
        "examples/policies",
        "--plan",
        "examples/policies/plan.json",
    ];
    let (ok, out, err) = banto(&args, "", &[]);
    assert!(!ok, "a denial exits 1: {out}\n{err}");
    let plan = "examples/policies/plan.json";
    for line in [
        format!(
            "FAIL - {plan} - terraform.stateful - aws_db_instance.orders would be replaced: it holds data"
        ),
        format!(
            "FAIL - {plan} - terraform.s3 - aws_s3_bucket_acl.assets makes the bucket public-read"
        ),
        format!("WARN - {plan} - terraform.tags - aws_iam_policy.deployer has no service tag"),
        "6 tests, 3 passed, 1 warning, 2 failures, 0 exceptions".to_owned(),
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
    }
    assert!(
        !out.contains("aws_iam_policy.deployer allows") && !out.contains("aws_security_group_rule"),
        "a scoped IAM policy and HTTPS from anywhere pass: {out}"
    );
    let unit_tests = out.lines().next().unwrap();
    assert!(
        unit_tests.ends_with("passed, 0 warnings, 0 failures, 0 exceptions"),
        "the examples' own _test.rego pass: {out}"
    );

    let (_, out, _) = banto(&[&args[..], &["--lang", "ja"]].concat(), "", &[]);
    assert!(
        out.contains("aws_s3_bucket_acl.assets でバケットが public-read になります"),
        "{out}"
    );

    let (ok, out, err) = banto(&["policy", "test", "examples/policies"], "", &[]);
    assert!(
        ok,
        "without a plan only the unit tests run, and pass: {out}\n{err}"
    );
}

#[test]
fn policy_test_names_a_failing_unit_test_and_an_unknown_function_at_its_line() {
    let dir = scratch("policy");
    std::fs::write(
        dir.join("p.rego"),
        "package main\n\ndeny contains \"no\" if { input.bad }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("p_test.rego"),
        "package main_test\n\nimport data.main\n\ntest_good if { count(main.deny) == 0 with input as {\"bad\": false} }\n\ntest_wrong if { count(main.deny) == 0 with input as {\"bad\": true} }\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let (ok, out, _) = banto(&["policy", "test", d], "", &[]);
    assert!(!ok, "{out}");
    let failing = format!("FAIL - {d}/p_test.rego - main_test - test_wrong: ");
    assert!(out.lines().any(|l| l.starts_with(&failing)), "{out}");
    assert!(
        out.contains("2 tests, 1 passed, 0 warnings, 1 failure, 0 exceptions"),
        "{out}"
    );

    std::fs::write(
        dir.join("p.rego"),
        "package main\n\ndeny contains \"no\" if {\n\tcrypto.x509.parse_certificates(input.pem)\n}\n",
    )
    .unwrap();
    let (ok, out, err) = banto(&["policy", "test", d], "", &[]);
    assert!(!ok && out.is_empty(), "{out}");
    assert!(
        err.contains(&format!("{d}/p.rego:4:")) && err.contains("`crypto.x509.parse_certificates`"),
        "the file, the line and the function: {err}"
    );

    std::fs::write(
        dir.join("p.rego"),
        "package main\n\ndeny contains \"no\" if { input.bad }\n",
    )
    .unwrap();
    let (ok, _, err) = banto(
        &["policy", "test", d, "--plan", "/nonexistent/plan.json"],
        "",
        &[],
    );
    assert!(
        !ok && err.contains("cannot read /nonexistent/plan.json"),
        "{err}"
    );
    std::fs::write(dir.join("plan.bin"), b"PK\x03\x04binary").unwrap();
    let plan = format!("{d}/plan.bin");
    let (ok, _, err) = banto(&["policy", "test", d, "--plan", &plan], "", &[]);
    assert!(
        !ok && err.contains("terraform show -json"),
        "a saved binary plan is explained: {err}"
    );
}

#[test]
fn console_demo_plan_waits_for_an_owners_override_of_its_policy_failure() {
    let script = "/tf plan network\n:wait 2\n:as bob\n:click 1 Approve\n:as kenji\n:click 1 Override policy\n:submit\n:click 1 Override policy\n:submit reason=legacy_NAT_unused\n:as bob\n:click 1 Approve\n:as kenji\n:click 1 Approve\n:wait 2\n:quit\n";
    let (ok, out, err) = banto(&["console"], script, &[]);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains(":x: `terraform.egress` aws_nat_gateway.legacy would be deleted: traffic through it stops"),
        "the example policies check the demo plan: {out}"
    );
    assert!(
        out.contains("failed a policy"),
        "bob cannot approve past it: {out}"
    );
    assert!(out.contains("オーバーライドには理由が必要です"), "{out}");
    assert!(
        out.contains(":unlock: Overridden by @kenji: legacy NAT unused"),
        "{out}"
    );
    assert!(out.contains(":white_check_mark: *Applied*"), "{out}");
    assert!(
        out.contains(":moneybag: *Monthly cost* $445.44 → $443.18 (*-$2.26*)"),
        "the demo build ran Infracost: {out}"
    );
}

#[test]
fn policy_test_masks_sensitive_values_a_message_quotes() {
    let dir = scratch("policy-mask");
    std::fs::write(
        dir.join("p.rego"),
        "package main\n\ndeny contains msg if {\n\tsome rc in input.resource_changes\n\tmsg := sprintf(\"%s sets password %s\", [rc.address, rc.change.after.password])\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("plan.json"),
        r#"{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.main","type":"aws_db_instance","name":"main","change":{"actions":["update"],"before":{"password":"old"},"after":{"password":"hunter2-sekrit"},"after_sensitive":{"password":true}}}]}"#,
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let plan = format!("{d}/plan.json");
    let (ok, out, _) = banto(&["policy", "test", d, "--plan", &plan], "", &[]);
    assert!(!ok, "{out}");
    assert!(out.contains("aws_db_instance.main sets password"), "{out}");
    assert!(
        !out.contains("hunter2-sekrit"),
        "a sensitive value never reaches a CI log: {out}"
    );
}
