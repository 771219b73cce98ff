//! Parsing and printing the short durations of `--rate-limit` and `--faults` (`20ms`, `1s`,
//! `1.5s`, `2m`). Pure functions, no I/O.

use std::time::Duration;

use super::spec_error::SpecError;

/// Parses `<number><unit>` with unit `ms`, `s` or `m`; the number may have a fraction.
pub(crate) fn parse_duration(input: &str) -> Result<Duration, SpecError> {
    let s = input.trim();
    let err = |reason| SpecError::Duration {
        input: input.to_string(),
        reason,
    };
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| err("a unit is required"))?;
    let (number, unit) = s.split_at(split);
    if number.is_empty() {
        return Err(err("a number is required before the unit"));
    }
    let value: f64 = number.parse().map_err(|_| err("bad number"))?;
    let millis_per_unit = match unit {
        "ms" => 1.0,
        "s" => 1_000.0,
        "m" | "min" => 60_000.0,
        _ => return Err(err("the unit must be ms, s or m")),
    };
    let millis = value * millis_per_unit;
    // Durations above a day are certainly typos for a test server.
    if !millis.is_finite() || millis > 86_400_000.0 {
        return Err(err("too long"));
    }
    Ok(Duration::from_micros((millis * 1_000.0).round() as u64))
}

/// Prints a duration in the shortest form [`parse_duration`] reads back.
pub(crate) fn format_duration(d: Duration) -> String {
    if d.as_secs() > 0 && d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else if d.subsec_nanos() % 1_000_000 == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}ms", d.as_secs_f64() * 1_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_fractions() {
        assert_eq!(parse_duration("20ms").unwrap(), Duration::from_millis(20));
        assert_eq!(parse_duration("1s").unwrap(), Duration::from_secs(1));
        assert_eq!(
            parse_duration("1.5s").unwrap(),
            Duration::from_millis(1_500)
        );
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("0ms").unwrap(), Duration::ZERO);
    }

    #[test]
    fn rejects_missing_unit_number_or_bad_unit() {
        for bad in ["20", "ms", "20h", "1.2.3s", "", "-1s", "1e9m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
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
