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

fn resource(i: usize) -> String {
    let action = match i % 10 {
        0 => r#"["delete"]"#,
        1 => r#"["delete","create"]"#,
        2 | 3 => r#"["create"]"#,
        _ => r#"["update"]"#,
    };
    let mut attrs = String::new();
    for a in 0..28 {
        let _ = write!(
            attrs,
            r#""attribute_{a:02}":"value-{i}-{a}-lorem-ipsum-dolor-sit-amet-consectetur-adipiscing","#
        );
    }
    let before = format!(
        r#"{{{attrs}"instance_type":"t3.small","password":"old-{i}","tags":{{"Team":"sre","Env":"prod"}}}}"#
    );
    let after = format!(
        r#"{{{attrs}"instance_type":"t3.large","password":"new-{i}","tags":{{"Team":"sre","Env":"prod"}}}}"#
    );
    format!(
        r#"{{"address":"module.fleet.aws_instance.node[{i}]","module_address":"module.fleet","mode":"managed","type":"aws_instance","name":"node","index":{i},"provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":{action},"before":{before},"after":{after},"after_unknown":{{"id":true}},"before_sensitive":{{"password":true}},"after_sensitive":{{"password":true}}}}}}"#
    )
}
