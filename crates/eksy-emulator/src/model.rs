//! The botocore service models (EKS and EKS Auth), parsed once at first use, and routing
//! of an HTTP method + path to an operation from each operation's `http` trait.

use crate::ops::Op;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

static WIRE_MODEL_JSON: &str = include_str!("generated/wire_model.json");

/// One service of the wire model (`eks` or `eks-auth`).
pub struct Service {
    pub name: String,
    shapes: Map<String, Value>,
}

impl Service {
    pub fn shape(&self, name: &str) -> Option<&Value> {
        self.shapes.get(name)
    }

    pub fn shape_names(&self) -> impl Iterator<Item = &String> {
        self.shapes.keys()
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Label(String),
    Greedy(String),
}

/// One operation with its route and shapes.
pub struct Operation {
    pub service: usize,
    pub op: Op,
    pub name: String,
    pub method: String,
    segments: Vec<Segment>,
    pub input_shape: Option<String>,
    pub output_shape: Option<String>,
    pub response_code: u16,
}

impl Operation {
    fn literal_count(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }

    /// Matches decoded path segments; returns the label values on success.
    fn match_path(&self, path: &[String]) -> Option<HashMap<String, String>> {
        // Most routes fail on a literal, so check before allocating the labels.
        if !self.matches(path) {
            return None;
        }
        let mut labels = HashMap::new();
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(_) => {}
                Segment::Label(name) => {
                    labels.insert(name.clone(), path[i].clone());
                }
                Segment::Greedy(name) => {
                    labels.insert(name.clone(), path[i..].join("/"));
                }
            }
        }
        Some(labels)
    }

    fn matches(&self, path: &[String]) -> bool {
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(lit) => {
                    if path.get(i) != Some(lit) {
                        return false;
                    }
                }
                Segment::Label(_) => {
                    if path.get(i).is_none_or(String::is_empty) {
                        return false;
                    }
                }
                Segment::Greedy(_) => return path.len() > i,
            }
        }
        self.segments.len() == path.len()
    }
}

pub struct Model {
    pub services: Vec<Service>,
    pub operations: Vec<Operation>,
}

pub enum RouteMatch<'a> {
    Found(&'a Operation, HashMap<String, String>),
    /// The path exists for another method.
    WrongMethod,
    NotFound,
}

/// The parsed model; built once. The JSON is compiled in and covered by tests, so a parse
/// failure cannot happen at run time; it would yield an empty model rather than a panic.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::parse(WIRE_MODEL_JSON))
}

/// Splits a raw path into percent-decoded segments (without the leading slash).
pub fn split_path(raw_path: &str) -> Vec<String> {
    let trimmed = raw_path.strip_prefix('/').unwrap_or(raw_path);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

fn parse_template(uri: &str) -> Vec<Segment> {
    let path = uri.split('?').next().unwrap_or("");
    split_path(path)
        .into_iter()
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(label) => match label.strip_suffix('+') {
                    Some(greedy) => Segment::Greedy(greedy.to_string()),
                    None => Segment::Label(label.to_string()),
                },
                None => Segment::Literal(s),
            },
        )
        .collect()
}

