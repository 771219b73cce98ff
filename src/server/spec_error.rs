//! Why a `--rate-limit` or `--faults` value did not parse. Each variant names the offending part
//! of the input, so the CLI can print it as is. Pure data: no I/O.

/// A malformed [`super::RateLimitSpec`] or [`super::FaultSpec`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The whole value is empty.
    #[error("empty value: expected {expected}")]
    Empty {
        /// What the value should look like.
        expected: &'static str,
    },
    /// The value does not have the expected overall shape.
    #[error("`{input}` is not of the form {expected}")]
    Shape {
        /// The offending input.
        input: String,
        /// What the value should look like.
        expected: &'static str,
    },
    /// A count is not a positive integer.
    #[error("`{input}` is not a positive whole number of requests")]
    Count {
        /// The offending part.
        input: String,
    },
    /// A duration is malformed or zero where zero makes no sense.
    #[error("`{input}` is not a duration: {reason} (examples: 20ms, 1s, 1s 500ms, 2m)")]
    Duration {
        /// The offending part.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A fault key is not one of `429`, `500`, `timeout`, `latency`.
    #[error("unknown fault `{key}`: expected 429, 500, timeout or latency")]
    UnknownKey {
        /// The unknown key.
        key: String,
    },
    /// A fault key appears twice.
    #[error("fault `{key}` is given twice")]
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// A probability is not a number in 0..=1.
    #[error("probability of `{key}` must be a number from 0 to 1, not `{value}`")]
    Probability {
        /// The fault it belongs to.
        key: String,
        /// The offending value.
        value: String,
    },
    /// The probabilities add up to more than 1.
    #[error("the fault probabilities add up to {sum}, more than 1")]
    ProbabilitySum {
        /// Their sum.
        sum: f64,
    },
}
