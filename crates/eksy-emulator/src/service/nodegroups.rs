//! Managed node groups: create, describe, list, delete, update config, update version. The
//! request rules are in nodegroup_rules.rs; versions and AMI release versions come from the
//! version catalog (service::versions).

use super::nodegroup_rules as checks;
use super::rules::{check_role_arn, check_tags};
use super::versions::{minor, Catalog, VersionInfo};
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

fn strings(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The catalog entry of a node group's Kubernetes version (it has AMIs at `now`).
fn kubernetes_version<'a>(
    catalog: &'a Catalog,
    version: &str,
    now: f64,
) -> Option<&'a VersionInfo> {
    catalog
        .get(version)
        .filter(|v| v.latest_release_version(now).is_some())
}

/// The release version to use: the requested one if it is a release of `version` that
/// exists, else the newest.
fn release_version(
    info: &VersionInfo,
    requested: Option<&str>,
    now: f64,
) -> Result<String, String> {
    match requested {
        Some(release) if info.release_version_date(release, now).is_some() => {
            Ok(release.to_string())
        }
        Some(release) => Err(format!(
            "Requested release version {release} is not valid for kubernetes version {}.",
            info.version
        )),
        None => info.latest_release_version(now).ok_or_else(|| {
            format!(
                "No AMI release is available for kubernetes version {}.",
                info.version
            )
        }),
    }
}

