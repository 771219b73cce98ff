//! `--faults 429=0.1,500=0.05,timeout=0.02,latency=20ms`: which failures the server injects and
//! how often. Parsing and printing only; the injection itself is in `faults.rs`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::duration::{format_duration, parse_duration};
use super::spec_error::SpecError;

const EXPECTED: &str = "key=value pairs, e.g. 429=0.1,500=0.05,timeout=0.02,latency=20ms";

/// Injected failures: each request draws once, so at most one of 429, 500 and timeout happens,
/// with the given probabilities (their sum is at most 1). `latency` delays every request.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultSpec {
    /// Probability of a `TEN_SECONDLY_ROLLING` 429.
    pub rate_limited: f64,
    /// Probability of a HubSpot-shaped 500.
    pub server_error: f64,
    /// Probability that the request is held and never answered.
    pub timeout: f64,
    /// Added to every request before it is processed.
    pub latency: Duration,
}

impl FromStr for FaultSpec {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(SpecError::Empty { expected: EXPECTED });
        }
        let mut spec = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for pair in s.split(',') {
            let (key, value) = pair.split_once('=').ok_or_else(|| SpecError::Shape {
                input: pair.trim().to_string(),
                expected: EXPECTED,
            })?;
            let (key, value) = (key.trim(), value.trim());
            if seen.contains(&key) {
                return Err(SpecError::DuplicateKey {
                    key: key.to_string(),
                });
            }
            match key {
                "429" => spec.rate_limited = probability(key, value)?,
                "500" => spec.server_error = probability(key, value)?,
                "timeout" => spec.timeout = probability(key, value)?,
                "latency" => spec.latency = parse_duration(value)?,
                _ => {
                    return Err(SpecError::UnknownKey {
                        key: key.to_string(),
                    })
                }
            }
            seen.push(key);
        }
        let sum = spec.rate_limited + spec.server_error + spec.timeout;
        // A little slack for sums such as 0.7 + 0.2 + 0.1 that exceed 1 in binary.
        if sum > 1.0 + 1e-9 {
            return Err(SpecError::ProbabilitySum { sum });
        }
        Ok(spec)
    }
}

fn probability(key: &str, value: &str) -> Result<f64, SpecError> {
    match value.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(SpecError::Probability {
            key: key.to_string(),
            value: value.to_string(),
        }),
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "429={},500={},timeout={},latency={}",
            self.rate_limited,
            self.server_error,
            self.timeout,
            format_duration(self.latency)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let spec: FaultSpec = "429=0.1,500=0.05,timeout=0.02,latency=20ms"
            .parse()
            .unwrap();
        assert_eq!(spec.rate_limited, 0.1);
        assert_eq!(spec.server_error, 0.05);
        assert_eq!(spec.timeout, 0.02);
        assert_eq!(spec.latency, Duration::from_millis(20));
        assert_eq!(spec.to_string().parse::<FaultSpec>().unwrap(), spec);
    }

    #[test]
    fn keys_are_optional_and_spaces_allowed() {
        let spec: FaultSpec = " 500 = 1 ".parse().unwrap();
        assert_eq!(spec.server_error, 1.0);
        assert_eq!(spec.rate_limited, 0.0);
        assert_eq!(spec.latency, Duration::ZERO);
        let spec: FaultSpec = "latency=1s".parse().unwrap();
        assert_eq!(spec.latency, Duration::from_secs(1));
        let spec: FaultSpec = "429=0.7,500=0.2,timeout=0.1".parse().unwrap();
        assert_eq!(spec.timeout, 0.1);
    }

    #[test]
    fn unknown_key_is_named() {
        let e = "429=0.1,503=0.2".parse::<FaultSpec>().unwrap_err();
        assert_eq!(e, SpecError::UnknownKey { key: "503".into() });
        assert!(e.to_string().contains("`503`"), "{e}");
    }

    #[test]
    fn bad_values_are_rejected() {
        let e = "429=1.5".parse::<FaultSpec>().unwrap_err();
        assert!(e.to_string().contains("`1.5`"), "{e}");
        let e = "500=-0.1".parse::<FaultSpec>().unwrap_err();
        assert!(matches!(e, SpecError::Probability { .. }), "{e}");
        let e = "timeout=abc".parse::<FaultSpec>().unwrap_err();
        assert!(matches!(e, SpecError::Probability { .. }), "{e}");
        let e = "latency=20".parse::<FaultSpec>().unwrap_err();
        assert!(matches!(e, SpecError::Duration { .. }), "{e}");
        let e = "429=0.6,500=0.5".parse::<FaultSpec>().unwrap_err();
        assert!(matches!(e, SpecError::ProbabilitySum { .. }), "{e}");
        let e = "429".parse::<FaultSpec>().unwrap_err();
        assert!(matches!(e, SpecError::Shape { .. }), "{e}");
        let e = "429=0.1,429=0.2".parse::<FaultSpec>().unwrap_err();
        assert!(matches!(e, SpecError::DuplicateKey { .. }), "{e}");
        assert!(matches!(
            "".parse::<FaultSpec>().unwrap_err(),
            SpecError::Empty { .. }
        ));
    }
}
