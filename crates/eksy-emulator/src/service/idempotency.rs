//! Idempotency tokens (`clientRequestToken`): a retried request with the same token and the
//! same input gets the original answer without acting twice; the same token with another
//! input is refused. SDKs send a token automatically and keep it across their retries, so a
//! create whose response was lost is not repeated.
//!
//! Tokens are kept per `(account, region)` and operation for [`TOKEN_LIFETIME`] seconds of
//! emulator clock (AWS documents 24 hours for CreateCapability's token), and at most
//! [`MAX_TOKENS`] per region: the oldest goes first.

use crate::error::AwsError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};

/// How long a token is remembered, in seconds of emulator clock.
pub const TOKEN_LIFETIME: f64 = 24.0 * 3600.0;
/// The most tokens remembered per `(account, region)`.
pub const MAX_TOKENS: usize = 10_000;

/// What a successful request with a token answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remembered {
    /// A digest of the input without its token (order of object members ignored).
    pub fingerprint: String,
    pub response: Value,
    /// Emulator time of the original request.
    pub at: f64,
}

/// The token store of one `(account, region)`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Tokens {
    /// By `operation/token`.
    entries: BTreeMap<String, Remembered>,
    /// Keys in the order they were remembered (the oldest first).
    order: VecDeque<String>,
}

/// What a request's token says before the operation runs.
pub enum Lookup {
    /// No token, or one not seen (or expired): run the operation.
    Run(Option<PendingToken>),
    /// The original answer of the same request.
    Replay(Value),
}

/// A token to remember once the operation succeeds.
pub struct PendingToken {
    key: String,
    fingerprint: String,
}

fn key(operation: &str, token: &str) -> String {
    format!("{operation}/{token}")
}

/// JSON text of `value` with object members sorted, so member order does not matter.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Two independent 64-bit FNV-1a digests of the input without its token (null members
/// count as absent, as they do for the operation).
fn fingerprint(input: &Value) -> String {
    let mut text = String::new();
    let stripped = match input {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| k.as_str() != "clientRequestToken" && !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    };
    canonical(&stripped, &mut text);
    let fnv = |seed: u64| {
        text.bytes().fold(seed, |hash, b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x8422_2325_cbf2_9ce4)
    )
}

/// The message for a token reused with another input.
pub fn mismatch_message(token: &str) -> String {
    format!(
        "The client request token {token} was already used with different request parameters; use a new clientRequestToken for a new request."
    )
}

impl Tokens {
    fn forget_expired(&mut self, now: f64) {
        while let Some(oldest) = self.order.front() {
            let expired = self
                .entries
                .get(oldest)
                .is_none_or(|e| now - e.at >= TOKEN_LIFETIME);
            if !expired {
                break;
            }
            if let Some(gone) = self.order.pop_front() {
                self.entries.remove(&gone);
            }
        }
    }

    /// Checks a request's token before the operation runs.
    pub fn check(&mut self, operation: &str, input: &Value, now: f64) -> Result<Lookup, AwsError> {
        let Some(token) = input
            .get("clientRequestToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        else {
            return Ok(Lookup::Run(None));
        };
        self.forget_expired(now);
        let key = key(operation, token);
        let fingerprint = fingerprint(input);
        // A clock moved back can leave an expired entry behind a younger one.
        if self
            .entries
            .get(&key)
            .is_some_and(|seen| now - seen.at >= TOKEN_LIFETIME)
        {
            self.entries.remove(&key);
            self.order.retain(|k| *k != key);
        }
        match self.entries.get(&key) {
            Some(seen) if seen.fingerprint == fingerprint => {
                Ok(Lookup::Replay(seen.response.clone()))
            }
            Some(_) => Err(AwsError::invalid_parameter(mismatch_message(token))),
            None => Ok(Lookup::Run(Some(PendingToken { key, fingerprint }))),
        }
    }

    /// Remembers a successful answer.
    pub fn remember(&mut self, pending: PendingToken, response: &Value, now: f64) {
        if self.entries.contains_key(&pending.key) {
            return;
        }
        while self.order.len() >= MAX_TOKENS {
            if let Some(gone) = self.order.pop_front() {
                self.entries.remove(&gone);
            }
        }
        self.order.push_back(pending.key.clone());
        self.entries.insert(
            pending.key,
            Remembered {
                fingerprint: pending.fingerprint,
                response: response.clone(),
                at: now,
            },
        );
    }

    /// How many tokens are remembered.
    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(tokens: &mut Tokens, input: &Value, now: f64, answer: &Value) -> Value {
        match tokens.check("CreateCluster", input, now).unwrap() {
            Lookup::Replay(v) => v,
            Lookup::Run(pending) => {
                if let Some(p) = pending {
                    tokens.remember(p, answer, now);
                }
                answer.clone()
            }
        }
    }

    #[test]
    fn same_token_same_input_replays_the_first_answer() {
        let mut tokens = Tokens::default();
        let input = json!({"name": "a", "clientRequestToken": "t", "tags": {"x": "1", "y": "2"}});
        assert_eq!(run(&mut tokens, &input, 0.0, &json!(1)), json!(1));
        let reordered =
            json!({"tags": {"y": "2", "x": "1"}, "clientRequestToken": "t", "name": "a"});
        assert_eq!(run(&mut tokens, &reordered, 10.0, &json!(2)), json!(1));
        // Another operation has its own tokens.
        assert!(matches!(
            tokens.check("CreateNodegroup", &input, 10.0).unwrap(),
            Lookup::Run(Some(_))
        ));
    }

    #[test]
    fn same_token_other_input_is_refused() {
        let mut tokens = Tokens::default();
        run(
            &mut tokens,
            &json!({"name": "a", "clientRequestToken": "t"}),
            0.0,
            &json!(1),
        );
        let err = tokens
            .check(
                "CreateCluster",
                &json!({"name": "b", "clientRequestToken": "t"}),
                1.0,
            )
            .err()
            .unwrap();
        assert_eq!(err.code, "InvalidParameterException");
        assert!(err
            .message
            .contains("already used with different request parameters"));
    }

    #[test]
    fn tokens_expire_and_are_bounded() {
        let mut tokens = Tokens::default();
        let input = json!({"name": "a", "clientRequestToken": "t"});
        run(&mut tokens, &input, 0.0, &json!(1));
        assert_eq!(
            run(&mut tokens, &input, TOKEN_LIFETIME, &json!(2)),
            json!(2)
        );
        let mut tokens = Tokens::default();
        for i in 0..MAX_TOKENS + 3 {
            let input = json!({"name": "a", "clientRequestToken": format!("t{i}")});
            run(&mut tokens, &input, 0.0, &json!(i));
        }
        assert_eq!(tokens.count(), MAX_TOKENS);
        let first = json!({"name": "a", "clientRequestToken": "t0"});
        assert_eq!(
            run(&mut tokens, &first, 1.0, &json!("again")),
            json!("again")
        );
        let input = json!({"name": "a"});
        assert!(matches!(
            tokens.check("CreateCluster", &input, 0.0).unwrap(),
            Lookup::Run(None)
        ));
    }
}
