//! Managed node groups: create, describe, list, delete, update config, update version.

use super::catalog;
use super::{
    active_cluster, cluster, copy_members, initial_tags, merge, name_page, param, present,
    require_updatable, single, start_delete, start_update, text, Ctx,
};
use crate::error::AwsError;
use crate::state::{ClusterState, Scope, Tracked};
use crate::util::{random_hex, uuid};
use serde_json::{json, Map, Value};

fn not_found(cluster: &str, name: &str) -> AwsError {
    AwsError::not_found(format!("No node group found for name: {name}."))
        .field("clusterName", cluster)
        .field("nodegroupName", name)
}

fn invalid(cluster: &str, name: &str, message: String) -> AwsError {
    AwsError::invalid_parameter(message)
        .field("clusterName", cluster)
        .field("nodegroupName", name)
}

fn nodegroup<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    name: &str,
) -> Result<&'a mut Tracked, AwsError> {
    state
        .nodegroups
        .get_mut(name)
        .ok_or_else(|| not_found(cluster, name))
}

/// Checks `minSize <= desiredSize <= maxSize` as AWS does.
fn check_scaling(cluster: &str, name: &str, scaling: &Value) -> Result<(), AwsError> {
    let size = |k: &str| scaling.get(k).and_then(Value::as_i64);
    let (min, desired, max) = (size("minSize"), size("desiredSize"), size("maxSize"));
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return Err(invalid(
                cluster,
                name,
                format!("Minimum capacity {min} can't be greater than maximum capacity {max}"),
            ));
        }
    }
    if let (Some(desired), Some(max)) = (desired, max) {
        if desired > max {
            return Err(invalid(
                cluster,
                name,
                format!("Desired capacity {desired} can't be greater than maximum capacity {max}"),
            ));
        }
    }
    if let (Some(min), Some(desired)) = (min, desired) {
        if desired < min {
            return Err(invalid(
                cluster,
                name,
                format!("Minimum capacity {min} can't be greater than desired size {desired}"),
            ));
        }
    }
    Ok(())
}

