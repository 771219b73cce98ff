//! "Did you mean ...?": the nearest of a set of known names to a misspelled one, for every
//! message that refuses a name (header keys, API functions, ticket properties).
//!
//! One home for the rule of what counts as near, so every layer suggests alike: the candidate
//! with the highest Jaro-Winkler similarity (strsim, already in the tree through clap, whose
//! own suggestions use the same measure and threshold), compared case-insensitively, and only
//! when it is at least 0.8 similar, so a name unlike anything gets no suggestion rather than a
//! random one.

/// Similarity below which no suggestion is made (clap's threshold).
const THRESHOLD: f64 = 0.8;

/// The candidate nearest to `name`, if one is near enough. A case-insensitive match (`HIGH`
/// for `high`) is always the answer. Callers ask only about names they did not find.
pub fn nearest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted = name.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&wanted, &c.to_lowercase());
        if score >= THRESHOLD && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean `x`?)`, or nothing: to append to a message.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    nearest(name, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_known_name() {
        let fns = ["search", "get", "update", "create", "search_all"];
        assert_eq!(nearest("serch", fns), Some("search"));
        assert_eq!(nearest("updte", fns), Some("update"));
        assert_eq!(nearest("HIGH", ["LOW", "MEDIUM", "HIGH"]), Some("HIGH"));
        assert_eq!(nearest("high", ["LOW", "MEDIUM", "HIGH"]), Some("HIGH"));
        assert_eq!(
            nearest("hs_ticket_priorty", ["subject", "hs_ticket_priority"]),
            Some("hs_ticket_priority")
        );
    }

    #[test]
    fn unlike_names_get_no_suggestion() {
        assert_eq!(nearest("colour", ["description", "schedule"]), None);
        assert_eq!(did_you_mean("zzz", ["search"]), "");
        assert_eq!(
            did_you_mean("inf", ["info", "warn"]),
            " (did you mean `info`?)"
        );
    }
}
