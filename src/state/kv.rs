//! The per-script key-value store behind `state::get/set/add/remove`, and the daemon's last
//! fire times. Values are JSON; keys are scoped by script name so two rules never see each
//! other's memory. `state::add` is the one read-modify-write: the store does it in one
//! transaction holding the row's lock, so two replicas counting at once never lose an
//! increment (a `get` then `set` in a script can). The arithmetic is here ([`add_json`]), the
//! locking in each store.

use chrono::{DateTime, Utc};

use super::{StateDb, StateError};

/// `state::add` on something that is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("state::add: {0}")]
pub struct AddError(String);

/// `current + by`, both JSON numbers (a missing value counts as 0). Integers stay integers
/// (checked: an overflow is an error, not a wrap); a float on either side gives a float.
pub(crate) fn add_json(
    current: Option<&serde_json::Value>,
    by: &serde_json::Value,
) -> Result<serde_json::Value, AddError> {
    let zero = serde_json::Value::from(0);
    let current = current.unwrap_or(&zero);
    let (Some(a), Some(b)) = (current.as_number(), by.as_number()) else {
        let what = if by.is_number() {
            format!("the stored value {current} is not a number")
        } else {
            format!("the amount {by} is not a number")
        };
        return Err(AddError(what));
    };
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x
            .checked_add(y)
            .map(serde_json::Value::from)
            .ok_or_else(|| AddError(format!("{x} + {y} overflows a 64-bit integer")));
    }
    let sum = a.as_f64().unwrap_or(f64::NAN) + b.as_f64().unwrap_or(f64::NAN);
    serde_json::Number::from_f64(sum)
        .map(serde_json::Value::Number)
        .ok_or_else(|| AddError(format!("{a} + {b} is not a finite number")))
}

impl StateDb {
    /// The value stored under `key` for `script`.
    pub fn kv_get(&self, script: &str, key: &str) -> Result<Option<serde_json::Value>, StateError> {
        self.store.kv_get(script, key)
    }

    /// Stores `value` under `key` for `script`, replacing any previous value.
    pub fn kv_set(
        &self,
        script: &str,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<(), StateError> {
        self.store.kv_set(script, key, value)
    }

    /// Adds the number `by` to the number under `key` (missing: 0) atomically, and returns the
    /// new value: concurrent adds from any number of processes or machines all count.
    pub fn kv_add(
        &self,
        script: &str,
        key: &str,
        by: &serde_json::Value,
    ) -> Result<serde_json::Value, StateError> {
        // Refused before any lock is taken when the amount itself is wrong.
        if let Err(e) = add_json(None, by) {
            return Err(e.into());
        }
        self.store.kv_add(script, key, by)
    }

    /// Removes `key` for `script`; returns whether it existed.
    pub fn kv_remove(&self, script: &str, key: &str) -> Result<bool, StateError> {
        self.store.kv_remove(script, key)
    }

    /// Every key stored for `script`, sorted.
    pub fn kv_keys(&self, script: &str) -> Result<Vec<String>, StateError> {
        self.store.kv_keys(script)
    }

    /// When the daemon last fired `script` (its scheduled time, not when the run started).
    pub fn last_fire(&self, script: &str) -> Result<Option<DateTime<Utc>>, StateError> {
        self.store.last_fire(script)
    }

    /// Records that the daemon fired `script` for the scheduled time `at`. The recorded time
    /// never moves backwards: a replica that is late does not undo a newer fire.
    pub fn set_last_fire(&self, script: &str, at: DateTime<Utc>) -> Result<(), StateError> {
        self.store.set_last_fire(script, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn add_keeps_integers_and_refuses_what_is_not_a_number() {
        assert_eq!(add_json(None, &json!(2)).unwrap(), json!(2));
        assert_eq!(add_json(Some(&json!(40)), &json!(2)).unwrap(), json!(42));
        assert_eq!(add_json(Some(&json!(1)), &json!(0.5)).unwrap(), json!(1.5));
        assert_eq!(add_json(Some(&json!(-3)), &json!(-4)).unwrap(), json!(-7));
        let e = add_json(Some(&json!("x")), &json!(1)).unwrap_err();
        assert!(
            e.to_string().contains("stored value \"x\" is not a number"),
            "{e}"
        );
        let e = add_json(Some(&json!(1)), &json!([1])).unwrap_err();
        assert!(e.to_string().contains("amount [1] is not a number"), "{e}");
        let e = add_json(Some(&json!(i64::MAX)), &json!(1)).unwrap_err();
        assert!(e.to_string().contains("overflows"), "{e}");
    }
}
