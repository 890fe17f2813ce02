//! Node group updates: UpdateNodegroupConfig (labels, taints, scaling, update config) and
//! UpdateNodegroupVersion (Kubernetes version, AMI release version, launch template version).

use super::context::{cluster, require_updatable, start_update, Ctx};
use super::input::{merge, param, present, text};
use super::nodegroup_rules as checks;
use super::nodegroups::{invalid, kubernetes_version, nodegroup, release_version};
use crate::catalogs::versions::minor;
use crate::error::AwsError;
use crate::state::Scope;
use serde_json::{json, Map, Value};

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
    let version = super::input::opt_text(input, "version")
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
    let release = release_version(info, super::input::opt_text(input, "releaseVersion"), now)
        .map_err(fail)?;
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
