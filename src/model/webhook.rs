//! HubSpot's webhooks for tickets: the events of a batch (`ticket.creation`,
//! `ticket.propertyChange`, `ticket.deletion`) and the v3 request signature, written once for
//! the daemon that receives them and the sandbox server that sends them.
//!
//! v3 signature (HubSpot's "Validating requests" page): `X-HubSpot-Signature-v3` is the
//! base64 HMAC-SHA256, keyed with the app's client secret, of the method, the full request
//! URI, the raw body and the `X-HubSpot-Request-Timestamp` header (epoch milliseconds)
//! concatenated; a request whose timestamp is more than 5 minutes old is to be rejected.
//! HubSpot decodes a few percent-encoded characters of the URI before signing; we sign and
//! check the URI as sent (our choice: the sandbox sends no such characters, and a receiver
//! path rarely has any).

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Header carrying the v3 signature.
pub const SIGNATURE_V3_HEADER: &str = "x-hubspot-signature-v3";
/// Header carrying the request time (epoch milliseconds).
pub const TIMESTAMP_HEADER: &str = "x-hubspot-request-timestamp";
/// Oldest request accepted, in milliseconds (HubSpot: 5 minutes).
pub const MAX_AGE_MS: i64 = 5 * 60 * 1000;

/// `subscriptionType` of a created ticket.
pub const CREATION: &str = "ticket.creation";
/// `subscriptionType` of a changed property.
pub const PROPERTY_CHANGE: &str = "ticket.propertyChange";
/// `subscriptionType` of a deleted (archived) ticket.
pub const DELETION: &str = "ticket.deletion";

/// One event of a webhook batch (HubSpot sends a JSON array of these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// Unique per event (retries of one event keep it).
    pub event_id: i64,
    /// The app's subscription.
    #[serde(default)]
    pub subscription_id: i64,
    /// The portal.
    #[serde(default)]
    pub portal_id: i64,
    /// The app.
    #[serde(default)]
    pub app_id: i64,
    /// When it happened (epoch milliseconds).
    pub occurred_at: i64,
    /// `ticket.creation`, `ticket.propertyChange`, `ticket.deletion`, ...
    pub subscription_type: String,
    /// Delivery attempt, from 0.
    #[serde(default)]
    pub attempt_number: i64,
    /// The ticket's id.
    pub object_id: i64,
    /// `propertyChange`: the property.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_name: Option<String>,
    /// `propertyChange`: its new value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_value: Option<String>,
    /// What made the change (`CRM_UI`, `API`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_source: Option<String>,
}

/// Why a request's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header is missing or unreadable.
    #[error("missing or unreadable {0} header")]
    Missing(&'static str),
    /// The timestamp is more than 5 minutes away from now.
    #[error("request timestamp is {age_ms} ms away from now (at most 5 minutes accepted)")]
    Stale {
        /// How far from now.
        age_ms: i64,
    },
    /// The signature does not match.
    #[error("signature does not match")]
    Mismatch,
}

fn mac(secret: &[u8], method: &str, uri: &str, body: &[u8], timestamp: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(method.as_bytes());
    m.update(uri.as_bytes());
    m.update(body);
    m.update(timestamp.as_bytes());
    m
}

/// The v3 signature of a request.
pub fn sign_v3(secret: &[u8], method: &str, uri: &str, body: &[u8], timestamp: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(
        mac(secret, method, uri, body, timestamp)
            .finalize()
            .into_bytes(),
    )
}

/// Checks a request's v3 signature and timestamp at `now_ms`; `uris` are the URIs the request
/// may have been signed with (the receiver may not know whether a proxy terminated TLS). The
/// comparison is in constant time.
pub fn verify_v3(
    secret: &[u8],
    method: &str,
    uris: &[String],
    body: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    now_ms: i64,
) -> Result<(), SignatureError> {
    let timestamp = timestamp.ok_or(SignatureError::Missing(TIMESTAMP_HEADER))?;
    let at: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::Missing(TIMESTAMP_HEADER))?;
    let age_ms = (now_ms - at).abs();
    if age_ms > MAX_AGE_MS {
        return Err(SignatureError::Stale { age_ms });
    }
    let signature = signature.ok_or(SignatureError::Missing(SIGNATURE_V3_HEADER))?;
    let given = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .map_err(|_| SignatureError::Mismatch)?;
    let ok = uris.iter().any(|uri| {
        mac(secret, method, uri, body, timestamp)
            .verify_slice(&given)
            .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    #[test]
    fn the_signature_is_base64_hmac_sha256_of_the_concatenation() {
        // RFC 4231, test case 2 (key "Jefe", data "what do ya want for nothing?"), cut into
        // method, URI, body and timestamp: pins the digest crates to the standard's answer.
        assert_eq!(
            sign_v3(b"Jefe", "what do ya ", "want for ", b"nothing", "?"),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
    }

    #[test]
    fn a_signed_request_verifies_and_any_change_breaks_it() {
        let uri = "http://127.0.0.1:9000/webhooks".to_string();
        let ts = NOW.to_string();
        let sig = sign_v3(b"secret", "POST", &uri, b"[]", &ts);
        let check = |secret: &[u8], body: &[u8], ts: &str, now: i64| {
            verify_v3(
                secret,
                "POST",
                std::slice::from_ref(&uri),
                body,
                Some(ts),
                Some(&sig),
                now,
            )
        };
        assert_eq!(check(b"secret", b"[]", &ts, NOW + 1000), Ok(()));
        assert_eq!(
            check(b"other", b"[]", &ts, NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(b"secret", b"[1]", &ts, NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(b"secret", b"[]", &(NOW + 1).to_string(), NOW),
            Err(SignatureError::Mismatch)
        );
        assert!(matches!(
            check(b"secret", b"[]", &ts, NOW + MAX_AGE_MS + 1),
            Err(SignatureError::Stale { .. })
        ));
        assert_eq!(
            verify_v3(b"secret", "POST", &[uri], b"[]", None, Some(&sig), NOW),
            Err(SignatureError::Missing(TIMESTAMP_HEADER))
        );
    }

    #[test]
    fn events_read_hubspots_shape() {
        let body = r#"[{"eventId":100,"subscriptionId":1,"portalId":62515,"appId":7,"occurredAt":1722023133348,"subscriptionType":"ticket.propertyChange","attemptNumber":0,"objectId":123,"propertyName":"hs_pipeline_stage","propertyValue":"2","changeSource":"CRM_UI","sourceId":"userId:1"}]"#;
        let events: Vec<WebhookEvent> = serde_json::from_str(body).unwrap();
        assert_eq!(events[0].event_id, 100);
        assert_eq!(events[0].subscription_type, PROPERTY_CHANGE);
        assert_eq!(events[0].property_value.as_deref(), Some("2"));
    }
}
