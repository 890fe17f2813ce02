//! Updates: list, describe, cancel. Updates are created by the update-type calls of each
//! resource (see `start_update`), scoped to a cluster, node group, add-on or capability.

use super::context::{cluster, Ctx};
use super::input::{opt_text, text};
use super::paging::page_args;
use crate::error::AwsError;
use crate::state::{ClusterState, Scope, UpdateRecord};
use serde_json::{json, Value};

/// The resource scope named by the request (`nodegroupName` / `addonName` query members),
/// which must exist.
fn scope_of(state: &ClusterState, cluster: &str, input: &Value) -> Result<Scope, AwsError> {
    if let Some(name) = opt_text(input, "nodegroupName") {
        if !state.children.nodegroups.contains_key(name) {
            return Err(
                AwsError::not_found(format!("No node group found for name: {name}."))
                    .field("clusterName", cluster)
                    .field("nodegroupName", name),
            );
        }
        return Ok(Scope::Nodegroup(name.to_string()));
    }
    if let Some(name) = opt_text(input, "addonName") {
        if !state.children.addons.contains_key(name) {
            return Err(AwsError::not_found(format!(
                "No addon: {name} found in cluster: {cluster}"
            ))
            .field("clusterName", cluster)
            .field("addonName", name));
        }
        return Ok(Scope::Addon(name.to_string()));
    }
    if let Some(name) = opt_text(input, "capabilityName") {
        if !state.children.capabilities.contains_key(name) {
            return Err(super::capabilities::not_found(cluster, name));
        }
        return Ok(Scope::Capability(name.to_string()));
    }
    Ok(Scope::Cluster)
}

fn not_found(cluster: &str, id: &str, scope: &Scope) -> AwsError {
    let error =
        AwsError::not_found(format!("No update found for ID: {id}")).field("clusterName", cluster);
    match scope {
        Scope::Cluster => error,
        Scope::Nodegroup(n) => error.field("nodegroupName", n),
        Scope::Addon(a) => error.field("addonName", a),
        Scope::Capability(_) => error,
    }
}

fn find<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    input: &Value,
) -> Result<&'a mut UpdateRecord, AwsError> {
    let scope = scope_of(state, cluster, input)?;
    let id = text(input, "updateId");
    state
        .updates
        .iter_mut()
        .find(|r| r.scope == scope && r.update.get_str("id") == id)
        .ok_or_else(|| not_found(cluster, id, &scope))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "name");
    let state = cluster(ctx.resources, cluster_name)?;
    let scope = scope_of(state, cluster_name, input)?;
    // Creation order, keyed by position so tokens stay valid as updates are added.
    let items: Vec<(String, Value)> = state
        .updates
        .iter()
        .enumerate()
        .filter(|(_, r)| r.scope == scope)
        .map(|(i, r)| (format!("{i:010}"), json!(r.update.get_str("id"))))
        .collect();
    let (max, token) = page_args(input);
    let (ids, next) = super::paging::paginate("updateIds", items, max, token)?;
    let mut out = json!({ "updateIds": ids });
    if let Some(next) = next {
        out["nextToken"] = json!(next);
    }
    Ok(out)
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "name");
    let state = cluster(ctx.resources, cluster_name)?;
    Ok(json!({ "update": find(state, cluster_name, input)?.update.body }))
}

/// Cancels an in-progress update: the update becomes `Cancelled` and its resource returns
/// to `ACTIVE` without the update's changes. (AWS only cancels some update types; the
/// emulator lets a test cancel any in-progress update.)
pub fn cancel(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "name");
    let id = text(input, "updateId").to_string();
    let state = cluster(ctx.resources, cluster_name)?;
    let record = state
        .updates
        .iter_mut()
        .find(|r| r.update.get_str("id") == id)
        .ok_or_else(|| not_found(cluster_name, &id, &Scope::Cluster))?;
    if record.update.status() != "InProgress" {
        return Err(AwsError::invalid_request(format!(
            "Update {id} is {} and can no longer be cancelled",
            record.update.status()
        ))
        .field("clusterName", cluster_name));
    }
    record.update.force("Cancelled");
    crate::lifecycle::set_member(
        &mut record.update.body,
        "cancellation",
        json!({"status": "Successful", "reason": "Cancelled by CancelUpdate"}),
    );
    let view = record.update.body.clone();
    let scope = record.scope.clone();
    let resource = match &scope {
        Scope::Cluster => Some(&mut state.cluster),
        Scope::Nodegroup(n) => state.children.nodegroups.get_mut(n),
        Scope::Addon(a) => state.children.addons.get_mut(a),
        Scope::Capability(c) => state.children.capabilities.get_mut(c),
    };
    if let Some(resource) =
        resource.filter(|r| r.pending.as_ref().and_then(|p| p.update_id.as_deref()) == Some(&id))
    {
        resource.force("ACTIVE");
    }
    Ok(json!({ "update": view }))
}
