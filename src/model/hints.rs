//! Why a search found nothing or a write was refused, when the property definitions can tell:
//! a property tickets do not have (with the nearest name), or a value of an enumeration that
//! is none of its options (`"high"` for `HIGH`: HubSpot compares option values exactly, so
//! such a search filter silently matches nothing).
//!
//! Pure: the caller hands in the request and the definitions, and decides how to show the
//! hints (the script layer logs them as warnings next to HubSpot's own answer).

use super::property::Property;
use super::search::{Operator, SearchRequest};
use super::values::InputProperties;

/// The hint for a property name tickets do not have, or `None` when they have it.
fn unknown_property(name: &str, defs: &[Property]) -> Option<String> {
    unknown_property_of("tickets", name, defs)
}

/// The hint for a property name records of `object` (`tickets`, `companies`) do not have, with
/// the nearest name, or `None` when they have it.
pub fn unknown_property_of(object: &str, name: &str, defs: &[Property]) -> Option<String> {
    // Association paths (`associations.contact`) are not properties.
    if name.contains('.') || defs.iter().any(|p| p.name == name) {
        return None;
    }
    Some(format!(
        "{object} have no property `{name}`{}",
        crate::suggest::did_you_mean(name, defs.iter().map(|p| p.name.as_str()))
    ))
}

/// The option `value` was probably meant to be, when it differs only in case (`HIGH` for
/// `high`) or is near one; `None` when `def` is no enumeration or `value` is one of its options.
pub fn option_hint(value: &str, def: &Property) -> Option<String> {
    if def.kind != "enumeration" || def.options.is_empty() || value.is_empty() {
        return None;
    }
    let options: Vec<&str> = def.options.iter().map(|o| o.value.as_str()).collect();
    if options.contains(&value) {
        return None;
    }
    let hint = match crate::suggest::nearest(value, options.iter().copied()) {
        Some(o) => format!("did you mean `{o}`?"),
        None => format!("its options: {}", options.join(", ")),
    };
    Some(format!(
        "`{value}` is not an option of `{}`: option values are compared exactly ({hint})",
        def.name
    ))
}

/// One line per property of a refused write that tickets do not have or whose value is not
/// an option, with the nearest name or option.
pub fn write_hints(props: &InputProperties, defs: &[Property]) -> Vec<String> {
    props
        .iter()
        .filter_map(
            |(name, value)| match defs.iter().find(|p| &p.name == name) {
                None => unknown_property(name, defs),
                Some(def) => option_hint(value, def),
            },
        )
        .collect()
}

/// One line per problem found in `req`'s filters and sorts, in request order.
pub fn search_hints(req: &SearchRequest, defs: &[Property]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |line: String| {
        if !out.contains(&line) {
            out.push(line);
        }
    };
    let filters = req
        .filter_groups
        .iter()
        .flat_map(|g| g.filters.iter())
        .chain(req.filters.iter());
    for f in filters {
        let Some(def) = defs.iter().find(|p| p.name == f.property_name) else {
            if let Some(h) = unknown_property(&f.property_name, defs) {
                push(h);
            }
            continue;
        };
        let compared = match f.operator {
            Operator::Eq | Operator::Neq => f.value.iter().collect::<Vec<_>>(),
            Operator::In | Operator::NotIn => f.values.iter().collect(),
            _ => Vec::new(),
        };
        for v in compared {
            if let Some(h) = option_hint(v, def) {
                push(h.replacen(
                    ": option values",
                    ", so it matches no ticket: option values",
                    1,
                ));
            }
        }
    }
    for s in &req.sorts {
        if let Some(h) = unknown_property(&s.property_name, defs) {
            push(h);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Filter, FilterGroup};

    fn prop(name: &str, kind: &str, options: &[&str]) -> Property {
        serde_json::from_value(serde_json::json!({
            "name": name, "label": name, "type": kind, "fieldType": "select",
            "groupName": "ticketinformation",
            "options": options.iter().map(|o| serde_json::json!({
                "label": o, "value": o, "hidden": false, "displayOrder": 0,
            })).collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    fn defs() -> Vec<Property> {
        vec![
            prop("subject", "string", &[]),
            prop(
                "hs_ticket_priority",
                "enumeration",
                &["LOW", "MEDIUM", "HIGH", "URGENT"],
            ),
        ]
    }

    fn req(filters: Vec<Filter>) -> SearchRequest {
        SearchRequest {
            filter_groups: vec![FilterGroup { filters }],
            ..SearchRequest::default()
        }
    }

    #[test]
    fn an_option_in_the_wrong_case_gets_the_right_casing() {
        let hints = search_hints(
            &req(vec![Filter::new(
                "hs_ticket_priority",
                Operator::Eq,
                "high",
            )]),
            &defs(),
        );
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(hints[0].starts_with("`high` is not an option of `hs_ticket_priority`"));
        assert!(hints[0].ends_with("(did you mean `HIGH`?)"), "{hints:?}");
        let mut f = Filter::new("hs_ticket_priority", Operator::In, "x");
        f.value = None;
        f.values = vec!["HIGH".into(), "sky-high-ish-and-more".into()];
        let hints = search_hints(&req(vec![f]), &defs());
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(
            hints[0].contains("its options: LOW, MEDIUM, HIGH, URGENT"),
            "{hints:?}"
        );
    }

    #[test]
    fn a_misspelled_property_gets_the_nearest_name() {
        let hints = search_hints(
            &req(vec![Filter::new("hs_ticket_priorty", Operator::Eq, "HIGH")]),
            &defs(),
        );
        assert_eq!(
            hints,
            ["tickets have no property `hs_ticket_priorty` (did you mean `hs_ticket_priority`?)"]
        );
    }

    #[test]
    fn refused_writes_get_the_nearest_name_and_casing() {
        let props: InputProperties = [
            ("hs_ticket_priorty", "HIGH"),
            ("hs_ticket_priority", "high"),
            ("subject", "fine"),
        ]
        .into_iter()
        .collect();
        let hints = write_hints(&props, &defs());
        assert_eq!(hints.len(), 2, "{hints:?}");
        assert!(hints
            .iter()
            .any(|h| h.ends_with("(did you mean `hs_ticket_priority`?)")));
        assert!(hints.iter().any(|h| h.ends_with("(did you mean `HIGH`?)")));
    }

    #[test]
    fn good_filters_and_association_paths_give_no_hint() {
        let hints = search_hints(
            &req(vec![
                Filter::new("hs_ticket_priority", Operator::Eq, "HIGH"),
                Filter::new("subject", Operator::Eq, "anything"),
                Filter::new("associations.contact", Operator::Eq, "5"),
            ]),
            &defs(),
        );
        assert!(hints.is_empty(), "{hints:?}");
    }
}
