//! Cluster updates: UpdateClusterConfig, UpdateClusterVersion and AssociateEncryptionConfig,
//! each an Update of the cluster, with the rules of RULES.md ("UpdateClusterConfig", ...).

use super::clusters::{invalid, LOG_TYPES};
use super::context::{cluster, require_updatable, start_update, Ctx};
use super::input::{merge, param, present, text};
use super::{cluster_config, insight_checks};
use crate::catalogs::versions::{minor, Support};
use crate::error::AwsError;
use crate::state::Scope;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The update each `UpdateClusterConfig` member makes: `(member, update type, param type)`.
const CONFIG_UPDATES: &[(&str, &str, &str)] = &[
    ("logging", "LoggingUpdate", "ClusterLogging"),
    ("accessConfig", "AccessConfigUpdate", "AuthenticationMode"),
    ("upgradePolicy", "UpgradePolicyUpdate", "UpgradePolicy"),
    (
        "zonalShiftConfig",
        "ZonalShiftConfigUpdate",
        "ZonalShiftConfig",
    ),
    ("computeConfig", "AutoModeUpdate", "ComputeConfig"),
    ("storageConfig", "AutoModeUpdate", "StorageConfig"),
    (
        "kubernetesNetworkConfig",
        "AutoModeUpdate",
        "KubernetesNetworkConfig",
    ),
    (
        "remoteNetworkConfig",
        "RemoteNetworkConfigUpdate",
        "RemoteNetworkConfig",
    ),
    (
        "deletionProtection",
        "DeletionProtectionUpdate",
        "DeletionProtection",
    ),
    (
        "controlPlaneScalingConfig",
        "ControlPlaneScalingConfigUpdate",
        "UpdatedTier",
    ),
    (
        "kubeApiServerConfig",
        "ControlPlaneComponentConfigUpdate",
        "KubeApiServerConfig",
    ),
    (
        "kubeSchedulerConfig",
        "ControlPlaneComponentConfigUpdate",
        "KubeSchedulerConfig",
    ),
    (
        "kubeControllerManagerConfig",
        "ControlPlaneComponentConfigUpdate",
        "KubeControllerManagerConfig",
    ),
];

/// `resourcesVpcConfig` keys and their param types; endpoint keys make an
/// `EndpointAccessUpdate`, the others a `VpcConfigUpdate`.
const VPC_PARAMS: &[(&str, &str, bool)] = &[
    ("endpointPublicAccess", "EndpointPublicAccess", true),
    ("endpointPrivateAccess", "EndpointPrivateAccess", true),
    ("publicAccessCidrs", "PublicAccessCidrs", true),
    ("subnetIds", "Subnets", false),
    ("securityGroupIds", "SecurityGroups", false),
    ("controlPlaneEgressMode", "ControlPlaneEgressMode", false),
];

/// The log types enabled by a `logging` value (later entries override earlier ones).
fn enabled_log_types(logging: &Value, mut enabled: BTreeSet<String>) -> BTreeSet<String> {
    for setup in logging
        .get("clusterLogging")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let on = setup
            .get("enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        for kind in setup
            .get("types")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if on {
                enabled.insert(kind.to_string());
            } else {
                enabled.remove(kind);
            }
        }
    }
    enabled
}

/// `logging` as EKS reports it: the enabled types, then the disabled ones.
fn logging_view(enabled: &BTreeSet<String>) -> Value {
    let (on, off): (Vec<&str>, Vec<&str>) = LOG_TYPES.iter().partition(|t| enabled.contains(**t));
    let mut setups = Vec::new();
    if !on.is_empty() {
        setups.push(json!({"types": on, "enabled": true}));
    }
    if !off.is_empty() {
        setups.push(json!({"types": off, "enabled": false}));
    }
    json!({ "clusterLogging": setups })
}

