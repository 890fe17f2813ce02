//! The input against the model's constraints, reported as AWS words it.

use super::shapes::{members, shape_type};
use crate::error::AwsError;
use crate::model::{model, Operation, Service};
use regex_lite::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

pub(super) fn validation_error(errors: Vec<String>) -> AwsError {
    let n = errors.len();
    let plural = if n == 1 { "error" } else { "errors" };
    AwsError::invalid_parameter(format!(
        "{n} validation {plural} detected: {}",
        errors.join("; ")
    ))
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::String(s) => format!("'{s}'"),
        other => format!("'{other}'"),
    }
}

/// Compiled `pattern` constraints of the model, keyed by pattern text.
fn pattern(text: &str) -> Option<&'static Regex> {
    static PATTERNS: OnceLock<HashMap<String, Regex>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            model()
                .services
                .iter()
                .flat_map(|s| s.pattern_texts())
                .filter_map(|p| Regex::new(&p).ok().map(|r| (p, r)))
                .collect()
        })
        .get(text)
}

impl Service {
    fn pattern_texts(&self) -> Vec<String> {
        self.shape_names()
            .filter_map(|n| self.shape(n))
            .filter_map(|s| s.get("pattern").and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    }
}

/// Validates `input` against the operation's input shape: required members, JSON types,
/// enums, lengths, ranges and patterns. Errors name members the way AWS does.
pub fn validate_input(op: &Operation, input: &Value) -> Result<(), AwsError> {
    let m = model();
    let Some(service) = m.service_of(op) else {
        return Ok(());
    };
    let mut errors = Vec::new();
    if let Some(shape_name) = op.input_shape.as_deref() {
        validate(service, shape_name, input, "", &mut errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(validation_error(errors))
    }
}

const MAX_REPORTED: usize = 10;

fn validate(
    service: &Service,
    shape_name: &str,
    value: &Value,
    path: &str,
    errors: &mut Vec<String>,
) {
    if errors.len() >= MAX_REPORTED {
        return;
    }
    let Some(shape) = service.shape(shape_name) else {
        return;
    };
    let kind = shape_type(shape);
    let fail = |errors: &mut Vec<String>, constraint: String| {
        errors.push(format!(
            "Value {} at '{path}' failed to satisfy constraint: Member must {constraint}",
            show(value)
        ));
    };
    let num = |key: &str| shape.get(key).and_then(Value::as_f64);
    let check_length = |errors: &mut Vec<String>, len: usize| {
        if let Some(min) = num("min").filter(|min| (len as f64) < *min) {
            fail(
                errors,
                format!("have length greater than or equal to {min}"),
            );
        }
        if let Some(max) = num("max").filter(|max| (len as f64) > *max) {
            fail(errors, format!("have length less than or equal to {max}"));
        }
    };
    match (kind, value) {
        ("structure", Value::Object(map)) => {
            let required = shape.get("required").and_then(Value::as_array);
            for name in required.into_iter().flatten().filter_map(Value::as_str) {
                if map.get(name).is_none_or(Value::is_null) {
                    errors.push(format!(
                        "Value null at '{}' failed to satisfy constraint: Member must not be null",
                        join(path, name)
                    ));
                }
            }
            for (name, member) in members(shape) {
                if let Some(v) = map.get(name).filter(|v| !v.is_null()) {
                    let child = member.get("shape").and_then(Value::as_str).unwrap_or("");
                    validate(service, child, v, &join(path, name), errors);
                }
            }
        }
        ("list", Value::Array(items)) => {
            check_length(errors, items.len());
            let item_shape = shape
                .pointer("/member/shape")
                .and_then(Value::as_str)
                .unwrap_or("");
            for (i, item) in items.iter().enumerate() {
                validate(
                    service,
                    item_shape,
                    item,
                    &format!("{path}.{}.member", i + 1),
                    errors,
                );
            }
        }
        ("map", Value::Object(entries)) => {
            check_length(errors, entries.len());
            let key_shape = shape
                .pointer("/key/shape")
                .and_then(Value::as_str)
                .unwrap_or("");
            let value_shape = shape
                .pointer("/value/shape")
                .and_then(Value::as_str)
                .unwrap_or("");
            for (k, v) in entries {
                let key_path = format!("{path}.{k}");
                validate(
                    service,
                    key_shape,
                    &Value::String(k.clone()),
                    &key_path,
                    errors,
                );
                validate(service, value_shape, v, &key_path, errors);
            }
        }
        ("string" | "blob", Value::String(s)) => {
            if let Some(allowed) = shape.get("enum").and_then(Value::as_array) {
                if !allowed.iter().any(|a| a.as_str() == Some(s)) {
                    let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    fail(
                        errors,
                        format!("satisfy enum value set: [{}]", names.join(", ")),
                    );
                }
            }
            check_length(errors, s.chars().count());
            if let Some(p) = shape.get("pattern").and_then(Value::as_str) {
                if pattern(p).is_some_and(|re| !re.is_match(s)) {
                    fail(errors, format!("satisfy regular expression pattern: {p}"));
                }
            }
        }
        ("integer" | "long", Value::Number(n)) if n.is_i64() || n.is_u64() => {
            let v = n.as_f64().unwrap_or(0.0);
            let in_type_range =
                kind == "long" || n.as_i64().is_some_and(|i| i32::try_from(i).is_ok());
            if !in_type_range {
                fail(errors, format!("be of type {kind}"));
            }
            if let Some(min) = num("min").filter(|min| v < *min) {
                fail(errors, format!("have value greater than or equal to {min}"));
            }
            if let Some(max) = num("max").filter(|max| v > *max) {
                fail(errors, format!("have value less than or equal to {max}"));
            }
        }
        ("float" | "double" | "timestamp", Value::Number(_))
        | ("boolean", Value::Bool(_))
        | ("document", _) => {}
        _ => fail(errors, format!("be of type {kind}")),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}