/// A node group's Kubernetes version may not be newer than its cluster's.
fn check_version(
    cluster_name: &str,
    name: &str,
    version: &str,
    cluster_version: &str,
) -> Result<(), AwsError> {
    let supported = catalog::platform_version(version).is_some();
    if !supported || catalog::minor(version) > catalog::minor(cluster_version) {
        return Err(invalid(
            cluster_name,
            name,
            format!("Requested Kubernetes version {version} is invalid: it must be supported and not newer than the cluster version {cluster_version}"),
        ));
    }
    Ok(())
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let name = text(input, "nodegroupName");
    let arn = ctx.arn(&format!("nodegroup/{cluster_name}/{name}/{}", uuid()));
    let state = active_cluster(ctx.resources, cluster_name)?;
    if state.nodegroups.contains_key(name) {
        return Err(AwsError::in_use(format!(
            "NodeGroup already exists with name {name} and cluster name {cluster_name}"
        ))
        .field("clusterName", cluster_name)
        .field("nodegroupName", name));
    }
    let cluster_version = state.cluster.get_str("version").to_string();
    let version = super::opt_text(input, "version")
        .unwrap_or(&cluster_version)
        .to_string();
    check_version(cluster_name, name, &version, &cluster_version)?;
    let scaling = merge(
        &json!({"minSize": 1, "maxSize": 2, "desiredSize": 2}),
        &present(input, "scalingConfig").unwrap_or_else(|| json!({})),
    );
    check_scaling(cluster_name, name, &scaling)?;
    let mut body = Map::new();
    body.insert("nodegroupName".into(), json!(name));
    body.insert("nodegroupArn".into(), json!(arn));
    body.insert("clusterName".into(), json!(cluster_name));
    body.insert("version".into(), json!(version));
    body.insert(
        "releaseVersion".into(),
        present(input, "releaseVersion")
            .unwrap_or_else(|| json!(catalog::release_version(&version))),
    );
    body.insert("createdAt".into(), json!(ctx.now));
    body.insert("modifiedAt".into(), json!(ctx.now));
    body.insert(
        "capacityType".into(),
        present(input, "capacityType").unwrap_or(json!("ON_DEMAND")),
    );
    body.insert("scalingConfig".into(), scaling);
    body.insert(
        "subnets".into(),
        present(input, "subnets").unwrap_or_else(|| json!([])),
    );
    body.insert("nodeRole".into(), json!(text(input, "nodeRole")));
    body.insert(
        "labels".into(),
        present(input, "labels").unwrap_or_else(|| json!({})),
    );
    body.insert(
        "resources".into(),
        json!({"autoScalingGroups": [{"name": format!("eks-{name}-{}", random_hex(8))}]}),
    );
    body.insert("health".into(), json!({"issues": []}));
    body.insert(
        "updateConfig".into(),
        present(input, "updateConfig").unwrap_or_else(|| json!({"maxUnavailable": 1})),
    );
    body.insert("tags".into(), initial_tags(input));
    // Without a launch template, EKS fills in the instance settings itself.
    if present(input, "launchTemplate").is_none() {
        body.insert(
            "instanceTypes".into(),
            present(input, "instanceTypes").unwrap_or(json!(["t3.medium"])),
        );
        body.insert(
            "amiType".into(),
            present(input, "amiType").unwrap_or(json!("AL2023_x86_64_STANDARD")),
        );
        body.insert(
            "diskSize".into(),
            present(input, "diskSize").unwrap_or(json!(20)),
        );
    }
    copy_members(
        &mut body,
        input,
        &[
            "launchTemplate",
            "instanceTypes",
            "amiType",
            "diskSize",
            "taints",
            "remoteAccess",
            "nodeRepairConfig",
            "warmPoolConfig",
        ],
    );
    let tracked = Tracked::born(
        Value::Object(body),
        "CREATING",
        "ACTIVE",
        ctx.now,
        ctx.timings.nodegroup_create,
    );
    let view = tracked.body.clone();
    state.nodegroups.insert(name.to_string(), tracked);
    Ok(json!({ "nodegroup": view }))
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "nodegroupName"));
    let state = cluster(ctx.resources, cluster_name)?;
    Ok(single(
        "nodegroup",
        nodegroup(state, cluster_name, name)?.body.clone(),
    ))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let state = cluster(ctx.resources, text(input, "clusterName"))?;
    name_page(state.nodegroups.keys(), input, "nodegroups")
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "nodegroupName"));
    let state = cluster(ctx.resources, cluster_name)?;
    let ng = nodegroup(state, cluster_name, name)?;
    Ok(json!({ "nodegroup": start_delete(ng, ctx.now, ctx.timings.nodegroup_delete) }))
}

/// Applies label and taint payloads (`addOrUpdate*` / `remove*`) to the current values.
fn apply_labels(current: &Value, payload: &Value) -> Value {
    let mut labels = current.as_object().cloned().unwrap_or_default();
    for key in payload
        .get("removeLabels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(key) = key.as_str() {
            labels.remove(key);
        }
    }
    if let Some(add) = payload.get("addOrUpdateLabels").and_then(Value::as_object) {
        labels.extend(add.clone());
    }
    Value::Object(labels)
}

fn apply_taints(current: &Value, payload: &Value) -> Value {
    let same_taint =
        |a: &Value, b: &Value| a.get("key") == b.get("key") && a.get("effect") == b.get("effect");
    let list = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    let mut taints = list(Some(current));
    for removed in list(payload.get("removeTaints")) {
        taints.retain(|t| !same_taint(t, &removed));
    }
    for added in list(payload.get("addOrUpdateTaints")) {
        taints.retain(|t| !same_taint(t, &added));
        taints.push(added);
    }
    Value::Array(taints)
}

