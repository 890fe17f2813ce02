//! Testing controls: one JSON entry point, shared by `Emulator::control` and the HTTP
//! control API (`POST /_eksy/control/<command>`). The commands are documented on the crate.

use crate::faults::{
    error_from_args, response_from_args, Canned, DropRule, ErrorRate, ANY_OPERATION,
};
use crate::identity::Identities;
use crate::model::model;
use crate::state::{set_member, State, Timings, Tracked};
use serde_json::{json, Value};

/// Defaults a control falls back to when arguments leave something out.
pub struct Defaults<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub timings: Timings,
    /// `host:port` of the emulator.
    pub endpoint: &'a str,
}

type Result<T> = std::result::Result<T, String>;

fn arg_str<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

fn required_str<'a>(args: &'a Value, key: &str) -> Result<&'a str> {
    arg_str(args, key).ok_or_else(|| format!("argument {key:?} (string) is required"))
}

/// Answers queued for one operation: enough for any test, small enough to never exhaust memory.
pub const MAX_QUEUED_PER_OPERATION: usize = 10_000;
/// The longest injected latency: an hour is past every client's timeout.
pub const MAX_LATENCY_SECONDS: f64 = 3600.0;
/// How far `advance` may move the clock: timestamps stay inside every client's date range.
pub const MAX_CLOCK_OFFSET_SECONDS: f64 = 100.0 * 365.25 * 86_400.0;

fn arg_f64(args: &Value, key: &str) -> Result<Option<f64>> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| format!("argument {key:?} must be a number")),
    }
}

fn operation(args: &Value) -> Result<String> {
    let op = arg_str(args, "operation").unwrap_or(ANY_OPERATION);
    if op != ANY_OPERATION && model().operation(op).is_none() {
        return Err(format!(
            "unknown operation {op:?} (use a model name like \"DescribeCluster\", or \"*\")"
        ));
    }
    Ok(op.to_string())
}

fn rate(args: &Value) -> Result<f64> {
    let rate = arg_f64(args, "rate")?.unwrap_or(1.0);
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err("rate must be between 0 and 1".into())
    }
}

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
                .map(|(key, port)| json!({"account_id": key.account, "region": key.region, "cluster": key.cluster, "port": port}))
                .collect();
            Ok(json!({ "endpoints": endpoints }))
        }
        "requests" => {
            let wanted = arg_str(args, "operation");
            let requests: Vec<&crate::state::RecordedRequest> = state
                .requests
                .iter()
                .filter(|r| wanted.is_none_or(|w| r.operation == Some(w)))
                .collect();
            Ok(json!({ "requests": requests }))
        }
        "clear_requests" => {
            state.clear_requests();
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
            crate::service::versions::set_catalog(state.region(&account, &region), &catalog_args)
        }
        "version_catalog" => {
            let (account, region) = account_and_region(args, defaults);
            Ok(crate::service::versions::catalog_view(
                state.region(&account, &region),
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

/// The `(account_id, region)` a control names, else the emulator's defaults.
fn account_and_region(args: &Value, defaults: &Defaults) -> (String, String) {
    let account = arg_str(args, "account_id").unwrap_or(defaults.account);
    let region = arg_str(args, "region").unwrap_or(defaults.region);
    (account.to_string(), region.to_string())
}

fn kube_settings(state: &State) -> Value {
    json!({ "kube_settings": {"token_max_age": state.kube_settings.token_max_age} })
}

/// Statuses that come with health issues (or update errors) describing the failure.
const FAILURE_STATUSES: &[&str] = &[
    "FAILED",
    "CREATE_FAILED",
    "DELETE_FAILED",
    "DEGRADED",
    "UPDATE_FAILED",
    "Failed",
];

/// `force_status {resource, cluster, name?, status, health_issues?, account_id?, region?}`.
fn force_status(state: &mut State, defaults: &Defaults, args: &Value) -> Result<Value> {
    let kind = required_str(args, "resource")?;
    let status = required_str(args, "status")?;
    let account = arg_str(args, "account_id").unwrap_or(defaults.account);
    let region = arg_str(args, "region").unwrap_or(defaults.region);
    let (enum_shape, default_code, name_key) = match kind {
        "cluster" => ("ClusterStatus", "InternalFailure", "cluster"),
        "nodegroup" => ("NodegroupStatus", "NodeCreationFailure", "name"),
        "fargate_profile" => ("FargateProfileStatus", "InternalFailure", "name"),
        "addon" => ("AddonStatus", "InternalFailure", "name"),
        "update" => ("UpdateStatus", "Unknown", "name"),
        other => {
            return Err(format!(
            "unknown resource {other:?}; use cluster, nodegroup, fargate_profile, addon or update"
        ))
        }
    };
    let allowed = model()
        .services
        .iter()
        .find(|s| s.name == "eks")
        .and_then(|s| s.shape(enum_shape))
        .and_then(|s| s.get("enum"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !allowed.iter().any(|a| a.as_str() == Some(status)) {
        return Err(format!(
            "status {status:?} is not one of {}",
            Value::Array(allowed)
        ));
    }
    let cluster_name = required_str(args, "cluster")?;
    let name = required_str(args, name_key)?;
    let resources = state.region(account, region);
    let missing =
        || format!("no {kind} {name:?} in cluster {cluster_name:?} ({account}, {region})");
    let cluster = resources
        .clusters
        .get_mut(cluster_name)
        .ok_or_else(missing)?;
    let tracked: &mut Tracked = match kind {
        "cluster" => &mut cluster.cluster,
        "nodegroup" => cluster.nodegroups.get_mut(name).ok_or_else(missing)?,
        "fargate_profile" => cluster.fargate_profiles.get_mut(name).ok_or_else(missing)?,
        "addon" => cluster.addons.get_mut(name).ok_or_else(missing)?,
        _ => {
            &mut cluster
                .updates
                .iter_mut()
                .find(|r| r.update.get_str("id") == name)
                .ok_or_else(missing)?
                .update
        }
    };
    tracked.force(status);
    if kind == "cluster" {
        crate::kube::host::touch_name(&mut resources.kube_dirty, cluster_name);
    }
    let failing = FAILURE_STATUSES.contains(&status);
    let message = format!("Forced to {status} by the eksy emulator");
    let issues = match args.get("health_issues") {
        Some(Value::Array(issues)) => Value::Array(issues.clone()),
        Some(_) => {
            return Err("health_issues must be a list of {code, message, resourceIds}".into())
        }
        None if failing => json!([{"code": default_code, "message": message, "resourceIds": []}]),
        None => json!([]),
    };
    if kind == "update" {
        let errors: Vec<Value> = issues
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| json!({"errorCode": i.get("code").cloned().unwrap_or(json!(default_code)), "errorMessage": i.get("message").cloned().unwrap_or(json!(message)), "resourceIds": i.get("resourceIds").cloned().unwrap_or(json!([]))}))
            .collect();
        set_member(&mut tracked.body, "errors", Value::Array(errors));
    } else {
        set_member(&mut tracked.body, "health", json!({ "issues": issues }));
    }
    Ok(json!({ "resource": tracked.body }))
}