/// The rules on the members of an UpdateClusterConfig request, given the cluster as it
/// would be after it (`after`) and as it is (`before`).
fn check_config_update(
    name: &str,
    input: &Value,
    before: &Value,
    after: &Value,
    support: Option<Support>,
) -> Result<(), AwsError> {
    if let Some(network) = present(input, "kubernetesNetworkConfig") {
        for member in ["serviceIpv4Cidr", "ipFamily"] {
            let wanted = network.get(member).filter(|v| !v.is_null());
            let current = before.pointer(&format!("/kubernetesNetworkConfig/{member}"));
            if wanted.is_some() && wanted != current {
                return Err(invalid(
                    name,
                    format!("{member} can't be changed after the cluster is created."),
                ));
            }
        }
    }
    if let Some(vpc) = present(input, "resourcesVpcConfig") {
        if vpc.get("subnetIds").is_some_and(|s| !s.is_null()) {
            cluster_config::check_subnets(&vpc).map_err(|e| e.field("clusterName", name))?;
        }
        let ipv6 = before
            .pointer("/kubernetesNetworkConfig/ipFamily")
            .and_then(Value::as_str)
            == Some("ipv6");
        let effective = after
            .get("resourcesVpcConfig")
            .cloned()
            .unwrap_or(Value::Null);
        cluster_config::check_vpc(&effective, ipv6).map_err(|e| e.field("clusterName", name))?;
    }
    if let Some(mode) = input
        .pointer("/accessConfig/authenticationMode")
        .and_then(Value::as_str)
    {
        let current = before
            .pointer("/accessConfig/authenticationMode")
            .and_then(Value::as_str)
            .unwrap_or("CONFIG_MAP");
        if mode != current {
            cluster_config::check_authentication_mode_change(current, mode)
                .map_err(|e| e.field("clusterName", name))?;
        }
    }
    let standard = input
        .pointer("/upgradePolicy/supportType")
        .and_then(Value::as_str)
        == Some("STANDARD");
    if standard && support == Some(Support::Extended) {
        return Err(AwsError::invalid_request(format!(
            "Extended support can't be disabled for cluster {name}: its Kubernetes version is already in extended support."
        ))
        .field("clusterName", name));
    }
    let compute_enabled = before.pointer("/computeConfig/enabled") == Some(&json!(true));
    let role = |cluster: &Value| cluster.pointer("/computeConfig/nodeRoleArn").cloned();
    if compute_enabled && role(input).is_some() && role(input) != role(before) {
        return Err(invalid(
            name,
            "computeConfig.nodeRoleArn can't be changed after the compute capability of EKS Auto Mode is enabled.".into(),
        ));
    }
    if let Some(remote) = present(input, "remoteNetworkConfig") {
        let service = before
            .pointer("/kubernetesNetworkConfig/serviceIpv4Cidr")
            .and_then(Value::as_str);
        cluster_config::check_remote_network(&remote, service)
            .map_err(|e| e.field("clusterName", name))?;
    }
    cluster_config::check_auto_mode(after).map_err(|e| e.field("clusterName", name))
}

pub fn update_config(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    let now = ctx.now;
    let catalog = ctx.resources.versions.clone();
    let state = cluster(ctx.resources, name)?;
    require_updatable(&state.cluster, "Cluster", "clusterName", name, name)?;
    let before = state.cluster.body.clone();
    let mut kinds: Vec<&str> = Vec::new();
    let mut params = Vec::new();
    let mut patch = Map::new();
    for (member, kind, param_type) in CONFIG_UPDATES {
        let Some(value) = present(input, member) else {
            continue;
        };
        let current = before.get(*member).cloned().unwrap_or(Value::Null);
        let next = if *member == "logging" {
            let enabled = enabled_log_types(&current, BTreeSet::new());
            logging_view(&enabled_log_types(&value, enabled))
        } else {
            merge(&current, &value)
        };
        // A member set to what it already is changes nothing.
        if next == current {
            continue;
        }
        kinds.push(kind);
        params.push(param(param_type, &value));
        patch.insert((*member).to_string(), next);
    }
    if let Some(vpc) = present(input, "resourcesVpcConfig") {
        let current = before
            .get("resourcesVpcConfig")
            .cloned()
            .unwrap_or(Value::Null);
        for (key, param_type, endpoint) in VPC_PARAMS {
            let Some(value) = vpc.get(*key).filter(|v| !v.is_null()) else {
                continue;
            };
            if current.get(*key) == Some(value) {
                continue;
            }
            kinds.push(if *endpoint {
                "EndpointAccessUpdate"
            } else {
                "VpcConfigUpdate"
            });
            params.push(param(param_type, value));
        }
        patch.insert("resourcesVpcConfig".into(), merge(&current, &vpc));
    }
    let mut after = before.clone();
    if let Value::Object(body) = &mut after {
        body.extend(patch.clone());
    }
    let support = catalog.support(state.cluster.get_str("version"), now);
    check_config_update(name, input, &before, &after, support)?;
    kinds.dedup();
    let kind = match kinds.as_slice() {
        [] => {
            return Err(invalid(
                name,
                "No changes needed for the cluster configuration provided".into(),
            ))
        }
        [kind] => *kind,
        _ => {
            return Err(invalid(
                name,
                "Only one type of update can be allowed.".into(),
            ))
        }
    };
    let update = start_update(
        state,
        Scope::Cluster,
        kind,
        params,
        patch,
        ctx.now,
        ctx.timings.cluster_update,
    );
    Ok(json!({ "update": update }))
}

