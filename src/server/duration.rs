//! Parsing and printing the durations of `--rate-limit` and `--faults` (`20ms`, `1s`,
//! `1s 500ms`, `2m`) in hubscript's one duration dialect, `humantime`'s (the same as
//! `--timeout`, `--grace` and script headers). Pure functions, no I/O.

use std::time::Duration;

use super::spec_error::SpecError;

/// The longest duration accepted: anything above a day is certainly a typo for a test server.
const MAX: Duration = Duration::from_secs(24 * 60 * 60);

/// Parses a duration such as `20ms`, `10s`, `1s 500ms` or `2m`; a unit is required.
pub(crate) fn parse_duration(input: &str) -> Result<Duration, SpecError> {
    let err = |reason: String| SpecError::Duration {
        input: input.to_string(),
        reason,
    };
    let d = humantime::parse_duration(input.trim()).map_err(|e| match e {
        humantime::DurationError::UnknownUnit { unit, .. } if unit.is_empty() => {
            err("a unit is required".into())
        }
        other => err(other.to_string()),
    })?;
    if d > MAX {
        return Err(err("too long (at most a day)".into()));
    }
    Ok(d)
}

/// Prints a duration in a form [`parse_duration`] reads back (`10s`, `20ms`, `1s 500ms`).
pub(crate) fn format_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_compound_durations() {
        assert_eq!(parse_duration("20ms").unwrap(), Duration::from_millis(20));
        assert_eq!(parse_duration("1s").unwrap(), Duration::from_secs(1));
        assert_eq!(
            parse_duration("1s 500ms").unwrap(),
            Duration::from_millis(1_500)
        );
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("0ms").unwrap(), Duration::ZERO);
    }

    #[test]
    fn rejects_missing_unit_number_or_bad_unit() {
        for bad in ["20", "ms", "20x", "1.2.3s", "", "-1s", "1e9m", "2d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        let e = parse_duration("20").unwrap_err().to_string();
        assert!(e.contains("a unit is required"), "{e}");
        let e = parse_duration("25h").unwrap_err().to_string();
        assert!(e.contains("too long"), "{e}");
    }

    #[test]
    fn format_round_trips() {
        for d in ["10s", "20ms", "1500ms"] {
            let parsed = parse_duration(d).unwrap();
            assert_eq!(parse_duration(&format_duration(parsed)).unwrap(), parsed);
        }
        assert_eq!(format_duration(Duration::from_secs(10)), "10s");
    }
}
