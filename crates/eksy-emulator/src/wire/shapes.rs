//! Reading the model's shapes: types, members and their wire names.

use crate::model::Service;
use serde_json::Value;

pub(super) fn shape_type(shape: &Value) -> &str {
    shape
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string")
}

pub(super) fn members(shape: &Value) -> impl Iterator<Item = (&String, &Value)> {
    shape
        .get("members")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

pub(super) fn target<'a>(service: &'a Service, member: &Value) -> (&'a str, Option<&'a Value>) {
    let name = member.get("shape").and_then(Value::as_str).unwrap_or("");
    match service.shape(name) {
        Some(shape) => (shape_type(shape), Some(shape)),
        None => ("string", None),
    }
}

pub(super) fn location_name<'a>(name: &'a str, member: &'a Value) -> &'a str {
    member
        .get("locationName")
        .and_then(Value::as_str)
        .unwrap_or(name)
}
