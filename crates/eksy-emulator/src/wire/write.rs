//! An output value laid out as status, headers and JSON body.

use super::shapes::{location_name, members};
use crate::model::{model, Operation};
use serde_json::{Map, Value};

/// A response laid out from the output shape: status, extra headers and JSON body.
pub struct WireResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

/// Lays out an output value (keyed by member name) by the members' locations. Members the
/// output shape does not model are dropped so nothing unmodeled reaches the wire.
pub fn write_output(op: &Operation, output: Value) -> WireResponse {
    let m = model();
    let mut response = WireResponse {
        status: op.response_code,
        headers: Vec::new(),
        body: Value::Object(Map::new()),
    };
    let shape = op
        .output_shape
        .as_deref()
        .and_then(|s| m.service_of(op).and_then(|svc| svc.shape(s)));
    let (Some(shape), Value::Object(mut values)) = (shape, output) else {
        return response;
    };
    let mut body = Map::new();
    for (name, member) in members(shape) {
        let Some(value) = values.remove(name).filter(|v| !v.is_null()) else {
            continue;
        };
        let wire_name = location_name(name, member).to_string();
        match member.get("location").and_then(Value::as_str) {
            Some("header") => {
                let text = match &value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                response.headers.push((wire_name, text));
            }
            Some("statusCode") => {
                if let Some(code) = value.as_u64().and_then(|c| u16::try_from(c).ok()) {
                    response.status = code;
                }
            }
            _ => {
                body.insert(wire_name, value);
            }
        }
    }
    response.body = Value::Object(body);
    response
}
