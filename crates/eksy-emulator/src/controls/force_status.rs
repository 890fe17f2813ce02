//! `force_status`: a resource of any kind of the registry with a status form, forced into one
//! of its model statuses, with health issues (or update errors) describing a failure.

use super::args::{account_and_region, required_str, Defaults, Result};
use crate::kinds::{self, Report, Store};
use crate::lifecycle::{set_member, Tracked};
use crate::model::model;
use crate::state::State;
use serde_json::{json, Value};

/// Statuses that come with health issues (or update errors) describing the failure.
const FAILURE_STATUSES: &[&str] = &[
    "FAILED",
    "CREATE_FAILED",
    "DELETE_FAILED",
    "DEGRADED",
    "UPDATE_FAILED",
    "Failed",
];

/// `force_status {resource, cluster, name?, status, health_issues?, account_id?, region?}`:
/// for the registry's kinds with a status form (`kinds::forceable`).
pub fn force_status(state: &mut State, defaults: &Defaults, args: &Value) -> Result<Value> {
    let kind_name = required_str(args, "resource")?;
    let status = required_str(args, "status")?;
    let (account, region) = account_and_region(args, defaults);
    let unknown = || {
        format!(
            "unknown resource {kind_name:?}; use one of {}",
            kinds::forceable().join(", ")
        )
    };
    let kind = kinds::kind(kind_name).ok_or_else(unknown)?;
    let form = kind.status.ok_or_else(unknown)?;
    let allowed = model()
        .services
        .iter()
        .find(|s| s.name == "eks")
        .and_then(|s| s.shape(form.model_enum))
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
    let name = required_str(args, form.name_arg)?;
    let resources = state.region(account, region);
    let missing =
        || format!("no {kind_name} {name:?} in cluster {cluster_name:?} ({account}, {region})");
    let cluster = resources
        .clusters
        .get_mut(cluster_name)
        .ok_or_else(missing)?;
    let tracked: &mut Tracked = match kind.store {
        Store::Cluster => &mut cluster.cluster,
        Store::ClusterChild => cluster
            .children
            .of_mut(kind.name)
            .and_then(|children| children.get_mut(name))
            .ok_or_else(missing)?,
        Store::Updates => {
            &mut cluster
                .updates
                .iter_mut()
                .find(|r| r.update.get_str("id") == name)
                .ok_or_else(missing)?
                .update
        }
        Store::AccessEntries | Store::Region => return Err(unknown()),
    };
    tracked.force(status);
    if kind.store == Store::Cluster {
        crate::kube::host::touch_name(&mut resources.kube_dirty, cluster_name);
    }
    let failing = FAILURE_STATUSES.contains(&status);
    let message = format!("Forced to {status} by the eksy emulator");
    let default_code = form.failure_code;
    let issues = match args.get("health_issues") {
        Some(Value::Array(issues)) => Value::Array(issues.clone()),
        Some(_) => {
            return Err("health_issues must be a list of {code, message, resourceIds}".into())
        }
        None if failing => json!([{"code": default_code, "message": message, "resourceIds": []}]),
        None => json!([]),
    };
    match form.report {
        Report::Errors => {
            let errors: Vec<Value> = issues
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| json!({"errorCode": i.get("code").cloned().unwrap_or(json!(default_code)), "errorMessage": i.get("message").cloned().unwrap_or(json!(message)), "resourceIds": i.get("resourceIds").cloned().unwrap_or(json!([]))}))
                .collect();
            set_member(&mut tracked.body, "errors", Value::Array(errors));
        }
        Report::Health => set_member(&mut tracked.body, "health", json!({ "issues": issues })),
        Report::Nothing => {}
    }
    Ok(json!({ "resource": tracked.body }))
}
