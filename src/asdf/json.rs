//! The tree as JSON for `header --json`: mappings as objects in document
//! order, sequences as arrays, and every tagged node as
//! `{"tag": "<full tag>", "value": <node>}`. Integers beyond 64 bits are
//! written with every digit; non-finite floats as the strings `"nan"`,
//! `"inf"`, `"-inf"` (JSON has no such numbers); a key repeated in one
//! mapping keeps its first value. Pure.

use std::collections::HashSet;

use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};

use super::tree::{Node, Value};

/// Serializes a node (and everything below it) in document order.
pub struct TreeJson<'a>(pub &'a Node);

/// A node's value without its tag.
struct Untagged<'a>(&'a Value);

impl Serialize for TreeJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0.tag {
            Some(tag) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("tag", &tag.full)?;
                map.serialize_entry("value", &Untagged(&self.0.value))?;
                map.end()
            }
            None => Untagged(&self.0.value).serialize(serializer),
        }
    }
}

impl Serialize for Untagged<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => match (i64::try_from(*i), u64::try_from(*i)) {
                (Ok(i), _) => serializer.serialize_i64(i),
                (_, Ok(u)) => serializer.serialize_u64(u),
                _ => serde_json::value::RawValue::from_string(i.to_string())
                    .map_err(S::Error::custom)?
                    .serialize(serializer),
            },
            Value::Float(f) if f.is_finite() => serializer.serialize_f64(*f),
            Value::Float(f) if f.is_nan() => serializer.serialize_str("nan"),
            Value::Float(f) => serializer.serialize_str(if *f > 0.0 { "inf" } else { "-inf" }),
            Value::Str(s) => serializer.serialize_str(s),
            Value::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&TreeJson(item))?;
                }
                seq.end()
            }
            Value::Map(entries) => {
                let mut seen = HashSet::new();
                let mut map = serializer.serialize_map(None)?;
                for (key, value) in entries {
                    if seen.insert(key.as_str()) {
                        map.serialize_entry(key, &TreeJson(value))?;
                    }
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse_tree;
    use super::*;

    #[test]
    fn tags_wrap_their_values_in_document_order() {
        let yaml = "%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\nb: !core/ndarray-1.0.0 {source: 0}\na: [1, .nan, 99999999999999999999, 18446744073709551615, -.inf]\nb: 2\n...\n";
        let root = parse_tree(yaml).unwrap().unwrap();
        let text = serde_json::to_string(&TreeJson(&root)).unwrap();
        assert_eq!(
            text,
            r#"{"tag":"tag:stsci.edu:asdf/core/asdf-1.1.0","value":{"b":{"tag":"tag:stsci.edu:asdf/core/ndarray-1.0.0","value":{"source":0}},"a":[1,"nan",99999999999999999999,18446744073709551615,"-inf"]}}"#
        );
    }
}
