//! Managed capabilities (Argo CD, ACK, KRO): create, describe, list, update (an Update of
//! type `CapabilityUpdate`), delete. At most one capability of each type per cluster.

use super::context::{
    cluster, initial_tags, live_cluster, require_updatable_or, start_delete, start_update, Ctx,
};
use super::input::{param, pick, present, text};
use super::paging::item_page;
use crate::error::AwsError;
use crate::lifecycle::Tracked;
use crate::state::{ClusterState, Scope};
use crate::util::{random_hex, uuid};
use serde_json::{json, Map, Value};

const SUMMARY: &[&str] = &[
    "capabilityName",
    "arn",
    "type",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

pub fn not_found(cluster: &str, name: &str) -> AwsError {
    AwsError::not_found(format!("No capability found with name: {name}."))
        .field("clusterName", cluster)
}

fn invalid(cluster: &str, message: impl Into<String>) -> AwsError {
    AwsError::invalid_parameter(message).field("clusterName", cluster)
}

fn capability<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    name: &str,
) -> Result<&'a mut Tracked, AwsError> {
    state
        .children
        .capabilities
        .get_mut(name)
        .ok_or_else(|| not_found(cluster, name))
}

fn version_of(kind: &str) -> &'static str {
    match kind {
        "ARGOCD" => "v3.1.8-eks.1",
        "ACK" => "v1.2.0-eks.1",
        _ => "v0.5.1-eks.1",
    }
}

