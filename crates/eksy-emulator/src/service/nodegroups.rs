//! Managed node groups: create, describe, list, delete (updates are nodegroup_updates.rs, the
//! request rules nodegroup_rules.rs); versions and AMI release versions come from the
//! version catalog (service::versions).

use super::context::{active_cluster, cluster, initial_tags, start_delete, Ctx};
use super::input::{copy_members, present, single, text};
use super::nodegroup_rules as checks;
use super::paging::name_page;
use super::rules::{check_role_arn, check_tags};
use crate::catalogs::versions::{Catalog, VersionInfo};
use crate::error::AwsError;
use crate::lifecycle::Tracked;
use crate::state::ClusterState;
use crate::util::{random_hex, uuid};
use serde_json::{json, Map, Value};

pub(super) fn not_found(cluster: &str, name: &str) -> AwsError {
    AwsError::not_found(format!("No node group found for name: {name}."))
        .field("clusterName", cluster)
        .field("nodegroupName", name)
}

pub(super) fn invalid(cluster: &str, name: &str, message: String) -> AwsError {
    AwsError::invalid_parameter(message)
        .field("clusterName", cluster)
        .field("nodegroupName", name)
}

pub(super) fn nodegroup<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    name: &str,
) -> Result<&'a mut Tracked, AwsError> {
    state
        .children
        .nodegroups
        .get_mut(name)
        .ok_or_else(|| not_found(cluster, name))
}

pub(super) fn strings(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The catalog entry of a node group's Kubernetes version (it has AMIs at `now`).
pub(super) fn kubernetes_version<'a>(
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
pub(super) fn release_version(
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
        super::input::opt_text(input, "amiType").unwrap_or_else(|| match requested_types.first() {
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
    if state.children.nodegroups.contains_key(name) {
        return Err(AwsError::in_use(format!(
            "NodeGroup already exists with name {name} and cluster name {cluster_name}"
        ))
        .field("clusterName", cluster_name)
        .field("nodegroupName", name));
    }
    let version = super::input::opt_text(input, "version")
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
    let release = release_version(info, super::input::opt_text(input, "releaseVersion"), now)
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
    state.children.nodegroups.insert(name.to_string(), tracked);
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
    name_page(state.children.nodegroups.keys(), input, "nodegroups")
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "nodegroupName"));
    let state = cluster(ctx.resources, cluster_name)?;
    let ng = nodegroup(state, cluster_name, name)?;
    Ok(json!({ "nodegroup": start_delete(ng, ctx.now, ctx.timings.nodegroup_delete) }))
}