/// The message of InvalidStateException (the reference's own words).
const READINESS_BLOCKED: &str = "Amazon EKS detected upgrade readiness issues. Call the ListInsights API to view detected upgrade blocking issues. Pass the force flag when updating to override upgrade readiness errors.";

pub fn update_version(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    let target = text(input, "version");
    let force = input.get("force").and_then(Value::as_bool) == Some(true);
    let now = ctx.now;
    let catalog = ctx.resources.versions.clone();
    let state = cluster(ctx.resources, name)?;
    require_updatable(&state.cluster, "Cluster", "clusterName", name, name)?;
    let current = state.cluster.get_str("version").to_string();
    let next = catalog
        .offered(target, now)
        .filter(|_| minor(target).is_some() && minor(target) == minor(&current).map(|m| m + 1));
    let Some(next) = next.cloned() else {
        return Err(invalid(
            name,
            format!("Unsupported Kubernetes minor version update from {current} to {target}"),
        ));
    };
    let behind: Vec<&str> = state
        .children
        .nodegroups
        .iter()
        .filter(|(_, ng)| ng.get_str("version") != current && ng.status() != "DELETING")
        .map(|(ng, _)| ng.as_str())
        .collect();
    if !behind.is_empty() {
        return Err(AwsError::invalid_request(format!(
            "Nodegroups {} must be at the cluster's Kubernetes version {current} before the cluster can be updated to {target}.",
            behind.join(", ")
        ))
        .field("clusterName", name));
    }
    if !force && !insight_checks::blocking(state, &catalog, now).is_empty() {
        return Err(
            AwsError::new("InvalidStateException", READINESS_BLOCKED).field("clusterName", name)
        );
    }
    let params = vec![
        param("Version", &json!(target)),
        param("PlatformVersion", &json!(next.platform_version)),
    ];
    let mut patch = Map::new();
    patch.insert("version".into(), json!(target));
    patch.insert("platformVersion".into(), json!(next.platform_version));
    let update = start_update(
        state,
        Scope::Cluster,
        "VersionUpdate",
        params,
        patch,
        ctx.now,
        ctx.timings.cluster_update,
    );
    Ok(json!({ "update": update }))
}

pub fn associate_encryption_config(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "clusterName");
    let config = present(input, "encryptionConfig").unwrap_or_else(|| json!([]));
    cluster_config::check_encryption(&config).map_err(|e| e.field("clusterName", name))?;
    let state = cluster(ctx.resources, name)?;
    require_updatable(&state.cluster, "Cluster", "clusterName", name, name)?;
    let existing = state.cluster.body.get("encryptionConfig");
    if existing
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
    {
        return Err(AwsError::invalid_request(format!(
            "Cluster {name} already has an encryption configuration associated"
        ))
        .field("clusterName", name));
    }
    let params = vec![param("EncryptionConfig", &config)];
    let mut patch = Map::new();
    patch.insert("encryptionConfig".into(), config);
    let update = start_update(
        state,
        Scope::Cluster,
        "AssociateEncryptionConfig",
        params,
        patch,
        ctx.now,
        ctx.timings.cluster_update,
    );
    Ok(json!({ "update": update }))
}
