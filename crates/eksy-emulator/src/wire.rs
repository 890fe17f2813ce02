//! The REST-JSON wire layer, generic over the model: reading an operation's input from the
//! URI labels, query string, headers and JSON body; validating it against the input shape;
//! and laying an output value out as status, headers and JSON body.

use crate::error::AwsError;
use crate::model::{model, Operation, Service};
use percent_encoding::percent_decode_str;
use regex_lite::Regex;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A request as received, reduced to what the wire layer needs.
#[derive(Debug, Clone, Default)]
pub struct WireRequest {
    pub method: String,
    pub path: String,
    /// Decoded `(name, value)` pairs in order.
    pub query: Vec<(String, String)>,
    /// The query string as received (signatures are computed over it).
    pub raw_query: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: bytes::Bytes,
}

impl WireRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn query_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.query
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
            (decode(k), decode(v))
        })
        .collect()
}

fn shape_type(shape: &Value) -> &str {
    shape
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string")
}

fn members(shape: &Value) -> impl Iterator<Item = (&String, &Value)> {
    shape
        .get("members")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

fn target<'a>(service: &'a Service, member: &Value) -> (&'a str, Option<&'a Value>) {
    let name = member.get("shape").and_then(Value::as_str).unwrap_or("");
    match service.shape(name) {
        Some(shape) => (shape_type(shape), Some(shape)),
        None => ("string", None),
    }
}

fn location_name<'a>(name: &'a str, member: &'a Value) -> &'a str {
    member
        .get("locationName")
        .and_then(Value::as_str)
        .unwrap_or(name)
}

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

fn validation_error(errors: Vec<String>) -> AwsError {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(name: &str) -> &'static Operation {
        model().operation(name).unwrap()
    }

    #[test]
    fn reads_labels_query_and_body() {
        let req = WireRequest {
            method: "GET".into(),
            path: "/addons/supported-versions".into(),
            query: parse_query(
                "maxResults=5&types=networking&types=storage&kubernetesVersion=1.31",
            ),
            ..Default::default()
        };
        let input = read_input(op("DescribeAddonVersions"), &HashMap::new(), &req).unwrap();
        assert_eq!(
            input,
            json!({"kubernetesVersion": "1.31", "maxResults": 5, "types": ["networking", "storage"]})
        );
        let bad = WireRequest {
            query: parse_query("maxResults=abc"),
            ..Default::default()
        };
        let err = read_input(op("ListClusters"), &HashMap::new(), &bad).unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        assert!(err.message.contains("'maxResults'"), "{}", err.message);
    }

    #[test]
    fn validation_messages_name_members() {
        let err = validate_input(op("ListClusters"), &json!({"maxResults": 1000})).unwrap_err();
        assert_eq!(
            err.message,
            "1 validation error detected: Value '1000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"
        );
        let err = validate_input(
            op("CreateCluster"),
            &json!({"name": "-bad", "resourcesVpcConfig": {"subnetIds": [1]}, "tags": {"": "v"}}),
        )
        .unwrap_err();
        assert!(
            err.message.starts_with("4 validation errors"),
            "{}",
            err.message
        );
        assert!(err.message.contains("at 'roleArn'"));
        assert!(err.message.contains("at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern"));
        assert!(err
            .message
            .contains("at 'resourcesVpcConfig.subnetIds.1.member'"));
        assert!(err.message.contains("at 'tags.'"));
        let err = validate_input(
            op("CreateNodegroup"),
            &json!({"clusterName": "c", "nodegroupName": "n", "subnets": [], "nodeRole": "r", "capacityType": "CHEAP"}),
        )
        .unwrap_err();
        assert!(err
            .message
            .contains("enum value set: [ON_DEMAND, SPOT, CAPACITY_BLOCK]"));
    }

    #[test]
    fn output_drops_unmodeled_members() {
        let out = write_output(op("ListClusters"), json!({"clusters": ["a"], "junk": 1}));
        assert_eq!(out.status, 200);
        assert_eq!(out.body, json!({"clusters": ["a"]}));
    }
}
