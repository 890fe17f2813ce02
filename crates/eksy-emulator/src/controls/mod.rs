//! Testing controls: one JSON entry point, shared by `Emulator::control` and the HTTP
//! control API (`POST /_eksy/control/<command>`). The commands are documented on the crate.

mod args;
mod force_status;

use crate::faults::{error_from_args, response_from_args, Canned, DropRule, ErrorRate};
use crate::identity::Identities;
use crate::instance::Shared;
use crate::state::State;
pub use args::Defaults;
use args::{
    account_and_region, arg_f64, arg_str, operation, rate, required_str, Result,
    MAX_CLOCK_OFFSET_SECONDS, MAX_LATENCY_SECONDS, MAX_QUEUED_PER_OPERATION,
};
use force_status::force_status;
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Controls that change nothing the state file keeps.
const READ_ONLY: &[&str] = &[
    "requests",
    "now",
    "timings",
    "identities",
    "kube_settings",
    "kube_endpoints",
    "overview",
    "snapshot",
    "clear_requests",
    "queue",
    "clear_queue",
    "set_latency",
    "set_error_rate",
    "drop_connections",
    "clear_faults",
    "version_catalog",
];

/// Runs one control command.
pub fn run(state: &mut State, defaults: &Defaults, command: &str, args: &Value) -> Result<Value> {
    let result = run_command(state, defaults, command, args);
    if result.is_ok() && !READ_ONLY.contains(&command) {
        state.save_pending = true;
    }
    result
}

