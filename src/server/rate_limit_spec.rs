//! `--rate-limit 100/10s`: how many requests the server lets through per rolling window. Parsing
//! and printing only; the limiter itself is in `limiter.rs`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::duration::{format_duration, parse_duration};
use super::spec_error::SpecError;
use crate::model::limits;

const EXPECTED: &str = "<requests>/<window>, e.g. 100/10s";

/// A rolling-window request budget: at most `max` requests in any `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSpec {
    /// Requests allowed in one window (sent as `X-HubSpot-RateLimit-Max`).
    pub max: u32,
    /// The window (sent as `X-HubSpot-RateLimit-Interval-Milliseconds`).
    pub interval: Duration,
}

impl RateLimitSpec {
    /// HubSpot's private-app burst limit on the Free and Starter tiers.
    pub const HUBSPOT_DEFAULT: Self = Self {
        max: limits::BURST_REQUESTS,
        interval: limits::BURST_WINDOW,
    };

    /// HubSpot's search limit: 5 requests per second.
    pub const SEARCH: Self = Self {
        max: limits::SEARCH_REQUESTS,
        interval: limits::SEARCH_WINDOW,
    };
}

impl FromStr for RateLimitSpec {
    type Err = SpecError;

    /// Reads `<max>/<interval>`; the interval may omit its number (`5/s` is `5/1s`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(SpecError::Empty { expected: EXPECTED });
        }
        let (max, interval) = s.split_once('/').ok_or_else(|| SpecError::Shape {
            input: s.to_string(),
            expected: EXPECTED,
        })?;
        let max = max.trim();
        let max: u32 = match max.parse() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(SpecError::Count {
                    input: max.to_string(),
                })
            }
        };
        let interval = interval.trim();
        let interval = if interval.starts_with(|c: char| c.is_ascii_alphabetic()) {
            parse_duration(&format!("1{interval}"))
        } else {
            parse_duration(interval)
        }?;
        if interval.is_zero() {
            return Err(SpecError::Duration {
                input: interval_text(s),
                reason: "the window must be longer than zero".into(),
            });
        }
        Ok(Self { max, interval })
    }
}

fn interval_text(s: &str) -> String {
    s.split_once('/').map_or(s, |(_, i)| i).to_string()
}

impl fmt::Display for RateLimitSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.max, format_duration(self.interval))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hubspot_forms() {
        let spec: RateLimitSpec = "100/10s".parse().unwrap();
        assert_eq!(spec, RateLimitSpec::HUBSPOT_DEFAULT);
        let spec: RateLimitSpec = " 5 / 1s ".parse().unwrap();
        assert_eq!(spec, RateLimitSpec::SEARCH);
        let spec: RateLimitSpec = "5/s".parse().unwrap();
        assert_eq!(spec, RateLimitSpec::SEARCH);
        let spec: RateLimitSpec = "3/500ms".parse().unwrap();
        assert_eq!(spec.interval, Duration::from_millis(500));
        assert_eq!(spec.to_string(), "3/500ms");
        assert_eq!(RateLimitSpec::HUBSPOT_DEFAULT.to_string(), "100/10s");
    }

    #[test]
    fn errors_name_the_bad_part() {
        let e = "".parse::<RateLimitSpec>().unwrap_err();
        assert!(matches!(e, SpecError::Empty { .. }), "{e}");
        let e = "100".parse::<RateLimitSpec>().unwrap_err();
        assert!(e.to_string().contains("`100` is not of the form"), "{e}");
        let e = "abc/10s".parse::<RateLimitSpec>().unwrap_err();
        assert!(e.to_string().contains("`abc`"), "{e}");
        let e = "0/10s".parse::<RateLimitSpec>().unwrap_err();
        assert!(matches!(e, SpecError::Count { .. }), "{e}");
        let e = "100/10".parse::<RateLimitSpec>().unwrap_err();
        assert!(e.to_string().contains("unit is required"), "{e}");
        let e = "100/10x".parse::<RateLimitSpec>().unwrap_err();
        assert!(e.to_string().contains("`10x`"), "{e}");
        let e = "100/2d".parse::<RateLimitSpec>().unwrap_err();
        assert!(e.to_string().contains("`2d`"), "{e}");
        let e = "100/0s".parse::<RateLimitSpec>().unwrap_err();
        assert!(e.to_string().contains("longer than zero"), "{e}");
    }
}
