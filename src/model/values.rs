//! Property value maps. On output HubSpot sends every value as a string, or `null` for a
//! requested property that has no value. On input it accepts strings, numbers and booleans and
//! stores them as strings; objects and arrays are rejected with a message that names the
//! property.

use std::collections::BTreeMap;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// Property values as returned by HubSpot: name to string, or `null` when the property was
/// requested and is defined but has no value.
pub type PropertyMap = BTreeMap<String, Option<String>>;

/// Property values as sent to HubSpot. Numbers and booleans in JSON input are accepted and kept
/// as their string form; `null` becomes the empty string (which clears the value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct InputProperties(pub BTreeMap<String, String>);

impl InputProperties {
    /// An empty set of properties.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builder-style insert.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for InputProperties {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl std::ops::Deref for InputProperties {
    type Target = BTreeMap<String, String>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for InputProperties {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<'de> Deserialize<'de> for InputProperties {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = InputProperties;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of property names to string, number or boolean values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: serde_json::Value = map.next_value()?;
                    let s = match value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Number(n) => n.to_string(),
                        serde_json::Value::Bool(b) => b.to_string(),
                        serde_json::Value::Null => String::new(),
                        other => {
                            return Err(de::Error::custom(format!(
                                "property `{key}` must be a string, number or boolean, not {}",
                                json_kind(&other)
                            )))
                        }
                    };
                    out.insert(key, s);
                }
                Ok(InputProperties(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A short name for a JSON value's kind, for error messages.
pub(crate) fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Deserialises a JSON scalar (string, number or boolean) as a string. Used for search filter
/// values and ids, which HubSpot documents as strings but clients often send as numbers.
pub(crate) mod scalar_string {
    use serde::{de, Deserialize, Deserializer};

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(s),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            serde_json::Value::Bool(b) => Ok(b.to_string()),
            other => Err(de::Error::custom(format!(
                "expected a string or number, not {}",
                super::json_kind(&other)
            ))),
        }
    }

    pub(crate) mod opt {
        use serde::{de, Deserialize, Deserializer};

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<String>, D::Error> {
            match serde_json::Value::deserialize(d)? {
                serde_json::Value::Null => Ok(None),
                serde_json::Value::String(s) => Ok(Some(s)),
                serde_json::Value::Number(n) => Ok(Some(n.to_string())),
                serde_json::Value::Bool(b) => Ok(Some(b.to_string())),
                other => Err(de::Error::custom(format!(
                    "expected a string or number, not {}",
                    super::super::json_kind(&other)
                ))),
            }
        }
    }

    pub(crate) mod vec {
        use serde::{de, Deserialize, Deserializer};

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<String>, D::Error> {
            let v = Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default();
            v.into_iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => Ok(s),
                    serde_json::Value::Number(n) => Ok(n.to_string()),
                    serde_json::Value::Bool(b) => Ok(b.to_string()),
                    other => Err(de::Error::custom(format!(
                        "expected strings or numbers, not {}",
                        super::super::json_kind(&other)
                    ))),
                })
                .collect()
        }
    }
}

/// Deserialises `null` or a missing field as the type's default (HubSpot's clients send `null`
/// for unset optional lists).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_booleans_become_strings() {
        let p: InputProperties =
            serde_json::from_str(r#"{"a":"x","b":3,"c":true,"d":null,"e":1.5}"#).unwrap();
        assert_eq!(p["a"], "x");
        assert_eq!(p["b"], "3");
        assert_eq!(p["c"], "true");
        assert_eq!(p["d"], "");
        assert_eq!(p["e"], "1.5");
    }

    #[test]
    fn objects_are_rejected_with_the_property_name() {
        let err = serde_json::from_str::<InputProperties>(r#"{"subject":{"x":1}}"#).unwrap_err();
        assert!(err.to_string().contains("`subject`"), "{err}");
    }
}
