//! Links into HubSpot's web app. A ticket's record page is
//! `https://app.hubspot.com/contacts/{portalId}/record/0-5/{ticketId}` (`0-5` is the tickets
//! object type id); portals hosted in the EU use `https://app-eu1.hubspot.com` instead, so the
//! app's base URL is a parameter.

/// The app's base URL for portals hosted in the US (the default).
pub const DEFAULT_APP_URL: &str = "https://app.hubspot.com";

/// The object type id of tickets in app URLs.
pub const TICKET_OBJECT_TYPE: &str = "0-5";

/// Where a portal's records are: the app base URL and the portal id (HubSpot's "Hub ID").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLinks {
    app_url: String,
    portal_id: String,
}

impl PortalLinks {
    /// Links for `portal_id` (digits only) under `app_url` (default [`DEFAULT_APP_URL`]).
    pub fn new(portal_id: &str, app_url: Option<&str>) -> Result<Self, String> {
        let portal_id = portal_id.trim();
        if portal_id.is_empty() || !portal_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "portal id `{portal_id}` is not a number (it is the Hub ID shown in HubSpot's account menu)"
            ));
        }
        let app_url = app_url
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or(DEFAULT_APP_URL)
            .trim_end_matches('/');
        if !app_url.starts_with("https://") && !app_url.starts_with("http://") {
            return Err(format!("app URL `{app_url}` must start with https://"));
        }
        Ok(Self {
            app_url: app_url.to_string(),
            portal_id: portal_id.to_string(),
        })
    }

    /// The record page of ticket `ticket_id`.
    pub fn ticket_url(&self, ticket_id: &str) -> String {
        format!(
            "{}/contacts/{}/record/{TICKET_OBJECT_TYPE}/{}",
            self.app_url,
            self.portal_id,
            form_urlencoded::byte_serialize(ticket_id.trim().as_bytes()).collect::<String>()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_record_urls() {
        let l = PortalLinks::new("7729491", None).unwrap();
        assert_eq!(
            l.ticket_url("417248509143"),
            "https://app.hubspot.com/contacts/7729491/record/0-5/417248509143"
        );
        let eu = PortalLinks::new("148480743", Some("https://app-eu1.hubspot.com/")).unwrap();
        assert_eq!(
            eu.ticket_url("12"),
            "https://app-eu1.hubspot.com/contacts/148480743/record/0-5/12"
        );
        assert!(PortalLinks::new("abc", None).unwrap_err().contains("abc"));
        assert!(PortalLinks::new("1", Some("app.hubspot.com")).is_err());
    }
}
