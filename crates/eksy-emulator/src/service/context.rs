//! What every handler works with: the request's `Ctx`, cluster lookups that answer as EKS
//! does when a cluster is missing or busy, and the lifecycle steps updates and deletes share.

use super::input::present;
use super::rules;
use crate::error::AwsError;
use crate::lifecycle::{Outcome, Tracked};
use crate::state::{ClusterState, RegionState, Scope, UpdateRecord};
use crate::timings::Timings;
use crate::util;
use serde_json::{json, Map, Value};

/// What a handler sees: the settled resources of the caller's `(account, region)`.
pub struct Ctx<'a> {
    pub resources: &'a mut RegionState,
    pub timings: Timings,
    pub now: f64,
    pub account: &'a str,
    pub region: &'a str,
    /// The caller's IAM principal (canonical), e.g. the creator of a new cluster.
    pub principal: &'a str,
}

impl Ctx<'_> {
    pub fn arn(&self, resource: &str) -> String {
        util::arn(self.region, self.account, resource)
    }
}

/// A resource without a lifecycle, kept as `Tracked` so tags and lookups treat it alike.
pub fn untracked(body: Value) -> Tracked {
    Tracked {
        body,
        pending: None,
    }
}

pub fn cluster_not_found(name: &str) -> AwsError {
    AwsError::not_found(format!("No cluster found for name: {name}.")).field("clusterName", name)
}

pub fn cluster<'a>(
    resources: &'a mut RegionState,
    name: &str,
) -> Result<&'a mut ClusterState, AwsError> {
    resources
        .clusters
        .get_mut(name)
        .ok_or_else(|| cluster_not_found(name))
}

/// The cluster, which must be `ACTIVE` or `UPDATING` to accept configuration such as access
/// entries and pod identity associations (these do not wait for cluster updates).
pub fn live_cluster<'a>(
    resources: &'a mut RegionState,
    name: &str,
) -> Result<&'a mut ClusterState, AwsError> {
    let state = cluster(resources, name)?;
    match state.cluster.status() {
        "ACTIVE" | "UPDATING" => Ok(state),
        other => Err(AwsError::invalid_request(format!(
            "Cluster {name} is in {other} status; it must be ACTIVE."
        ))
        .field("clusterName", name)),
    }
}

/// The cluster, which must be `ACTIVE` to accept child resources and updates.
pub fn active_cluster<'a>(
    resources: &'a mut RegionState,
    name: &str,
) -> Result<&'a mut ClusterState, AwsError> {
    let state = cluster(resources, name)?;
    match state.cluster.status() {
        "ACTIVE" => Ok(state),
        "UPDATING" => Err(AwsError::in_use(format!(
            "Cluster {name} is currently being updated; try again once it is ACTIVE."
        ))
        .field("clusterName", name)),
        other => Err(AwsError::invalid_request(format!(
            "Cluster {name} is in {other} status; it must be ACTIVE."
        ))
        .field("clusterName", name)),
    }
}

/// Errors for an update on a resource that is not in a state to accept one:
/// `ResourceInUseException` while it is updating, `InvalidRequestException` in other states.
pub fn require_updatable(
    resource: &Tracked,
    kind: &str,
    field: &str,
    name: &str,
    cluster: &str,
) -> Result<(), AwsError> {
    require_updatable_or(
        resource,
        kind,
        field,
        name,
        cluster,
        AwsError::invalid_request,
    )
}

/// [`require_updatable`] for operations that do not list `InvalidRequestException`:
/// `state_error` makes the error for states other than `UPDATING`.
pub fn require_updatable_or(
    resource: &Tracked,
    kind: &str,
    field: &str,
    name: &str,
    cluster: &str,
    state_error: fn(String) -> AwsError,
) -> Result<(), AwsError> {
    match rules::not_updatable(resource.status(), kind, name, state_error) {
        None => Ok(()),
        Some(error) => Err(error.field("clusterName", cluster).field(field, name)),
    }
}

/// Starts an update of type `kind` on a resource: creates the Update record (InProgress,
/// then Successful when the resource's transition completes) and puts the resource in
/// `UPDATING` with the changes in `patch` applied at the end.
pub fn start_update(
    state: &mut ClusterState,
    scope: Scope,
    kind: &str,
    params: Vec<Value>,
    patch: Map<String, Value>,
    now: f64,
    delay: f64,
) -> Value {
    let id = util::uuid();
    let body = json!({
        "id": id,
        "status": "InProgress",
        "type": kind,
        "params": params,
        "createdAt": now,
        "errors": [],
    });
    let update = Tracked::born(body, "InProgress", "Successful", now, delay);
    let view = update.body.clone();
    let resource = match &scope {
        Scope::Cluster => Some(&mut state.cluster),
        Scope::Nodegroup(name) => state.children.nodegroups.get_mut(name),
        Scope::Addon(name) => state.children.addons.get_mut(name),
        Scope::Capability(name) => state.children.capabilities.get_mut(name),
    };
    if let Some(resource) = resource {
        resource.begin(
            "UPDATING",
            Outcome::Status("ACTIVE".into()),
            patch,
            Some(id),
            now,
            delay,
        );
    }
    state.updates.push(UpdateRecord { scope, update });
    view
}

/// Starts a deletion (status `DELETING`, gone after `delay`); a resource already being
/// deleted is left as it is. Returns the body as it is now.
pub fn start_delete(resource: &mut Tracked, now: f64, delay: f64) -> Value {
    if resource.status() != "DELETING" {
        resource.begin("DELETING", Outcome::Remove, Map::new(), None, now, delay);
    }
    resource.body.clone()
}

/// Tags given at creation, defaulting to an empty map as AWS returns.
pub fn initial_tags(input: &Value) -> Value {
    present(input, "tags").unwrap_or_else(|| json!({}))
}
