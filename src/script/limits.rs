//! Every safety limit of the script engine, set in one place so a reviewer sees them together.
//!
//! Owns the numbers and [`apply`], which sets each of them explicitly on an engine (never
//! relying on Rhai's defaults). It must not hold per-run state: the wall-clock timeout and
//! cancellation live in the run context and the `on_progress` hook.

use rhai::Engine;

/// Largest script file compiled, in bytes (checked before parsing).
pub const MAX_SCRIPT_BYTES: usize = 1024 * 1024;
/// Operations one run may perform. A backstop only: runs without a timeout still end. A
/// 10,000-ticket report at a few hundred operations per ticket stays far below it.
pub const MAX_OPERATIONS: u64 = 500_000_000;
/// Nested script function calls.
pub const MAX_CALL_LEVELS: usize = 64;
/// Nesting of expressions at the top level.
pub const MAX_EXPR_DEPTH: usize = 64;
/// Nesting of expressions inside functions.
pub const MAX_FUNCTION_EXPR_DEPTH: usize = 32;
/// Bytes of one string, and of all the strings in one value the script builds (what the host
/// returned not counted: see "Data sizes" below).
pub const MAX_STRING_SIZE: usize = 64 * 1024 * 1024;
/// Items of the arrays in one value the script builds; also the most one bulk call takes or
/// builds (`to_array()`, `read_many`, the `*_many` inputs).
pub const MAX_ARRAY_SIZE: usize = 100_000;
/// Entries of one map the script builds (its own keys: the input of a bulk call at its maximum
/// is 100,000 small maps in a list, and a map of tickets by id holds as many keys).
pub const MAX_MAP_SIZE: usize = 100_000;
/// Variables alive at once.
pub const MAX_VARIABLES: usize = 2_000;
/// Script functions defined in one script.
pub const MAX_FUNCTIONS: usize = 500;
/// Modules a script may import: none (imports are also disabled as a keyword).
pub const MAX_MODULES: usize = 0;
/// The `on_progress` hook reads the clock once every this many operations.
pub const CLOCK_CHECK_EVERY: u64 = 1024;
/// Compiled scripts kept in the AST cache (cleared whole when full).
pub const AST_CACHE_ENTRIES: usize = 128;
/// Script runs executing at once per host (others wait for a slot; cron and watch triggers
/// can otherwise pile up blocking threads).
pub const MAX_CONCURRENT_RUNS: usize = 8;
/// Default write cap of a run against a live portal when neither the options nor the header
/// give one.
pub const DEFAULT_LIVE_MAX_WRITES: u64 = 100;

/// Wall-clock limit of a run when neither the flag nor the header sets one: a script that hangs
/// (an endless loop, a stuck call) must not hold a daemon slot forever. Ten minutes leaves room
/// for a nightly job walking tens of thousands of tickets; set `timeout` in the header for more.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// Longest duration hubscript accepts anywhere (`--timeout`, `--grace`, a header's `timeout`
/// or `jitter`, `sleep`): one week. Nothing a script host does needs longer, and every
/// deadline computed from it stays far inside what the clock types can hold (an absurd value
/// such as `18446744073709551615s` would overflow them).
pub const MAX_DURATION: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// `d` if it is at most [`MAX_DURATION`], else an error naming the limit.
pub fn check_duration(d: std::time::Duration) -> Result<std::time::Duration, String> {
    if d > MAX_DURATION {
        return Err(format!(
            "{} is too long: at most {} (7 days)",
            humantime::format_duration(d),
            humantime::format_duration(MAX_DURATION)
        ));
    }
    Ok(d)
}

/// Sets every limit on `engine`.
///
/// **Data sizes** (issue 18). Rhai's own size limits are switched off (0), on purpose: Rhai
/// checks them on every function result and every mutating method by walking the whole value
/// and summing what it holds, so a search turned into an array failed at about 1,400 tickets
/// and `update_many` failed on its answer after its writes had landed, and every `push` onto
/// a long list re-walked it. What HubSpot returns is bounded by the API's own caps instead
/// (at most [`MAX_ARRAY_SIZE`] tickets per bulk call, 100 per HubSpot request), and the
/// script's own runaway data by three things: the run's memory budget (`memory.rs`, which
/// stops the script at its line), the nesting limit, and [`MAX_STRING_SIZE`],
/// [`MAX_ARRAY_SIZE`] and [`MAX_MAP_SIZE`] applied by `value_limits.rs` to every string,
/// list and map the script grows, counting what the script added and not the tickets it holds.
pub fn apply(engine: &mut Engine) {
    engine
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(MAX_CALL_LEVELS)
        .set_max_expr_depths(MAX_EXPR_DEPTH, MAX_FUNCTION_EXPR_DEPTH)
        .set_max_string_size(0)
        .set_max_array_size(0)
        .set_max_map_size(0)
        .set_max_variables(MAX_VARIABLES)
        .set_max_functions(MAX_FUNCTIONS)
        .set_max_modules(MAX_MODULES);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn durations_are_range_checked() {
        assert_eq!(check_duration(MAX_DURATION), Ok(MAX_DURATION));
        let e = check_duration(Duration::from_secs(u64::MAX)).unwrap_err();
        assert!(e.contains("too long: at most 7days"), "{e}");
    }
}
