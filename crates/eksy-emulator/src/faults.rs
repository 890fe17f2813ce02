//! Fault injection: queued canned answers, latency, error rates and dropped connections,
//! per operation or for every operation (`"*"`).

use crate::error::AwsError;
use serde_json::{Map, Value};
use std::collections::{HashMap, VecDeque};

/// Key for rules that apply to every operation.
pub const ANY_OPERATION: &str = "*";

/// A queued answer, used once, in order, before the operation runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Canned {
    Error(AwsError),
    Response {
        status: u16,
        headers: Vec<(String, String)>,
        body: Value,
    },
    /// Close the connection without answering.
    Drop,
    /// Run the operation, then close the connection without the answer (a response lost
    /// on the way back, which SDKs retry with the same idempotency token).
    LoseResponse,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRate {
    pub rate: f64,
    pub error: AwsError,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DropRule {
    pub rate: f64,
    /// How many more connections to drop; `None` = unlimited (subject to `rate`).
    pub remaining: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub queued: HashMap<String, VecDeque<Canned>>,
    pub latency: HashMap<String, f64>,
    pub error_rates: HashMap<String, ErrorRate>,
    pub drops: HashMap<String, DropRule>,
}

/// What the server does for one request after consulting the faults.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub delay: f64,
    pub canned: Option<Canned>,
}

fn pick<'a, T>(rules: &'a HashMap<String, T>, operation: &str) -> Option<&'a T> {
    rules.get(operation).or_else(|| rules.get(ANY_OPERATION))
}

impl Faults {
    /// Decides the fate of one request of `operation`; consumes queued answers and counts.
    /// Order: queued answers, then dropped connections, then error rates.
    pub fn decide(&mut self, operation: &str) -> Decision {
        let delay = pick(&self.latency, operation).copied().unwrap_or(0.0);
        let canned = self.take_queued(operation).or_else(|| self.roll(operation));
        Decision { delay, canned }
    }

    fn take_queued(&mut self, operation: &str) -> Option<Canned> {
        for key in [operation, ANY_OPERATION] {
            if let Some(queue) = self.queued.get_mut(key) {
                if let Some(canned) = queue.pop_front() {
                    if queue.is_empty() {
                        self.queued.remove(key);
                    }
                    return Some(canned);
                }
            }
        }
        None
    }

    fn roll(&mut self, operation: &str) -> Option<Canned> {
        let drop_key = [operation, ANY_OPERATION]
            .into_iter()
            .find(|k| self.drops.contains_key(*k));
        if let Some(key) = drop_key {
            if let Some(rule) = self.drops.get_mut(key) {
                if fastrand::f64() < rule.rate {
                    if let Some(left) = rule.remaining.as_mut() {
                        *left = left.saturating_sub(1);
                        if *left == 0 {
                            self.drops.remove(key);
                        }
                    }
                    return Some(Canned::Drop);
                }
            }
        }
        pick(&self.error_rates, operation)
            .filter(|rule| fastrand::f64() < rule.rate)
            .map(|rule| Canned::Error(rule.error.clone()))
    }
}

/// Builds an `AwsError` from control arguments `{code, message?, status?, fields?}`.
pub fn error_from_args(args: &Value, default_code: &str) -> Result<AwsError, String> {
    let code = args
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or(default_code);
    let message = args
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("eksy emulator: injected {code}"));
    let mut error = AwsError::new(code, message);
    if let Some(status) = args.get("status") {
        error.status = status
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (100..600).contains(s))
            .ok_or("status must be an HTTP status code")?;
    }
    if let Some(fields) = args.get("fields") {
        // Injected fields are taken as given: a test may want an unmodeled one.
        error.fields = fields
            .as_object()
            .ok_or("fields must be a JSON object")?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    Ok(error)
}

/// Builds a canned success from `{status?, body?, headers?}`.
pub fn response_from_args(args: &Value) -> Result<Canned, String> {
    let status = match args.get("status") {
        None => 200,
        Some(s) => s
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (100..600).contains(s))
            .ok_or("status must be an HTTP status code")?,
    };
    let headers = match args.get("headers") {
        None => Vec::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect(),
        Some(_) => return Err("headers must be a JSON object".into()),
    };
    Ok(Canned::Response {
        status,
        headers,
        body: args
            .get("body")
            .cloned()
            .unwrap_or(Value::Object(Map::new())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queued_answers_are_used_in_order_then_pass_through() {
        let mut faults = Faults::default();
        let throttle = error_from_args(&json!({"code": "ThrottlingException"}), "X").unwrap();
        assert_eq!(throttle.status, 429);
        faults.queued.insert(
            "DescribeCluster".into(),
            VecDeque::from([Canned::Error(throttle.clone()), Canned::Drop]),
        );
        assert_eq!(faults.decide("ListClusters").canned, None);
        assert_eq!(
            faults.decide("DescribeCluster").canned,
            Some(Canned::Error(throttle))
        );
        assert_eq!(faults.decide("DescribeCluster").canned, Some(Canned::Drop));
        assert_eq!(faults.decide("DescribeCluster").canned, None);
    }

    #[test]
    fn counted_drops_stop() {
        let mut faults = Faults::default();
        faults.drops.insert(
            "*".into(),
            DropRule {
                rate: 1.0,
                remaining: Some(2),
            },
        );
        assert_eq!(faults.decide("A").canned, Some(Canned::Drop));
        assert_eq!(faults.decide("B").canned, Some(Canned::Drop));
        assert_eq!(faults.decide("C").canned, None);
    }
}
