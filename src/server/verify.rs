//! Request authentication: Slack `v0` signatures and GitHub `X-Hub-Signature-256`, both compared
//! in constant time. Nothing is stored for a request that fails here.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far a Slack request timestamp may be from now, either way.
pub const SLACK_MAX_SKEW_SECS: i64 = 5 * 60;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Rejected {
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    #[error("malformed {0} header")]
    MalformedHeader(&'static str),
    #[error("request timestamp is {0} s away from now (more than 300 s): possible replay")]
    Stale(i64),
    #[error("signature does not match")]
    BadSignature,
    #[error("only sha256 signatures are accepted (X-Hub-Signature-256)")]
    Sha1Only,
    #[error("no signing secret is configured for this endpoint")]
    NoSecret,
}

fn mac(secret: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(secret).expect("HMAC takes any key length")
}

/// `X-Slack-Signature: v0=hex(hmac_sha256(secret, "v0:{timestamp}:{body}"))`.
pub fn slack(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_unix: i64,
) -> Result<(), Rejected> {
    let ts_str = timestamp.ok_or(Rejected::MissingHeader("X-Slack-Request-Timestamp"))?;
    let sig = signature.ok_or(Rejected::MissingHeader("X-Slack-Signature"))?;
    let ts: i64 = ts_str
        .parse()
        .map_err(|_| Rejected::MalformedHeader("X-Slack-Request-Timestamp"))?;
    let skew = (now_unix - ts).abs();
    if skew > SLACK_MAX_SKEW_SECS {
        return Err(Rejected::Stale(skew));
    }
    let expected = sig
        .strip_prefix("v0=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(Rejected::MalformedHeader("X-Slack-Signature"))?;
    let mut m = mac(secret.as_bytes());
    m.update(b"v0:");
    m.update(ts_str.as_bytes());
    m.update(b":");
    m.update(body);
    m.verify_slice(&expected)
        .map_err(|_| Rejected::BadSignature)
}

/// The headers a Slack request carries for `body` signed at `timestamp`.
pub fn slack_sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut m = mac(secret.as_bytes());
    m.update(format!("v0:{timestamp}:").as_bytes());
    m.update(body);
    format!("v0={}", hex::encode(m.finalize().into_bytes()))
}

/// `X-Hub-Signature-256: sha256=hex(hmac_sha256(secret, body))`; a lone sha1 header is refused.
pub fn github(
    secret: &str,
    signature_256: Option<&str>,
    signature_sha1: Option<&str>,
    body: &[u8],
) -> Result<(), Rejected> {
    let Some(sig) = signature_256 else {
        return Err(if signature_sha1.is_some() {
            Rejected::Sha1Only
        } else {
            Rejected::MissingHeader("X-Hub-Signature-256")
        });
    };
    let expected = sig
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
        .filter(|d| d.len() == 32)
        .ok_or(Rejected::MalformedHeader("X-Hub-Signature-256"))?;
    let mut m = mac(secret.as_bytes());
    m.update(body);
    m.verify_slice(&expected)
        .map_err(|_| Rejected::BadSignature)
}

pub fn github_sign(secret: &str, body: &[u8]) -> String {
    let mut m = mac(secret.as_bytes());
    m.update(body);
    format!("sha256={}", hex::encode(m.finalize().into_bytes()))
}

/// Shared-secret header check (AWS EventBridge API destinations, Argo CD notifications).
pub fn shared_secret(expected: &str, given: Option<&str>) -> Result<(), Rejected> {
    use subtle::ConstantTimeEq;
    let given = given.ok_or(Rejected::MissingHeader("Authorization"))?;
    if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        Ok(())
    } else {
        Err(Rejected::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn corpus(path: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/../shared/corpus/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_else(|e| panic!("corpus file {path}: {e}"))
    }

    #[test]
    fn slack_corpus_vector_verifies() {
        let v: Value =
            serde_json::from_str(&corpus("slack/slash-command__signature-vector.json")).unwrap();
        let secret = v["signing_secret"].as_str().unwrap();
        let ts = v["headers"]["X-Slack-Request-Timestamp"].as_str().unwrap();
        let sig = v["headers"]["X-Slack-Signature"].as_str().unwrap();
        let body = v["body"].as_str().unwrap().as_bytes();
        let now: i64 = ts.parse().unwrap();
        assert_eq!(v["valid"], true);
        assert_eq!(slack(secret, Some(ts), Some(sig), body, now + 10), Ok(()));
        assert_eq!(slack_sign(secret, now, body), sig);
        // One flipped byte, another secret, a stale or future timestamp: all refused.
        let mut tampered = body.to_vec();
        tampered[0] ^= 1;
        assert_eq!(
            slack(secret, Some(ts), Some(sig), &tampered, now),
            Err(Rejected::BadSignature)
        );
        assert_eq!(
            slack("other", Some(ts), Some(sig), body, now),
            Err(Rejected::BadSignature)
        );
        assert_eq!(
            slack(secret, Some(ts), Some(sig), body, now + 301),
            Err(Rejected::Stale(301))
        );
        assert_eq!(
            slack(secret, Some(ts), Some(sig), body, now - 400),
            Err(Rejected::Stale(400))
        );
        assert_eq!(
            slack(secret, Some(ts), Some("v1=abc"), body, now),
            Err(Rejected::MalformedHeader("X-Slack-Signature"))
        );
        assert_eq!(
            slack(secret, None, Some(sig), body, now),
            Err(Rejected::MissingHeader("X-Slack-Request-Timestamp"))
        );
    }

    #[test]
    fn github_corpus_vectors_verify_as_labelled() {
        let mut checked = 0;
        for file in [
            "github-webhooks/octokit-webhooks-methods__signature-vectors.json",
            "github-webhooks/octokit-webhooks-methods__signature-vectors-compact.json",
        ] {
            let vectors: Vec<Value> = serde_json::from_str(&corpus(file)).unwrap();
            for v in vectors {
                let secret = v["secret"].as_str().unwrap();
                let body = v["body"].as_str().unwrap().as_bytes();
                let sig = v["x_hub_signature_256"].as_str();
                let valid = v["valid"].as_bool().unwrap();
                let got = github(secret, sig, None, body);
                assert_eq!(got.is_ok(), valid, "{file}: {v}: {got:?}");
                checked += 1;
            }
        }
        assert!(checked >= 4, "expected the corpus vectors, found {checked}");
    }

    #[test]
    fn github_refuses_sha1_only_and_malformed() {
        assert_eq!(
            github("s", None, Some("sha1=abcd"), b"{}"),
            Err(Rejected::Sha1Only)
        );
        assert_eq!(
            github("s", None, None, b"{}"),
            Err(Rejected::MissingHeader("X-Hub-Signature-256"))
        );
        assert_eq!(
            github("s", Some("sha256=zz"), None, b"{}"),
            Err(Rejected::MalformedHeader("X-Hub-Signature-256"))
        );
        assert_eq!(
            github("s", Some(&github_sign("s", b"{}")), None, b"{}"),
            Ok(())
        );
    }
}
