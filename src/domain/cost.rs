//! The monthly cost of a plan, from Infracost's JSON (`infracost breakdown --format json`,
//! version 0.2): before and after, and the resources whose cost changes most.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// How many resources the card names.
const TOP: usize = 3;

/// Amounts in cents of `currency`, per month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostEstimate {
    pub currency: String,
    pub before_cents: i64,
    pub after_cents: i64,
    /// Resources by how much their monthly cost changes, largest first: (address, change).
    pub top: Vec<(String, i64)>,
}

/// What the plan build left about cost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cost {
    Estimate(CostEstimate),
    /// The build wrote a file banto could not read.
    Unreadable(Unreadable),
}

/// Why `infracost.json` could not be read (never its contents).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unreadable {
    NotJson {
        line: usize,
    },
    /// JSON without `totalMonthlyCost`: not `infracost breakdown --format json` output.
    NotInfracost,
    NotAnAmount {
        key: String,
    },
}

impl CostEstimate {
    pub fn increase_cents(&self) -> i64 {
        self.after_cents - self.before_cents
    }
}

/// Infracost writes decimals as strings ("742.64", "1.0173150684931506"), or null for nothing.
fn cents(v: &Json) -> Option<i64> {
    let n = match v {
        Json::String(s) => s.trim().parse::<f64>().ok()?,
        Json::Number(n) => n.as_f64()?,
        Json::Null => 0.0,
        _ => return None,
    };
    n.is_finite().then(|| (n * 100.0).round() as i64)
}

pub fn parse(bytes: &[u8]) -> Cost {
    match read(bytes) {
        Ok(estimate) => Cost::Estimate(estimate),
        Err(why) => Cost::Unreadable(why),
    }
}

fn read(bytes: &[u8]) -> Result<CostEstimate, Unreadable> {
    let json: Json =
        serde_json::from_slice(bytes).map_err(|e| Unreadable::NotJson { line: e.line() })?;
    let total = |key: &str| {
        cents(json.get(key).unwrap_or(&Json::Null)).ok_or_else(|| Unreadable::NotAnAmount {
            key: key.to_owned(),
        })
    };
    if json.get("totalMonthlyCost").is_none() {
        return Err(Unreadable::NotInfracost);
    }
    let after = total("totalMonthlyCost")?;
    let before = total("pastTotalMonthlyCost")?;
    let mut top: Vec<(String, i64)> = json["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["diff"]["resources"].as_array().into_iter().flatten())
        .filter_map(|r| {
            let change = cents(&r["monthlyCost"])?;
            let name = r["name"].as_str()?;
            (change != 0).then(|| (name.chars().take(200).collect(), change))
        })
        .collect();
    top.sort_by_key(|(name, change)| (std::cmp::Reverse(change.abs()), name.clone()));
    top.truncate(TOP);
    Ok(CostEstimate {
        currency: json["currency"]
            .as_str()
            .filter(|c| !c.is_empty())
            .unwrap_or("USD")
            .chars()
            .take(8)
            .collect(),
        before_cents: before,
        after_cents: after,
        top,
    })
}

/// `1234.5` dollars as `$1,234.50`; other currencies as `1,234.50 EUR`.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let amount = format!("{grouped}.{:02}", abs % 100);
    match currency {
        "USD" => format!("{sign}${amount}"),
        c => format!("{sign}{amount} {c}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BREAKDOWN: &str = r#"{
      "version": "0.2", "currency": "USD",
      "projects": [{
        "name": "acme/infra/envs/prod/network",
        "pastBreakdown": {"resources": [], "totalMonthlyCost": "120.5"},
        "breakdown": {"resources": [], "totalMonthlyCost": "742.64"},
        "diff": {"resources": [
          {"name": "aws_nat_gateway.legacy", "monthlyCost": "-32.85"},
          {"name": "aws_db_instance.reports", "monthlyCost": "584.4"},
          {"name": "aws_instance.bastion", "monthlyCost": "7.59"},
          {"name": "aws_s3_bucket.logs", "monthlyCost": null},
          {"name": "aws_instance.tiny", "monthlyCost": "0.01"}
        ], "totalMonthlyCost": "622.14"}
      }],
      "totalHourlyCost": "1.017315068493150679", "totalMonthlyCost": "742.64",
      "pastTotalHourlyCost": "0.165068493150684932", "pastTotalMonthlyCost": "120.5",
      "diffTotalHourlyCost": "0.852246575342465747", "diffTotalMonthlyCost": "622.14",
      "timeGenerated": "2026-12-01T09:00:00Z"
    }"#;

    #[test]
    fn infracost_totals_and_the_biggest_changes_are_read() {
        let Cost::Estimate(e) = parse(BREAKDOWN.as_bytes()) else {
            panic!("readable")
        };
        assert_eq!((e.before_cents, e.after_cents), (12_050, 74_264));
        assert_eq!(e.increase_cents(), 62_214);
        assert_eq!(
            e.top,
            vec![
                ("aws_db_instance.reports".to_owned(), 58_440),
                ("aws_nat_gateway.legacy".to_owned(), -3_285),
                ("aws_instance.bastion".to_owned(), 759),
            ]
        );
    }

    #[test]
    fn a_first_plan_has_no_past_cost() {
        let text = r#"{"currency":"EUR","totalMonthlyCost":"10","pastTotalMonthlyCost":null,"projects":[]}"#;
        let Cost::Estimate(e) = parse(text.as_bytes()) else {
            panic!("readable")
        };
        assert_eq!(
            (e.before_cents, e.after_cents, e.currency.as_str()),
            (0, 1_000, "EUR")
        );
    }

    #[test]
    fn other_files_are_unreadable_with_why() {
        for (text, why) in [
            ("\nnot json", Unreadable::NotJson { line: 2 }),
            (r#"{"resource_changes": []}"#, Unreadable::NotInfracost),
            (
                r#"{"totalMonthlyCost": "lots"}"#,
                Unreadable::NotAnAmount {
                    key: "totalMonthlyCost".into(),
                },
            ),
        ] {
            assert_eq!(parse(text.as_bytes()), Cost::Unreadable(why));
        }
    }

    #[test]
    fn money_reads_like_money() {
        assert_eq!(money(123_456_789, "USD"), "$1,234,567.89");
        assert_eq!(money(-3_285, "USD"), "-$32.85");
        assert_eq!(money(5, "JPY"), "0.05 JPY");
        assert_eq!(money(100_000, "EUR"), "1,000.00 EUR");
    }
}