/// Update params for each changed setting: `(payload member, key, param type)`.
const CONFIG_PARAMS: &[(&str, &str, &str)] = &[
    ("labels", "addOrUpdateLabels", "LabelsToAdd"),
    ("labels", "removeLabels", "LabelsToRemove"),
    ("taints", "addOrUpdateTaints", "TaintsToAdd"),
    ("taints", "removeTaints", "TaintsToRemove"),
    ("scalingConfig", "minSize", "MinSize"),
    ("scalingConfig", "maxSize", "MaxSize"),
    ("scalingConfig", "desiredSize", "DesiredSize"),
    ("updateConfig", "maxUnavailable", "MaxUnavailable"),
    (
        "updateConfig",
        "maxUnavailablePercentage",
        "MaxUnavailablePercentage",
    ),
    ("updateConfig", "updateStrategy", "UpdateStrategy"),
    ("nodeRepairConfig", "enabled", "NodeRepairEnabled"),
    ("warmPoolConfig", "enabled", "WarmPoolEnabled"),
    ("warmPoolConfig", "minSize", "WarmPoolMinSize"),
    (
        "warmPoolConfig",
        "maxGroupPreparedCapacity",
        "WarmPoolMaxGroupPreparedCapacity",
    ),
];

pub fn update_config(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "nodegroupName"));
    let state = cluster(ctx.resources, cluster_name)?;
    let ng = nodegroup(state, cluster_name, name)?;
    require_updatable(ng, "Nodegroup", "nodegroupName", name, cluster_name)?;
    let params: Vec<Value> = CONFIG_PARAMS
        .iter()
        .filter_map(|(member, key, kind)| {
            input
                .get(*member)
                .and_then(|m| m.get(*key))
                .filter(|v| !v.is_null())
                .map(|v| param(kind, v))
        })
        .collect();
    if params.is_empty() {
        return Err(invalid(
            cluster_name,
            name,
            "No changes needed for the nodegroup configuration provided".into(),
        ));
    }
    let current = |member: &str| ng.body.get(member).cloned().unwrap_or(Value::Null);
    let mut patch = Map::new();
    if let Some(labels) = present(input, "labels") {
        patch.insert("labels".into(), apply_labels(&current("labels"), &labels));
    }
    if let Some(taints) = present(input, "taints") {
        patch.insert("taints".into(), apply_taints(&current("taints"), &taints));
    }
    for member in [
        "scalingConfig",
        "updateConfig",
        "nodeRepairConfig",
        "warmPoolConfig",
    ] {
        if let Some(change) = present(input, member) {
            patch.insert(member.into(), merge(&current(member), &change));
        }
    }
    if let Some(scaling) = patch.get("scalingConfig") {
        check_scaling(cluster_name, name, scaling)?;
    }
    let update = start_update(
        state,
        Scope::Nodegroup(name.into()),
        "ConfigUpdate",
        params,
        patch,
        ctx.now,
        ctx.timings.nodegroup_update,
    );
    Ok(json!({ "update": update }))
}

pub fn update_version(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "nodegroupName"));
    let state = cluster(ctx.resources, cluster_name)?;
    let cluster_version = state.cluster.get_str("version").to_string();
    let ng = nodegroup(state, cluster_name, name)?;
    require_updatable(ng, "Nodegroup", "nodegroupName", name, cluster_name)?;
    let version = super::opt_text(input, "version")
        .unwrap_or(&cluster_version)
        .to_string();
    check_version(cluster_name, name, &version, &cluster_version)?;
    let release = super::opt_text(input, "releaseVersion")
        .map(str::to_string)
        .unwrap_or_else(|| catalog::release_version(&version));
    let mut params = vec![
        param("Version", &json!(version)),
        param("ReleaseVersion", &json!(release)),
    ];
    let mut patch = Map::new();
    patch.insert("version".into(), json!(version));
    patch.insert("releaseVersion".into(), json!(release));
    if let Some(template) = present(input, "launchTemplate") {
        for (key, kind) in [
            ("name", "LaunchTemplateName"),
            ("version", "LaunchTemplateVersion"),
        ] {
            if let Some(v) = template.get(key) {
                params.push(param(kind, v));
            }
        }
        patch.insert(
            "launchTemplate".into(),
            merge(
                &ng.body
                    .get("launchTemplate")
                    .cloned()
                    .unwrap_or(Value::Null),
                &template,
            ),
        );
    }
    let update = start_update(
        state,
        Scope::Nodegroup(name.into()),
        "VersionUpdate",
        params,
        patch,
        ctx.now,
        ctx.timings.nodegroup_update,
    );
    Ok(json!({ "update": update }))
}
