//! The body and response of `POST /crm/v3/objects/tickets/search`.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use super::ticket::{Paging, Ticket};
use super::values::{null_as_default, scalar_string};

/// A search request. Every field is optional (HubSpot's docs send `{}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// Groups of filters: groups are ORed, filters inside a group ANDed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub filter_groups: Vec<FilterGroup>,
    /// Top-level filters, treated as one more group (unconfirmed HubSpot behaviour; see the
    /// sandbox's search module).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub filters: Vec<Filter>,
    /// At most one sort rule is applied.
    #[serde(default, deserialize_with = "null_as_default")]
    pub sorts: Vec<Sort>,
    /// Full-text query over the default searchable properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Properties to return; empty means the default search set.
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: Vec<String>,
    /// Page size: default 10, at most 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Offset cursor, an integer formatted as a string.
    #[serde(
        default,
        deserialize_with = "scalar_string::opt::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub after: Option<String>,
}

/// A group of filters that must all match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterGroup {
    /// The filters of this group.
    #[serde(default, deserialize_with = "null_as_default")]
    pub filters: Vec<Filter>,
}

/// One filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// The property to test, or `associations.{objectType}`.
    pub property_name: String,
    /// The comparison.
    pub operator: Operator,
    /// The operand of most operators (the low end for `BETWEEN`).
    #[serde(
        default,
        deserialize_with = "scalar_string::opt::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<String>,
    /// The operands of `IN` and `NOT_IN`.
    #[serde(
        default,
        deserialize_with = "scalar_string::vec::deserialize",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub values: Vec<String>,
    /// The high end for `BETWEEN`.
    #[serde(
        default,
        deserialize_with = "scalar_string::opt::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub high_value: Option<String>,
}

impl Filter {
    /// A filter with one value.
    pub fn new(property: impl Into<String>, operator: Operator, value: impl Into<String>) -> Self {
        Self {
            property_name: property.into(),
            operator,
            value: Some(value.into()),
            values: Vec::new(),
            high_value: None,
        }
    }
}

/// The value of a search filter on a date or datetime property, as epoch milliseconds.
///
/// HubSpot documents only epoch milliseconds here ("HubSpot API endpoints accept UNIX formatted
/// timestamps in milliseconds", its timestamp FAQ; every date filter of its search guide is one)
/// and an ISO string was answered 400 in a 2020 report. Whether ISO works today is
/// unconfirmed, so anything but an integer is refused: a rule that passes the sandbox then works
/// live. The message gives the epoch value an ISO string stands for, so the fix is one copy away.
pub fn filter_millis(property: &str, value: &str) -> Result<i64, String> {
    let v = value.trim();
    if let Ok(ms) = v.parse::<i64>() {
        return Ok(ms);
    }
    let hint = match super::time::parse_to_millis(v) {
        Some(ms) => format!(" ({v} is {ms})"),
        None => String::new(),
    };
    Err(format!(
        "{value} is not a timestamp for {property}: search filters on dates take epoch \
         milliseconds, as HubSpot documents{hint}"
    ))
}

/// The search operators of HubSpot's CRM search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Operator {
    /// Equal.
    Eq,
    /// Not equal.
    Neq,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Within `value`..=`highValue`.
    Between,
    /// One of `values`.
    In,
    /// None of `values`.
    NotIn,
    /// Has a value.
    HasProperty,
    /// Has no value.
    NotHasProperty,
    /// Contains the whole token (`*` wildcards allowed).
    ContainsToken,
    /// Does not contain the token.
    NotContainsToken,
}

/// One sort rule. Accepts HubSpot's documented object form and, because both official SDKs type
/// sorts as strings, a plain property name (`"createdate"` ascending, `"-createdate"`
/// descending: our choice for the unconfirmed string form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sort {
    /// The property to sort by.
    pub property_name: String,
    /// The direction.
    pub direction: SortDirection,
}

impl<'de> Deserialize<'de> for Sort {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Rule {
            property_name: String,
            #[serde(default)]
            direction: Option<SortDirection>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Name(String),
            Rule(Rule),
        }
        match Form::deserialize(d).map_err(|_| {
            de::Error::custom(
                "a sort must be {\"propertyName\": ..., \"direction\": \"ASCENDING\"|\"DESCENDING\"} or a property name",
            )
        })? {
            Form::Name(name) => Ok(match name.strip_prefix('-') {
                Some(n) => Sort {
                    property_name: n.to_string(),
                    direction: SortDirection::Descending,
                },
                None => Sort {
                    property_name: name,
                    direction: SortDirection::Ascending,
                },
            }),
            Form::Rule(r) => Ok(Sort {
                property_name: r.property_name,
                direction: r.direction.unwrap_or(SortDirection::Ascending),
            }),
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SortDirection {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// A page of search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    /// How many records match in all (HubSpot stops paging at 10,000).
    pub total: i64,
    /// The records of this page.
    pub results: Vec<Ticket>,
    /// Present when another page follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

impl SearchPage {
    /// The offset cursor of the next page, if any.
    pub fn next_after(&self) -> Option<&str> {
        self.paging
            .as_ref()
            .and_then(|p| p.next.as_ref())
            .map(|n| n.after.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_accept_object_and_string_forms() {
        let r: SearchRequest = serde_json::from_str(
            r#"{"sorts":["-createdate"],"filterGroups":[{"filters":[{"propertyName":"x","operator":"EQ","value":5}]}]}"#,
        )
        .unwrap();
        assert_eq!(r.sorts[0].direction, SortDirection::Descending);
        assert_eq!(r.filter_groups[0].filters[0].value.as_deref(), Some("5"));
        let r: SearchRequest =
            serde_json::from_str(r#"{"sorts":[{"propertyName":"subject"}],"after":20}"#).unwrap();
        assert_eq!(r.sorts[0].direction, SortDirection::Ascending);
        assert_eq!(r.after.as_deref(), Some("20"));
    }

    #[test]
    fn unknown_operator_is_an_error() {
        let e = serde_json::from_str::<Filter>(r#"{"propertyName":"x","operator":"LIKE"}"#);
        assert!(e.is_err());
    }
}

#[cfg(test)]
mod filter_millis_tests {
    use super::filter_millis;

    #[test]
    fn date_filters_take_epoch_millis_and_say_what_an_iso_string_means() {
        assert_eq!(
            filter_millis("createdate", " 1700000000000 "),
            Ok(1_700_000_000_000)
        );
        assert_eq!(filter_millis("createdate", "-5"), Ok(-5));
        let e = filter_millis("createdate", "2024-01-01").unwrap_err();
        assert!(
            e.contains("epoch milliseconds") && e.contains("2024-01-01 is 1704067200000"),
            "{e}"
        );
        let e = filter_millis("closed_date", "2024-01-01T00:00:00.000Z").unwrap_err();
        assert!(e.contains("is 1704067200000"), "{e}");
        let e = filter_millis("createdate", "yesterday").unwrap_err();
        assert!(!e.contains('(') && e.contains("yesterday"), "{e}");
    }
}
