//! Large generated `terraform show -json` plans for benchmarks (about 5 KB per resource change:
//! 20,000 changes make ~100 MB), with a sensitive attribute in every change.

use std::fmt::Write as _;

/// A plan with `resources` changes to `aws_instance`s: deletes, replaces, creates and updates.
pub fn large(resources: usize) -> String {
    let mut json =
        String::from(r#"{"format_version":"1.2","terraform_version":"1.9.0","resource_changes":["#);
    for i in 0..resources {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&resource(i));
    }
    json.push_str(r#"],"output_changes":{}}"#);
    json
}

/// The same changes with the sections `terraform show -json` writes around them: `planned_values`
/// and `prior_state` (each resource's values after and before) and `configuration`, so about a
/// third of the file is `resource_changes`, as in real plans.
pub fn full(resources: usize) -> String {
    let values = |which: &str| {
        let mut out = String::new();
        for i in 0..resources {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(
                out,
                r#"{{"address":"module.fleet.aws_instance.node[{i}]","mode":"managed","type":"aws_instance","name":"node","index":{i},"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":1,"values":{},"sensitive_values":{{"password":true,"tags":{{}}}}}}"#,
                attributes(i, which)
            );
        }
        format!(
            r#"{{"root_module":{{"child_modules":[{{"address":"module.fleet","resources":[{out}]}}]}}}}"#
        )
    };
    let changes = large(resources);
    let changes = &changes[1..changes.len() - 1];
    format!(
        r#"{{{changes},"planned_values":{},"prior_state":{{"format_version":"1.0","terraform_version":"1.9.0","values":{}}},"configuration":{{"provider_config":{{"aws":{{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws","expressions":{{"region":{{"constant_value":"ap-northeast-1"}}}}}}}},"root_module":{{"module_calls":{{"fleet":{{"source":"./modules/fleet","expressions":{{"size":{{"constant_value":{resources}}}}},"module":{{"resources":[{{"address":"aws_instance.node","mode":"managed","type":"aws_instance","name":"node","provider_config_key":"aws","expressions":{{"instance_type":{{"constant_value":"t3.large"}},"ami":{{"references":["var.ami"]}}}},"schema_version":1,"count_expression":{{"references":["var.size"]}}}}]}}}}}}}}}}}}"#,
        values("new"),
        values("old"),
    )
}

/// One instance's attributes; `which` is `old` (before) or `new` (after).
fn attributes(i: usize, which: &str) -> String {
    let mut attrs = String::new();
    for a in 0..28 {
        let _ = write!(
            attrs,
            r#""attribute_{a:02}":"value-{i}-{a}-lorem-ipsum-dolor-sit-amet-consectetur-adipiscing","#
        );
    }
    let size = if which == "old" { "small" } else { "large" };
    format!(
        r#"{{{attrs}"instance_type":"t3.{size}","password":"{which}-{i}","tags":{{"Team":"sre","Env":"prod"}}}}"#
    )
}

fn resource(i: usize) -> String {
    let action = match i % 10 {
        0 => r#"["delete"]"#,
        1 => r#"["delete","create"]"#,
        2 | 3 => r#"["create"]"#,
        _ => r#"["update"]"#,
    };
    let before = attributes(i, "old");
    let after = attributes(i, "new");
    format!(
        r#"{{"address":"module.fleet.aws_instance.node[{i}]","module_address":"module.fleet","mode":"managed","type":"aws_instance","name":"node","index":{i},"provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":{action},"before":{before},"after":{after},"after_unknown":{{"id":true}},"before_sensitive":{{"password":true}},"after_sensitive":{{"password":true}}}}}}"#
    )
}