fn run_command(
    state: &mut State,
    defaults: &Defaults,
    command: &str,
    args: &Value,
) -> Result<Value> {
    let args = if args.is_null() { &json!({}) } else { args };
    if !args.is_object() {
        return Err("control arguments must be a JSON object".into());
    }
    match command {
        "reset" => {
            let mut kube = std::mem::take(&mut state.kube);
            kube.stop_all();
            *state = State {
                timings: defaults.timings,
                identities: Identities::with_default(defaults.account),
                kube,
                ..State::default()
            };
            Ok(json!({}))
        }
        "add_identity" => {
            let identity = state.identities.add(args)?;
            let mut view = identity.public_view();
            // The one answer that carries a secret: the caller needs it to sign.
            view["secret_access_key"] = json!(identity.secret_access_key);
            Ok(json!({ "identity": view }))
        }
        "identities" => {
            let all: Vec<Value> = state.identities.all().map(|i| i.public_view()).collect();
            Ok(json!({ "identities": all }))
        }
        "remove_identity" => {
            let key = required_str(args, "access_key_id")?;
            state
                .identities
                .remove(key)
                .ok_or_else(|| format!("no identity with access key id {key:?}"))?;
            Ok(json!({}))
        }
        "set_kube_settings" => {
            if let Some(age) = arg_f64(args, "token_max_age")? {
                if !(0.0..=86_400.0).contains(&age) {
                    return Err("token_max_age must be between 0 and 86400 seconds".into());
                }
                state.kube_settings.token_max_age = age;
            }
            if let Some(unknown) = args
                .as_object()
                .and_then(|a| a.keys().find(|k| k.as_str() != "token_max_age"))
            {
                return Err(format!("unknown Kubernetes setting {unknown:?}; known: token_max_age"));
            }
            Ok(kube_settings(state))
        }
        "kube_settings" => Ok(kube_settings(state)),
        "overview" => Ok(crate::overview::overview(state, defaults.endpoint)),
        "snapshot" => Ok(json!({ "snapshot": crate::persistence::snapshot(state) })),
        "restore" => {
            let snapshot = args.get("snapshot").ok_or("argument \"snapshot\" is required")?;
            crate::persistence::restore(state, snapshot)?;
            Ok(json!({}))
        }
        "set_strict" => {
            state.strict = args
                .get("enabled")
                .and_then(Value::as_bool)
                .ok_or("argument \"enabled\" (true or false) is required")?;
            Ok(json!({ "strict": state.strict }))
        }
        "kube_endpoints" => {
            state.tick();
            let endpoints: Vec<Value> = state
                .kube
                .ports()
                .into_iter()
                .map(|(key, port)| json!({"account_id": key.account, "region": key.region, "cluster": key.cluster, "port": port}))
                .collect();
            Ok(json!({ "endpoints": endpoints }))
        }
        "requests" => {
            let wanted = arg_str(args, "operation");
            let requests: Vec<&crate::recording::RecordedRequest> = state
                .requests
                .iter()
                .filter(|r| wanted.is_none_or(|w| r.operation == Some(w)))
                .collect();
            Ok(json!({ "requests": requests }))
        }
        "clear_requests" => {
            state.requests.clear();
            Ok(json!({}))
        }
        "queue" => {
            let op = operation(args)?;
            let count = args
                .get("count")
                .map_or(Some(1), Value::as_u64)
                .filter(|c| *c > 0)
                .ok_or("count must be a positive integer")?;
            let canned = if let Some(error) = args.get("error") {
                Canned::Error(error_from_args(error, "ServerException")?)
            } else if let Some(response) = args.get("response") {
                response_from_args(response)?
            } else if args.get("drop").and_then(Value::as_bool) == Some(true) {
                Canned::Drop
            } else if args.get("lose_response").and_then(Value::as_bool) == Some(true) {
                Canned::LoseResponse
            } else {
                return Err("queue needs one of \"error\", \"response\", \"drop\": true or \"lose_response\": true".into());
            };
            let queue = state.faults.queued.entry(op).or_default();
            let room = MAX_QUEUED_PER_OPERATION.saturating_sub(queue.len());
            if count > room as u64 {
                return Err(format!(
                    "at most {MAX_QUEUED_PER_OPERATION} answers may wait per operation ({} already do)",
                    queue.len()
                ));
            }
            queue.extend(std::iter::repeat_n(canned, count as usize));
            Ok(json!({ "queued": queue.len() }))
        }
        "clear_queue" => {
            match arg_str(args, "operation") {
                Some(op) => state.faults.queued.remove(op),
                None => {
                    state.faults.queued.clear();
                    None
                }
            };
            Ok(json!({}))
        }
        "set_latency" => {
            let op = operation(args)?;
            let seconds = arg_f64(args, "seconds")?.ok_or("argument \"seconds\" is required")?;
            if !(0.0..=MAX_LATENCY_SECONDS).contains(&seconds) {
                return Err(format!("seconds must be between 0 and {MAX_LATENCY_SECONDS}"));
            }
            if seconds == 0.0 {
                state.faults.latency.remove(&op);
            } else {
                state.faults.latency.insert(op, seconds);
            }
            Ok(json!({}))
        }
        "set_error_rate" => {
            let op = operation(args)?;
            let rate = rate(args)?;
            if rate == 0.0 {
                state.faults.error_rates.remove(&op);
            } else {
                let error = error_from_args(args, "ServiceUnavailableException")?;
                state.faults.error_rates.insert(op, ErrorRate { rate, error });
            }
            Ok(json!({}))
        }
        "drop_connections" => {
            let op = operation(args)?;
            let rate = rate(args)?;
            let remaining = match args.get("count") {
                None | Some(Value::Null) => None,
                Some(c) => Some(c.as_u64().filter(|c| *c > 0).ok_or("count must be a positive integer")?),
            };
            if rate == 0.0 {
                state.faults.drops.remove(&op);
            } else {
                state.faults.drops.insert(op, DropRule { rate, remaining });
            }
            Ok(json!({}))
        }
        "clear_faults" => {
            state.faults = Default::default();
            Ok(json!({}))
        }
        "advance" => {
            let seconds = arg_f64(args, "seconds")?.ok_or("argument \"seconds\" is required")?;
            if seconds < 0.0 {
                return Err("the clock only moves forward".into());
            }
            if state.clock_offset + seconds > MAX_CLOCK_OFFSET_SECONDS {
                return Err(format!(
                    "the emulator clock may run at most {MAX_CLOCK_OFFSET_SECONDS} s (100 years) ahead of real time"
                ));
            }
            state.clock_offset += seconds;
            Ok(json!({ "now": state.now() }))
        }
        "now" => Ok(json!({ "now": state.now() })),
        "set_version_catalog" => {
            let (account, region) = account_and_region(args, defaults);
            let mut catalog_args = args.clone();
            if let Some(fields) = catalog_args.as_object_mut() {
                fields.remove("account_id");
                fields.remove("region");
            }
            let region = state.region(account, region);
            let shown = crate::catalogs::version_args::set_catalog(&mut region.versions, &catalog_args)?;
            region.changed();
            Ok(shown)
        }
        "version_catalog" => {
            let (account, region) = account_and_region(args, defaults);
            Ok(crate::catalogs::version_args::catalog_view(
                &state.region(account, region).versions,
            ))
        }
        "set_timings" => {
            state.timings = state.timings.merged(args)?;
            Ok(json!({ "timings": state.timings }))
        }
        "timings" => Ok(json!({ "timings": state.timings })),
        "force_status" => {
            let result = force_status(state, defaults, args)?;
            // A forced cluster status may open or close its Kubernetes endpoint.
            state.tick();
            Ok(result)
        }
        other => Err(format!(
            "unknown control command {other:?}; known: reset, requests, clear_requests, queue, clear_queue, \
             set_latency, set_error_rate, drop_connections, clear_faults, advance, now, set_timings, timings, force_status, \
             set_version_catalog, version_catalog, add_identity, identities, remove_identity, set_kube_settings, kube_settings, kube_endpoints, overview, \
             snapshot, restore, set_strict"
        )),
    }
}

fn kube_settings(state: &State) -> Value {
    json!({ "kube_settings": {"token_max_age": state.kube_settings.token_max_age} })
}

impl Shared {
    /// Runs one testing control under the state lock (a panic becomes an error).
    pub fn control(&self, command: &str, args: &Value) -> Result<Value> {
        let defaults = Defaults {
            account: &self.default_account,
            region: &self.default_region,
            timings: self.default_timings,
            endpoint: &self.authority,
        };
        let mut state = self.lock();
        catch_unwind(AssertUnwindSafe(|| {
            run(&mut state, &defaults, command, args)
        }))
        .unwrap_or_else(|_| Err(format!("control {command} failed unexpectedly")))
    }
}
