//! What every control reads from its JSON arguments, with the messages a bad one gets.

use crate::faults::ANY_OPERATION;
use crate::model::model;
use crate::timings::Timings;
use serde_json::Value;

/// Defaults a control falls back to when arguments leave something out.
pub struct Defaults<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub timings: Timings,
    /// `host:port` of the emulator.
    pub endpoint: &'a str,
}

pub type Result<T> = std::result::Result<T, String>;

pub fn arg_str<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

pub fn required_str<'a>(args: &'a Value, key: &str) -> Result<&'a str> {
    arg_str(args, key).ok_or_else(|| format!("argument {key:?} (string) is required"))
}

/// Answers queued for one operation: enough for any test, small enough to never exhaust memory.
pub const MAX_QUEUED_PER_OPERATION: usize = 10_000;
/// The longest injected latency: an hour is past every client's timeout.
pub const MAX_LATENCY_SECONDS: f64 = 3600.0;
/// How far `advance` may move the clock: timestamps stay inside every client's date range.
pub const MAX_CLOCK_OFFSET_SECONDS: f64 = 100.0 * 365.25 * 86_400.0;

pub fn arg_f64(args: &Value, key: &str) -> Result<Option<f64>> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| format!("argument {key:?} must be a number")),
    }
}

pub fn operation(args: &Value) -> Result<String> {
    let op = arg_str(args, "operation").unwrap_or(ANY_OPERATION);
    if op != ANY_OPERATION && model().operation(op).is_none() {
        return Err(format!(
            "unknown operation {op:?} (use a model name like \"DescribeCluster\", or \"*\")"
        ));
    }
    Ok(op.to_string())
}

pub fn rate(args: &Value) -> Result<f64> {
    let rate = arg_f64(args, "rate")?.unwrap_or(1.0);
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err("rate must be between 0 and 1".into())
    }
}

/// The `(account_id, region)` a control names, else the emulator's defaults.
pub fn account_and_region<'a>(args: &'a Value, defaults: &'a Defaults<'a>) -> (&'a str, &'a str) {
    let account = arg_str(args, "account_id").unwrap_or(defaults.account);
    let region = arg_str(args, "region").unwrap_or(defaults.region);
    (account, region)
}