/// The `CapabilityConfigurationResponse` for a create request's configuration.
fn configuration(ctx: &Ctx, cluster: &str, kind: &str, request: &Value) -> Result<Value, AwsError> {
    let argo = request.get("argoCd").filter(|v| !v.is_null());
    let ack = request.get("ack").filter(|v| !v.is_null());
    if argo.is_some() && kind != "ARGOCD" {
        return Err(invalid(
            cluster,
            "argoCd configuration is only valid for ARGOCD capabilities.",
        ));
    }
    if ack.is_some() && kind != "ACK" {
        return Err(invalid(
            cluster,
            "ack configuration is only valid for ACK capabilities.",
        ));
    }
    match kind {
        "ARGOCD" => {
            let Some(argo) = argo else {
                return Err(invalid(
                    cluster,
                    "ARGOCD capabilities need configuration.argoCd with awsIdc.",
                ));
            };
            let idc = argo.get("awsIdc").cloned().unwrap_or_else(|| json!({}));
            let instance = text(&idc, "idcInstanceArn");
            let instance_id = instance.rsplit('/').next().unwrap_or("ssoins-0");
            let prefix = super::input::opt_text(argo, "endpointPrefix")
                .map_or_else(|| random_hex(12), str::to_string);
            let mut out = Map::new();
            out.insert(
                "namespace".into(),
                argo.get("namespace").cloned().unwrap_or(json!("argocd")),
            );
            out.insert(
                "awsIdc".into(),
                json!({
                    "idcInstanceArn": instance,
                    "idcRegion": super::input::opt_text(&idc, "idcRegion").unwrap_or(ctx.region),
                    "idcManagedApplicationArn": format!(
                        "arn:aws:sso::{}:application/{instance_id}/apl-{}", ctx.account, random_hex(16)
                    ),
                }),
            );
            out.insert(
                "rbacRoleMappings".into(),
                argo.get("rbacRoleMappings").cloned().unwrap_or(json!([])),
            );
            out.insert(
                "networkAccess".into(),
                json!({"vpceIds": argo.pointer("/networkAccess/vpceIds").cloned().unwrap_or(json!([]))}),
            );
            out.insert(
                "serverUrl".into(),
                json!(format!(
                    "https://{prefix}.eks-capabilities.{}.amazonaws.com",
                    ctx.region
                )),
            );
            out.insert("endpointPrefix".into(), json!(prefix));
            Ok(json!({ "argoCd": out }))
        }
        "ACK" => {
            let ack = ack.cloned().unwrap_or_else(|| json!({}));
            Ok(json!({"ack": {
                "enableCrossNamespace": ack.get("enableCrossNamespace").cloned().unwrap_or(json!(false)),
                "disabledServices": ack.get("disabledServices").cloned().unwrap_or(json!([])),
            }}))
        }
        _ => Ok(json!({})),
    }
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let name = text(input, "capabilityName");
    let kind = text(input, "type");
    let arn = ctx.arn(&format!("capability/{cluster_name}/{name}/{}", uuid()));
    if !super::rules::is_resource_name(name) {
        return Err(invalid(
            cluster_name,
            format!("The capability name {name} is invalid: it can contain only alphanumeric characters, hyphens and underscores, and starts with an alphanumeric character."),
        ));
    }
    super::rules::check_role_arn("roleArn", text(input, "roleArn"))
        .and_then(|()| super::rules::check_tags(input))
        .map_err(|e| e.field("clusterName", cluster_name))?;
    let request = present(input, "configuration").unwrap_or_else(|| json!({}));
    let config = configuration(ctx, cluster_name, kind, &request)?;
    let state = live_cluster(ctx.resources, cluster_name)?;
    if state.children.capabilities.contains_key(name) {
        return Err(AwsError::in_use(format!(
            "A capability named {name} already exists in this cluster."
        ))
        .field("clusterName", cluster_name));
    }
    if state
        .children
        .capabilities
        .values()
        .any(|c| c.get_str("type") == kind)
    {
        return Err(AwsError::new(
            "ResourceLimitExceededException",
            format!("The cluster already has a capability of type {kind}; only one of each type is allowed."),
        )
        .field("clusterName", cluster_name));
    }
    let body = json!({
        "capabilityName": name,
        "arn": arn,
        "clusterName": cluster_name,
        "type": kind,
        "roleArn": text(input, "roleArn"),
        "version": version_of(kind),
        "configuration": config,
        "tags": initial_tags(input),
        "health": {"issues": []},
        "createdAt": ctx.now,
        "modifiedAt": ctx.now,
        "deletePropagationPolicy": text(input, "deletePropagationPolicy"),
    });
    let tracked = Tracked::born(
        body,
        "CREATING",
        "ACTIVE",
        ctx.now,
        ctx.timings.capability_create,
    );
    let view = tracked.body.clone();
    state
        .children
        .capabilities
        .insert(name.to_string(), tracked);
    Ok(json!({ "capability": view }))
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "capabilityName"));
    let state = cluster(ctx.resources, cluster_name)?;
    Ok(json!({ "capability": capability(state, cluster_name, name)?.body }))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let state = cluster(ctx.resources, text(input, "clusterName"))?;
    let items = state
        .children
        .capabilities
        .iter()
        .map(|(name, c)| (name.clone(), pick(&c.body, SUMMARY)))
        .collect();
    item_page(items, input, "capabilities")
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "capabilityName"));
    let state = cluster(ctx.resources, cluster_name)?;
    let tracked = capability(state, cluster_name, name)?;
    Ok(json!({ "capability": start_delete(tracked, ctx.now, ctx.timings.capability_delete) }))
}

