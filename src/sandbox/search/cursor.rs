//! The `after` cursor of a search page: where the next page starts, as the position reached
//! (for HubSpot's 10,000-result cap) plus the sort key and id of the last ticket served, so
//! the next page is one index seek instead of skipping every earlier match (issue 18).
//!
//! HubSpot documents `after` as an integer offset formatted as a string; its clients pass it
//! back untouched, so any string works for them. An integer is still taken as an offset (a
//! caller may start a search at `"20"`); what this module writes is a dotted string that no
//! integer parse accepts: `{position}.{id}.{key}`, the key being `n` (no value), `i<int>`,
//! `r<float>` or `s<hex of the UTF-8 text>`. Clients must treat it as opaque, as HubSpot asks.

use rusqlite::types::Value;

/// Where a page starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Start {
    /// Skip this many matches (the first page, or an integer `after`).
    Offset(u64),
    /// Continue after the last ticket of the previous page.
    After(Cursor),
}

impl Start {
    /// How many matches come before this page.
    pub(super) fn position(&self) -> u64 {
        match self {
            Start::Offset(n) => *n,
            Start::After(c) => c.position,
        }
    }
}

/// The last ticket served and how many were served up to it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cursor {
    /// Matches served so far (the next page's first position).
    pub position: u64,
    /// The last ticket's id.
    pub id: i64,
    /// Its value of the sort property (`Null` when unset, or when sorting by id).
    pub key: Value,
}

impl Cursor {
    /// The `after` string.
    pub(super) fn encode(&self) -> String {
        let key = match &self.key {
            Value::Integer(i) => format!("i{i}"),
            Value::Real(r) => format!("r{r}"),
            Value::Text(s) => format!("s{}", hex(s.as_bytes())),
            Value::Blob(b) => format!("b{}", hex(b)),
            Value::Null => "n".to_string(),
        };
        format!("{}.{}.{key}", self.position, self.id)
    }

    /// Reads an `after` string written by [`Cursor::encode`]; `None` when it is not one.
    pub(super) fn decode(s: &str) -> Option<Cursor> {
        let mut parts = s.splitn(3, '.');
        let position = parts.next()?.parse().ok()?;
        let id = parts.next()?.parse().ok()?;
        let key = parts.next()?;
        let (tag, rest) = key.split_at_checked(1)?;
        let key = match tag {
            "n" if rest.is_empty() => Value::Null,
            "i" => Value::Integer(rest.parse().ok()?),
            "r" => Value::Real(rest.parse().ok()?),
            "s" => Value::Text(String::from_utf8(unhex(rest)?).ok()?),
            "b" => Value::Blob(unhex(rest)?),
            _ => return None,
        };
        Some(Cursor { position, id, key })
    }
}

/// Reads `after`: empty or absent is the first page, an integer an offset, else a cursor.
pub(super) fn parse_after(after: Option<&str>) -> Option<Start> {
    match after.map(str::trim) {
        None | Some("") => Some(Start::Offset(0)),
        Some(a) => match a.parse::<u64>() {
            Ok(n) => Some(Start::Offset(n)),
            Err(_) => Cursor::decode(a).map(Start::After),
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_integers_stay_offsets() {
        for key in [
            Value::Null,
            Value::Integer(-1_700_000_000_000),
            Value::Real(2.5),
            Value::Text("Login fails. Café; 100%".into()),
        ] {
            let c = Cursor {
                position: 200,
                id: 4711,
                key,
            };
            let s = c.encode();
            assert!(s.parse::<u64>().is_err(), "{s} must not read as an offset");
            assert_eq!(parse_after(Some(&s)), Some(Start::After(c)));
        }
        assert_eq!(parse_after(Some("20")), Some(Start::Offset(20)));
        assert_eq!(parse_after(Some(" ")), Some(Start::Offset(0)));
        assert_eq!(parse_after(None), Some(Start::Offset(0)));
        for bad in [
            "x", "1.2", "1.2.q", "1.2.s4", "1.2.sZZ", "-1", "1.x.n", "1.2.nn",
        ] {
            assert_eq!(parse_after(Some(bad)), None, "{bad}");
        }
    }
}
