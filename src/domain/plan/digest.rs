//! What a plan would change, as one SHA-256: two plans with the same digest make the same
//! changes (values, sensitive ones included, as Terraform wrote them), whatever else differs.

use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

#[derive(Deserialize)]
struct Plan<'a> {
    #[serde(borrow, default)]
    resource_changes: Vec<Change<'a>>,
}

#[derive(Deserialize)]
struct Change<'a> {
    #[serde(borrow)]
    address: Cow<'a, str>,
    #[serde(borrow)]
    change: &'a RawValue,
}

/// SHA-256 over each resource change's address and its `change` object, in plan order.
pub fn changes_digest(json: &str) -> Result<String, serde_json::Error> {
    let plan: Plan = serde_json::from_str(json)?;
    let mut h = Sha256::new();
    for c in &plan.resource_changes {
        h.update(c.address.as_bytes());
        h.update([0]);
        h.update(c.change.get().as_bytes());
        h.update([0]);
    }
    Ok(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"{"format_version":"1.2","resource_changes":[
      {"address":"aws_db_instance.main","change":{"actions":["update"],"before":{"password":"a"},"after":{"password":"b"},"after_sensitive":{"password":true}}}],
      "prior_state":{"values":{}}}"#;

    #[test]
    fn the_same_changes_have_the_same_digest_and_any_value_tells_them_apart() {
        let d = changes_digest(PLAN).unwrap();
        let elsewhere = PLAN.replace(
            r#""prior_state":{"values":{}}"#,
            r#""prior_state":{"values":{"x":1}}"#,
        );
        assert_eq!(
            changes_digest(&elsewhere).unwrap(),
            d,
            "only the changes count"
        );
        let secret = PLAN.replace(r#""password":"b""#, r#""password":"c""#);
        assert_ne!(
            changes_digest(&secret).unwrap(),
            d,
            "a sensitive value counts too"
        );
        let other = PLAN.replace("aws_db_instance.main", "aws_db_instance.replica");
        assert_ne!(changes_digest(&other).unwrap(), d);
        assert_ne!(changes_digest(r#"{"resource_changes":[]}"#).unwrap(), d);
    }
}