fn identities(mapping: &Value) -> Vec<Value> {
    mapping
        .get("identities")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Role mappings after an `UpdateRoleMappings`: added identities join their role's mapping,
/// removed ones leave it, and a role left with no identities is dropped.
fn remap(current: &Value, change: &Value) -> Value {
    let mut mappings: Vec<(String, Vec<Value>)> = current
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| (text(m, "role").to_string(), identities(m)))
        .collect();
    for add in change
        .get("addOrUpdateRoleMappings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let role = text(add, "role");
        match mappings.iter_mut().find(|(r, _)| r == role) {
            Some((_, ids)) => {
                for id in identities(add) {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
            None => mappings.push((role.to_string(), identities(add))),
        }
    }
    for remove in change
        .get("removeRoleMappings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let gone = identities(remove);
        if let Some((_, ids)) = mappings.iter_mut().find(|(r, _)| r == text(remove, "role")) {
            ids.retain(|id| !gone.contains(id));
        }
    }
    mappings
        .into_iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(role, ids)| json!({"role": role, "identities": ids}))
        .collect()
}

pub fn update(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "capabilityName"));
    let state = cluster(ctx.resources, cluster_name)?;
    let tracked = capability(state, cluster_name, name)?;
    // UpdateCapability lists no InvalidRequestException: other states answer ResourceInUse.
    require_updatable_or(
        tracked,
        "Capability",
        "capabilityName",
        name,
        cluster_name,
        AwsError::in_use,
    )?;
    let kind = tracked.get_str("type").to_string();
    let mut config = tracked
        .body
        .get("configuration")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut params = Vec::new();
    let mut patch = Map::new();
    if let Some(role) = present(input, "roleArn") {
        super::rules::check_role_arn("roleArn", role.as_str().unwrap_or(""))
            .map_err(|e| e.field("clusterName", cluster_name))?;
        params.push(param("RoleArn", &role));
        patch.insert("roleArn".into(), role);
    }
    if let Some(policy) = present(input, "deletePropagationPolicy") {
        patch.insert("deletePropagationPolicy".into(), policy);
    }
    let change = present(input, "configuration").unwrap_or_else(|| json!({}));
    if let Some(argo) = change.get("argoCd").filter(|v| !v.is_null()) {
        if kind != "ARGOCD" {
            return Err(invalid(
                cluster_name,
                "argoCd configuration is only valid for ARGOCD capabilities.",
            ));
        }
        if let Some(mappings) = argo.get("rbacRoleMappings").filter(|v| !v.is_null()) {
            for (member, kind) in [
                ("addOrUpdateRoleMappings", "RoleMappingsToAddOrUpdate"),
                ("removeRoleMappings", "RoleMappingsToRemove"),
            ] {
                if let Some(v) = mappings.get(member).filter(|v| !v.is_null()) {
                    params.push(param(kind, v));
                }
            }
            let current = config
                .pointer("/argoCd/rbacRoleMappings")
                .cloned()
                .unwrap_or(json!([]));
            config["argoCd"]["rbacRoleMappings"] = remap(&current, mappings);
        }
        if let Some(network) = argo.get("networkAccess").filter(|v| !v.is_null()) {
            params.push(param("NetworkAccess", network));
            config["argoCd"]["networkAccess"] =
                json!({"vpceIds": network.get("vpceIds").cloned().unwrap_or(json!([]))});
        }
    }
    if let Some(ack) = change.get("ack").filter(|v| !v.is_null()) {
        if kind != "ACK" {
            return Err(invalid(
                cluster_name,
                "ack configuration is only valid for ACK capabilities.",
            ));
        }
        for (member, kind) in [
            ("enableCrossNamespace", "EnableCrossNamespace"),
            ("disabledServices", "DisabledServices"),
        ] {
            if let Some(v) = ack.get(member).filter(|v| !v.is_null()) {
                params.push(param(kind, v));
                config["ack"][member] = v.clone();
            }
        }
    }
    if params.is_empty() && patch.is_empty() {
        return Err(invalid(
            cluster_name,
            "No changes needed for the capability configuration provided",
        ));
    }
    patch.insert("configuration".into(), config);
    let update = start_update(
        state,
        Scope::Capability(name.to_string()),
        "CapabilityUpdate",
        params,
        patch,
        ctx.now,
        ctx.timings.capability_update,
    );
    Ok(json!({ "update": update }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_mappings_merge() {
        let user = |id: &str| json!({"id": id, "type": "SSO_USER"});
        let current = json!([{"role": "ADMIN", "identities": [user("a")]}]);
        let change = json!({
            "addOrUpdateRoleMappings": [
                {"role": "ADMIN", "identities": [user("b")]},
                {"role": "VIEWER", "identities": [user("c")]},
            ],
            "removeRoleMappings": [{"role": "ADMIN", "identities": [user("a"), user("b")]}],
        });
        assert_eq!(
            remap(&current, &change),
            json!([{"role": "VIEWER", "identities": [user("c")]}])
        );
    }
}
