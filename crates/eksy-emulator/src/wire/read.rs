//! An operation's input from the URI labels, query string, headers and JSON body.

use super::request::WireRequest;
use super::shapes::{location_name, members, target};
use super::validate::validation_error;
use crate::error::AwsError;
use crate::model::{model, Operation};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Converts a textual (URI, query, header) value to the JSON form of its shape type.
fn from_text(kind: &str, text: &str, member: &str) -> Result<Value, String> {
    let type_error = || {
        format!(
            "Value '{text}' at '{member}' failed to satisfy constraint: Member must be of type {kind}"
        )
    };
    Ok(match kind {
        "integer" | "long" => Value::from(text.trim().parse::<i64>().map_err(|_| type_error())?),
        "float" | "double" | "timestamp" => {
            let n = text.trim().parse::<f64>().map_err(|_| type_error())?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(type_error)?
        }
        "boolean" => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(type_error()),
        },
        _ => Value::String(text.to_string()),
    })
}

/// Reads the input of `op` from the request. Errors are `SerializationException` (body is
/// not a JSON object) or `InvalidParameterException` (a textual member of the wrong type).
pub fn read_input(
    op: &Operation,
    labels: &HashMap<String, String>,
    req: &WireRequest,
) -> Result<Value, AwsError> {
    let m = model();
    let mut input = Map::new();
    let (Some(service), Some(shape)) = (
        m.service_of(op),
        op.input_shape
            .as_deref()
            .and_then(|s| m.service_of(op).and_then(|svc| svc.shape(s))),
    ) else {
        return Ok(Value::Object(input));
    };
    let mut body: Option<Map<String, Value>> = None;
    let mut errors = Vec::new();
    for (name, member) in members(shape) {
        let wire_name = location_name(name, member);
        let (kind, target_shape) = target(service, member);
        let mut textual = |text: &str| match from_text(kind, text, name) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let value = match member.get("location").and_then(Value::as_str) {
            Some("uri") => labels.get(wire_name).and_then(|t| textual(t)),
            Some("querystring") => match kind {
                "list" => {
                    let item_kind = target_shape
                        .and_then(|s| s.get("member"))
                        .map(|item| target(service, item).0)
                        .unwrap_or("string");
                    let mut items = Vec::new();
                    for text in req.query_values(wire_name) {
                        match from_text(item_kind, text, name) {
                            Ok(v) => items.push(v),
                            Err(e) => errors.push(e),
                        }
                    }
                    (!items.is_empty()).then_some(Value::Array(items))
                }
                "map" => {
                    let pairs: Map<String, Value> = req
                        .query
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect();
                    (!pairs.is_empty()).then_some(Value::Object(pairs))
                }
                _ => req.query_values(wire_name).next().and_then(&mut textual),
            },
            Some("header") => match kind {
                "list" => req.header(wire_name).map(|h| {
                    Value::Array(
                        h.split(',')
                            .map(|s| Value::String(s.trim().to_string()))
                            .collect(),
                    )
                }),
                _ => req.header(wire_name).and_then(&mut textual),
            },
            Some("headers") => {
                let prefix = wire_name.to_ascii_lowercase();
                let pairs: Map<String, Value> = req
                    .headers
                    .iter()
                    .filter_map(|(k, v)| {
                        k.strip_prefix(&prefix)
                            .map(|rest| (rest.to_string(), Value::String(v.clone())))
                    })
                    .collect();
                (!pairs.is_empty()).then_some(Value::Object(pairs))
            }
            Some(_) => None,
            None => {
                if body.is_none() {
                    body = Some(parse_body(&req.body)?);
                }
                body.as_ref().and_then(|b| b.get(wire_name)).cloned()
            }
        };
        if let Some(value) = value {
            input.insert(name.clone(), value);
        }
    }
    if !errors.is_empty() {
        return Err(validation_error(errors));
    }
    Ok(Value::Object(input))
}

fn parse_body(raw: &[u8]) -> Result<Map<String, Value>, AwsError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AwsError::new(
            "SerializationException",
            "Start of structure or map found where not expected: the request body must be a JSON object",
        )),
        Err(e) => Err(AwsError::new(
            "SerializationException",
            format!("Could not parse the request body as JSON: {e}"),
        )),
    }
}
