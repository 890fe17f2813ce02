//! Fargate profiles: create, describe, list, delete.

use super::context::{active_cluster, cluster, initial_tags, start_delete, Ctx};
use super::input::{present, text};
use super::paging::name_page;
use super::rules::{check_role_arn, check_tags};
use crate::error::AwsError;
use crate::lifecycle::Tracked;
use crate::state::ClusterState;
use crate::util::uuid;
use serde_json::{json, Value};

const MAX_SELECTORS: usize = 5;
/// At most this many label pairs per selector.
const MAX_SELECTOR_LABELS: usize = 5;
/// At most this many Fargate profiles per cluster (EKS service quota).
pub const MAX_PROFILES: usize = 10;

fn not_found(cluster: &str, name: &str) -> AwsError {
    AwsError::not_found(format!("No Fargate Profile found with name: {name}."))
        .field("clusterName", cluster)
        .field("fargateProfileName", name)
}

fn invalid(cluster: &str, name: &str, message: &str) -> AwsError {
    AwsError::invalid_parameter(message)
        .field("clusterName", cluster)
        .field("fargateProfileName", name)
}

fn profile<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    name: &str,
) -> Result<&'a mut Tracked, AwsError> {
    state
        .children
        .fargate_profiles
        .get_mut(name)
        .ok_or_else(|| not_found(cluster, name))
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let name = text(input, "fargateProfileName");
    let arn = ctx.arn(&format!("fargateprofile/{cluster_name}/{name}/{}", uuid()));
    check_role_arn("podExecutionRoleArn", text(input, "podExecutionRoleArn"))
        .and_then(|()| check_tags(input))
        .map_err(|e| {
            e.field("clusterName", cluster_name)
                .field("fargateProfileName", name)
        })?;
    let state = active_cluster(ctx.resources, cluster_name)?;
    // CreateFargateProfile models no ResourceInUseException: AWS answers a duplicate this way.
    if state.children.fargate_profiles.contains_key(name) {
        return Err(invalid(
            cluster_name,
            name,
            "A Fargate Profile already exists with this name in this cluster.",
        ));
    }
    if let Some(deleting) = state
        .children
        .fargate_profiles
        .values()
        .find(|p| p.status() == "DELETING")
    {
        return Err(AwsError::invalid_request(format!(
            "Fargate profile {} is being deleted; wait for it to finish deleting before creating another profile in this cluster.",
            deleting.get_str("fargateProfileName")
        ))
        .field("clusterName", cluster_name));
    }
    if state.children.fargate_profiles.len() >= MAX_PROFILES {
        return Err(AwsError::new(
            "ResourceLimitExceededException",
            format!("A cluster can have at most {MAX_PROFILES} Fargate profiles."),
        )
        .field("clusterName", cluster_name));
    }
    let selectors = present(input, "selectors").unwrap_or_else(|| json!([]));
    let count = selectors.as_array().map_or(0, Vec::len);
    if count == 0 || count > MAX_SELECTORS {
        return Err(invalid(
            cluster_name,
            name,
            "A Fargate Profile must have between 1 and 5 selectors.",
        ));
    }
    if selectors
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s.get("namespace").is_none_or(Value::is_null))
    {
        return Err(invalid(
            cluster_name,
            name,
            "Each Fargate Profile selector must specify a namespace.",
        ));
    }
    if selectors.as_array().into_iter().flatten().any(|s| {
        s.get("labels")
            .and_then(Value::as_object)
            .is_some_and(|l| l.len() > MAX_SELECTOR_LABELS)
    }) {
        return Err(invalid(
            cluster_name,
            name,
            "A Fargate Profile selector can have at most 5 labels.",
        ));
    }
    let body = json!({
        "fargateProfileName": name,
        "fargateProfileArn": arn,
        "clusterName": cluster_name,
        "createdAt": ctx.now,
        "podExecutionRoleArn": text(input, "podExecutionRoleArn"),
        "subnets": present(input, "subnets").unwrap_or_else(|| json!([])),
        "selectors": selectors,
        "tags": initial_tags(input),
        "health": {"issues": []},
    });
    let tracked = Tracked::born(
        body,
        "CREATING",
        "ACTIVE",
        ctx.now,
        ctx.timings.fargate_profile_create,
    );
    let view = tracked.body.clone();
    state
        .children
        .fargate_profiles
        .insert(name.to_string(), tracked);
    Ok(json!({ "fargateProfile": view }))
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (
        text(input, "clusterName"),
        text(input, "fargateProfileName"),
    );
    let state = cluster(ctx.resources, cluster_name)?;
    Ok(json!({ "fargateProfile": profile(state, cluster_name, name)?.body }))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let state = cluster(ctx.resources, text(input, "clusterName"))?;
    name_page(
        state.children.fargate_profiles.keys(),
        input,
        "fargateProfileNames",
    )
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (
        text(input, "clusterName"),
        text(input, "fargateProfileName"),
    );
    let state = cluster(ctx.resources, cluster_name)?;
    profile(state, cluster_name, name)?;
    // One profile of a cluster is deleted at a time.
    if let Some((other, _)) = state
        .children
        .fargate_profiles
        .iter()
        .find(|(other, p)| other.as_str() != name && p.status() == "DELETING")
    {
        return Err(AwsError::new(
            "ClientException",
            format!("Fargate profile {other} is being deleted; only one Fargate profile in a cluster can be deleted at a time."),
        )
        .field("clusterName", cluster_name)
        .field("fargateProfileName", name));
    }
    let fp = profile(state, cluster_name, name)?;
    Ok(json!({ "fargateProfile": start_delete(fp, ctx.now, ctx.timings.fargate_profile_delete) }))
}