/// The rules of a CreateNodegroup request that need no cluster (RULES.md, "CreateNodegroup").
fn check_create(
    input: &Value,
    ami_type: &str,
    instance_types: &[&str],
    version: &str,
) -> Result<(), AwsError> {
    check_role_arn("nodeRole", text(input, "nodeRole"))?;
    check_tags(input)?;
    if strings(input.get("subnets")).is_empty() {
        return Err(AwsError::invalid_parameter(
            "A node group needs at least one subnet.",
        ));
    }
    checks::check_scaling_at_create(present(input, "scalingConfig").as_ref())?;
    let template = present(input, "launchTemplate");
    if let Some(template) = &template {
        checks::check_launch_template(template)?;
        if present(input, "diskSize").is_some() {
            return Err(AwsError::invalid_parameter(
                "Disk size must be specified within the launch template.",
            ));
        }
        if present(input, "remoteAccess").is_some() {
            return Err(AwsError::invalid_parameter(
                "Remote access configuration cannot be specified with a launch template.",
            ));
        }
    } else if ami_type == "CUSTOM" {
        return Err(AwsError::invalid_parameter(
            "AMI type CUSTOM needs a launch template that names the AMI.",
        ));
    }
    if input.get("capacityType").and_then(Value::as_str) == Some("CAPACITY_BLOCK")
        && template.is_none()
    {
        return Err(AwsError::invalid_parameter(
            "Capacity type CAPACITY_BLOCK needs a launch template with the capacity reservation.",
        ));
    }
    if instance_types.len() > checks::MAX_INSTANCE_TYPES {
        return Err(AwsError::invalid_parameter(format!(
            "A node group can have at most {} instance types.",
            checks::MAX_INSTANCE_TYPES
        )));
    }
    checks::check_ami_type(ami_type, instance_types, version)?;
    if let Some(labels) = input.get("labels").and_then(Value::as_object) {
        checks::check_label_count(labels)?;
    }
    if let Some(taints) = input.get("taints").and_then(Value::as_array) {
        checks::check_taint_count(taints)?;
    }
    if let Some(remote) = present(input, "remoteAccess") {
        checks::check_remote_access(&remote)?;
    }
    if let Some(config) = present(input, "updateConfig") {
        checks::check_update_config(&config)?;
    }
    if let Some(config) = present(input, "nodeRepairConfig") {
        checks::check_repair_config(&config)?;
    }
    Ok(())
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let name = text(input, "nodegroupName");
    let now = ctx.now;
    let id = uuid();
    let arn = ctx.arn(&format!("nodegroup/{cluster_name}/{name}/{id}"));
    let catalog = ctx.resources.versions.clone();
    let state = active_cluster(ctx.resources, cluster_name)?;
    let cluster_version = state.cluster.get_str("version").to_string();
    let template = present(input, "launchTemplate");
    let requested_types = strings(input.get("instanceTypes"));
    // Without an AMI type EKS picks the standard AL2023 AMI of the instances' architecture.
    let ami_type =
        super::opt_text(input, "amiType").unwrap_or_else(|| match requested_types.first() {
            Some(first) if checks::is_arm_instance(first) => "AL2023_ARM_64_STANDARD",
            _ => "AL2023_x86_64_STANDARD",
        });
    // Without a launch template (which may name the instance type), EKS picks one.
    let default_type = [checks::default_instance_type(ami_type)];
    let checked_types: &[&str] = if requested_types.is_empty() && template.is_none() {
        &default_type
    } else {
        &requested_types
    };
    check_create(input, ami_type, checked_types, &cluster_version).map_err(|e| {
        e.field("clusterName", cluster_name)
            .field("nodegroupName", name)
    })?;
    if state.nodegroups.contains_key(name) {
        return Err(AwsError::in_use(format!(
            "NodeGroup already exists with name {name} and cluster name {cluster_name}"
        ))
        .field("clusterName", cluster_name)
        .field("nodegroupName", name));
    }
    let version = super::opt_text(input, "version")
        .unwrap_or(&cluster_version)
        .to_string();
    if version != cluster_version {
        return Err(invalid(
            cluster_name,
            name,
            format!("Requested Kubernetes version {version} is invalid: a new node group must use the cluster's version {cluster_version}."),
        ));
    }
    let info = kubernetes_version(&catalog, &version, now).ok_or_else(|| {
        invalid(
            cluster_name,
            name,
            format!("unsupported Kubernetes version {version}"),
        )
    })?;
    let release = release_version(info, super::opt_text(input, "releaseVersion"), now)
        .map_err(|message| invalid(cluster_name, name, message))?;
    let scaling = present(input, "scalingConfig")
        .unwrap_or_else(|| json!({"minSize": 1, "maxSize": 2, "desiredSize": 2}));
    let mut resources = json!({"autoScalingGroups": [{"name": format!("eks-{name}-{id}")}]});
    if present(input, "remoteAccess").is_some() {
        resources["remoteAccessSecurityGroup"] = json!(format!("sg-{}", random_hex(17)));
    }
    let mut body = Map::new();
    body.insert("nodegroupName".into(), json!(name));
    body.insert("nodegroupArn".into(), json!(arn));
    body.insert("clusterName".into(), json!(cluster_name));
    body.insert("version".into(), json!(version));
    body.insert("releaseVersion".into(), json!(release));
    body.insert("createdAt".into(), json!(now));
    body.insert("modifiedAt".into(), json!(now));
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
    body.insert("resources".into(), resources);
    body.insert("health".into(), json!({"issues": []}));
    body.insert(
        "updateConfig".into(),
        present(input, "updateConfig").unwrap_or_else(|| json!({"maxUnavailable": 1})),
    );
    body.insert("tags".into(), initial_tags(input));
    // Without a launch template, EKS fills in the instance settings itself.
    if template.is_none() {
        body.insert("instanceTypes".into(), json!(checked_types));
        body.insert("amiType".into(), json!(ami_type));
        body.insert(
            "diskSize".into(),
            present(input, "diskSize")
                .unwrap_or_else(|| json!(checks::default_disk_size(ami_type))),
        );
    }
    copy_members(
        &mut body,
        input,
        &[
            "launchTemplate",
            "instanceTypes",
            "amiType",
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
        now,
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
    let fail = |e: AwsError| {
        e.field("clusterName", cluster_name)
            .field("nodegroupName", name)
    };
    checks::check_payloads(input).map_err(fail)?;
    if let Some(config) = present(input, "updateConfig") {
        checks::check_update_config(&config).map_err(fail)?;
    }
    if let Some(config) = present(input, "nodeRepairConfig") {
        checks::check_repair_config(&config).map_err(fail)?;
    }
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
        let next = apply_labels(&current("labels"), &labels);
        checks::check_label_count(next.as_object().unwrap_or(&Map::new())).map_err(fail)?;
        patch.insert("labels".into(), next);
    }
    if let Some(taints) = present(input, "taints") {
        let next = apply_taints(&current("taints"), &taints);
        checks::check_taint_count(next.as_array().map(Vec::as_slice).unwrap_or_default())
            .map_err(fail)?;
        patch.insert("taints".into(), next);
    }
    for member in ["scalingConfig", "nodeRepairConfig", "warmPoolConfig"] {
        if let Some(change) = present(input, member) {
            patch.insert(member.into(), merge(&current(member), &change));
        }
    }
    if let Some(change) = present(input, "updateConfig") {
        // maxUnavailable and maxUnavailablePercentage replace each other.
        let mut next = merge(&current("updateConfig"), &change);
        if let Value::Object(config) = &mut next {
            for (given, other) in [
                ("maxUnavailable", "maxUnavailablePercentage"),
                ("maxUnavailablePercentage", "maxUnavailable"),
            ] {
                if change.get(given).is_some_and(|v| !v.is_null()) {
                    config.remove(other);
                }
            }
        }
        patch.insert("updateConfig".into(), next);
    }
    if let Some(scaling) = patch.get("scalingConfig") {
        checks::check_scaling(scaling).map_err(fail)?;
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

/// The launch template of an UpdateNodegroupVersion request must be the node group's own
/// (same id or name); only its version may change.
fn check_template_update(current: Option<&Value>, requested: &Value) -> Result<(), String> {
    let Some(current) = current else {
        return Err("You can only update a node group using a launch template if it was originally deployed with a launch template.".into());
    };
    let same = |key: &str| {
        let wanted = requested.get(key).and_then(Value::as_str);
        wanted.is_none() || wanted == current.get(key).and_then(Value::as_str)
    };
    let has = |key: &str| requested.get(key).and_then(Value::as_str).is_some();
    if has("id") && has("name") {
        return Err("You must specify either the launch template ID or the launch template name in the request, but not both.".into());
    }
    if !same("id") || !same("name") {
        return Err("You must specify the same launch template ID or name that was used to create the node group.".into());
    }
    Ok(())
}

pub fn update_version(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "nodegroupName"));
    let now = ctx.now;
    let catalog = ctx.resources.versions.clone();
    let state = cluster(ctx.resources, cluster_name)?;
    let cluster_version = state.cluster.get_str("version").to_string();
    let ng = nodegroup(state, cluster_name, name)?;
    require_updatable(ng, "Nodegroup", "nodegroupName", name, cluster_name)?;
    let fail = |message: String| invalid(cluster_name, name, message);
    let current_version = ng.get_str("version").to_string();
    let current_release = ng.get_str("releaseVersion").to_string();
    let version = super::opt_text(input, "version")
        .unwrap_or(&cluster_version)
        .to_string();
    if minor(&version).is_none() || minor(&version) > minor(&cluster_version) {
        return Err(fail(format!(
            "Requested Kubernetes version {version} is invalid: it can't be newer than the cluster version {cluster_version}."
        )));
    }
    if minor(&version) < minor(&current_version) {
        return Err(fail(format!(
            "Requested Kubernetes version {version} is older than the node group's version {current_version}; a node group can't be rolled back."
        )));
    }
    let info = kubernetes_version(&catalog, &version, now)
        .ok_or_else(|| fail(format!("unsupported Kubernetes version {version}")))?;
    let release =
        release_version(info, super::opt_text(input, "releaseVersion"), now).map_err(fail)?;
    if version == current_version {
        let date = |r: &str| info.release_version_date(r, now);
        if let (Some(new), Some(old)) = (date(&release), date(&current_release)) {
            if new < old {
                return Err(fail(format!(
                    "Requested release version {release} is older than the node group's release version {current_release}; a node group can't be rolled back."
                )));
            }
        }
    }
    let mut params = vec![
        param("Version", &json!(version)),
        param("ReleaseVersion", &json!(release)),
    ];
    let mut patch = Map::new();
    patch.insert("version".into(), json!(version));
    patch.insert("releaseVersion".into(), json!(release));
    if let Some(template) = present(input, "launchTemplate") {
        check_template_update(ng.body.get("launchTemplate"), &template).map_err(fail)?;
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
