//! `GET /account-info/v3/details`: which HubSpot account (portal) a token belongs to. The run
//! record names the portal a run wrote to by its id, never by the token.

use serde::{Deserialize, Serialize};

/// HubSpot's account details (only the fields hubscript reads are required; the rest of
/// HubSpot's answer, such as currencies, is kept as sent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDetails {
    /// The portal (Hub) id.
    pub portal_id: u64,
    /// `STANDARD`, `SANDBOX`, `DEVELOPER_TEST`, `APP_DEVELOPER`.
    #[serde(default)]
    pub account_type: String,
    /// The portal's time zone, e.g. `US/Eastern`.
    #[serde(default)]
    pub time_zone: String,
    /// The domain of HubSpot's UI for this portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_domain: Option<String>,
    /// Where the portal's data is hosted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_hosting_location: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hubspots_answer() {
        let d: AccountDetails = serde_json::from_str(
            r#"{"portalId":123456,"accountType":"STANDARD","timeZone":"US/Eastern",
                "companyCurrency":"USD","additionalCurrencies":[],"utcOffset":"-05:00",
                "utcOffsetMilliseconds":-18000000,"uiDomain":"app.hubspot.com",
                "dataHostingLocation":"na1"}"#,
        )
        .unwrap();
        assert_eq!(d.portal_id, 123_456);
        assert_eq!(d.account_type, "STANDARD");
        assert_eq!(d.ui_domain.as_deref(), Some("app.hubspot.com"));
    }
}
