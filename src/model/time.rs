//! Timestamps as HubSpot writes them: ISO-8601 UTC with exactly three fractional digits and a
//! `Z` (`2024-08-15T17:09:13.648Z`), plus parsing of what HubSpot accepts on input (ISO strings
//! or epoch milliseconds).

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};

/// Formats a UTC instant the way HubSpot does.
pub fn format_iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Formats epoch milliseconds the way HubSpot does.
pub fn format_millis(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| ms.to_string(), format_iso)
}

/// Parses a datetime given as epoch milliseconds (`"1642672800000"`), an RFC 3339 string, or a
/// plain date (`2024-03-01`, taken as midnight UTC). Returns epoch milliseconds.
pub fn parse_to_millis(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|n| Utc.from_utc_datetime(&n).timestamp_millis());
    }
    None
}

/// Serde adapter for envelope timestamps (`createdAt`, `updatedAt`, ...).
pub mod iso_ms {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as `2024-08-15T17:09:13.648Z`.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_iso(*t))
    }

    /// Accepts any RFC 3339 string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

/// Serde adapter for optional envelope timestamps (`archivedAt`).
pub mod iso_ms_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises `Some` as `2024-08-15T17:09:13.648Z`, `None` as null.
    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format_iso(*t)),
            None => s.serialize_none(),
        }
    }

    /// Accepts an RFC 3339 string or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| {
            DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        assert_eq!(format_millis(1_723_741_753_648), "2024-08-15T17:09:13.648Z");
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn parses_epoch_iso_and_date() {
        assert_eq!(parse_to_millis("1723741753648"), Some(1_723_741_753_648));
        assert_eq!(
            parse_to_millis("2024-08-15T17:09:13.648Z"),
            Some(1_723_741_753_648)
        );
        assert_eq!(parse_to_millis("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_to_millis("yesterday"), None);
        assert_eq!(parse_to_millis(""), None);
    }
}
