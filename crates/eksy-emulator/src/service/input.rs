//! Reading a request's input members, and shaping response bodies from resource bodies.

use serde_json::{json, Map, Value};

pub fn text<'a>(input: &'a Value, member: &str) -> &'a str {
    input.get(member).and_then(Value::as_str).unwrap_or("")
}

pub fn opt_text<'a>(input: &'a Value, member: &str) -> Option<&'a str> {
    input.get(member).and_then(Value::as_str)
}

pub fn present(input: &Value, member: &str) -> Option<Value> {
    input.get(member).filter(|v| !v.is_null()).cloned()
}

/// Copies the members present in `input` into `body`.
pub fn copy_members(body: &mut Map<String, Value>, input: &Value, members: &[&str]) {
    for member in members {
        if let Some(v) = present(input, member) {
            body.insert((*member).to_string(), v);
        }
    }
}

/// `{"key": value}` with `value` as JSON text when it is not already a string.
pub fn param(kind: &str, value: &Value) -> Value {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    json!({"type": kind, "value": text})
}

/// Merges `change` into `base`: objects key by key, anything else replaced.
pub fn merge(base: &Value, change: &Value) -> Value {
    match (base, change) {
        (Value::Object(b), Value::Object(c)) => {
            let mut out = b.clone();
            for (k, v) in c {
                let merged = merge(b.get(k).unwrap_or(&Value::Null), v);
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (_, change) => change.clone(),
    }
}

/// `{name: value}`, without the serialization round trip `json!` makes of a borrowed value.
pub fn single(name: &str, value: Value) -> Value {
    let mut out = Map::new();
    out.insert(name.into(), value);
    Value::Object(out)
}

/// `body` with its object members in `members` left out (internal bookkeeping such as the
/// `modifiedAt` a settled transition stamps on shapes that do not model it).
pub fn without(body: &Value, members: &[&str]) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !members.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Only the listed members of `body` (a summary shape of a full resource body).
pub fn pick(body: &Value, members: &[&str]) -> Value {
    let mut out = Map::new();
    copy_members(&mut out, body, members);
    Value::Object(out)
}