impl Model {
    fn parse(text: &str) -> Model {
        let root: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let mut services = Vec::new();
        let mut operations = Vec::new();
        if let Some(root) = root.as_object() {
            // Entries that are not service models (e.g. an "@generated" note) are skipped.
            for (service_name, service) in
                root.iter().filter(|(_, s)| s.get("operations").is_some())
            {
                let index = services.len();
                let shapes = service
                    .get("shapes")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                services.push(Service {
                    name: service_name.clone(),
                    shapes,
                });
                let Some(ops) = service.get("operations").and_then(Value::as_object) else {
                    continue;
                };
                for (name, op) in ops {
                    // Every model operation is in the generated table (same model).
                    let Some(known) = Op::from_name(name) else {
                        continue;
                    };
                    let http = op.get("http").cloned().unwrap_or(Value::Null);
                    let shape_of = |key: &str| {
                        op.get(key)
                            .and_then(|v| v.get("shape"))
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    };
                    operations.push(Operation {
                        service: index,
                        op: known,
                        name: name.clone(),
                        method: http
                            .get("method")
                            .and_then(Value::as_str)
                            .unwrap_or("POST")
                            .to_string(),
                        segments: parse_template(
                            http.get("requestUri")
                                .and_then(Value::as_str)
                                .unwrap_or("/"),
                        ),
                        input_shape: shape_of("input"),
                        output_shape: shape_of("output"),
                        response_code: http
                            .get("responseCode")
                            .and_then(Value::as_u64)
                            .and_then(|c| u16::try_from(c).ok())
                            .unwrap_or(200),
                    });
                }
            }
        }
        // Most specific routes first, so `/addons/supported-versions` wins over a label.
        operations.sort_by_key(|op| std::cmp::Reverse(op.literal_count()));
        Model {
            services,
            operations,
        }
    }

    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.name == name)
    }

    pub fn service_of(&self, op: &Operation) -> Option<&Service> {
        self.services.get(op.service)
    }

    pub fn route(&self, method: &str, raw_path: &str) -> RouteMatch<'_> {
        let path = split_path(raw_path);
        let mut path_exists = false;
        for op in &self.operations {
            if let Some(labels) = op.match_path(&path) {
                if op.method.eq_ignore_ascii_case(method) {
                    return RouteMatch::Found(op, labels);
                }
                path_exists = true;
            }
        }
        if path_exists {
            RouteMatch::WrongMethod
        } else {
            RouteMatch::NotFound
        }
    }

    /// A path that reaches `op` with the given label values (percent-encoded).
    #[cfg(test)]
    pub fn render_path(op: &Operation, labels: &HashMap<String, String>) -> String {
        let mut out = String::new();
        for segment in &op.segments {
            out.push('/');
            match segment {
                Segment::Literal(lit) => out.push_str(lit),
                Segment::Label(name) | Segment::Greedy(name) => {
                    let value = labels.get(name).map(String::as_str).unwrap_or("x");
                    out.extend(percent_encoding::utf8_percent_encode(
                        value,
                        percent_encoding::NON_ALPHANUMERIC,
                    ));
                }
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    }

    /// The HTTP status for a modeled error code, searching every service.
    pub fn error_status(&self, code: &str) -> Option<u16> {
        self.services.iter().find_map(|s| {
            s.shape(code)
                .filter(|shape| shape.get("exception").is_some())
                .and_then(|shape| shape.pointer("/error/httpStatusCode"))
                .and_then(Value::as_u64)
                .and_then(|c| u16::try_from(c).ok())
        })
    }

    /// Whether the error shape `code` (in the EKS service) has a member `field`.
    pub fn error_has_field(&self, code: &str, field: &str) -> bool {
        self.services.iter().any(|s| {
            s.shape(code)
                .and_then(|shape| shape.get("members"))
                .and_then(|m| m.get(field))
                .is_some()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_has_all_operations() {
        let m = model();
        assert_eq!(m.operations.len(), 71);
        assert_eq!(m.services.len(), 2);
        // Every operation of the model has its entry in the generated table (whose
        // Handlers trait makes a missing handler a compile error), and back.
        assert_eq!(Op::ALL.len(), m.operations.len());
        for op in &m.operations {
            assert_eq!(op.op.name(), op.name);
            assert_eq!(op.op.service(), m.services[op.service].name);
        }
    }

    #[test]
    fn every_operation_routes_to_itself() {
        let m = model();
        for op in &m.operations {
            let labels = HashMap::from([
                ("name".to_string(), "my cluster/x".to_string()),
                (
                    "resourceArn".to_string(),
                    "arn:aws:eks:us-east-1:1:cluster/a".to_string(),
                ),
            ]);
            let path = Model::render_path(op, &labels);
            match m.route(&op.method, &path) {
                RouteMatch::Found(found, got) => {
                    assert_eq!(found.name, op.name, "{path}");
                    if let Some(v) = got.get("name") {
                        assert_eq!(v, "my cluster/x");
                    }
                }
                _ => panic!("{} not routed at {path}", op.name),
            }
        }
    }

    #[test]
    fn unknown_paths_and_methods() {
        let m = model();
        assert!(matches!(m.route("GET", "/nope"), RouteMatch::NotFound));
        assert!(matches!(
            m.route("PUT", "/clusters"),
            RouteMatch::WrongMethod
        ));
        assert!(matches!(
            m.route("GET", "/clusters//node-groups"),
            RouteMatch::NotFound
        ));
    }
}
