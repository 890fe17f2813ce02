//! Clusters: create, describe, list, delete, update config, update version, encryption, and
//! connected (registered) clusters.

use super::catalog::{self, DEFAULT_KUBERNETES_VERSION};
use super::{
    cluster, copy_members, initial_tags, merge, name_page, param, present, require_updatable,
    single, start_delete, start_update, text, Ctx,
};
use crate::error::AwsError;
use crate::state::{ClusterState, Scope, Tracked};
use crate::util::{base64_encode, random_hex};
use serde_json::{json, Map, Value};

const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

fn invalid(name: &str, message: String) -> AwsError {
    AwsError::invalid_parameter(message).field("clusterName", name)
}

/// base64 of a fresh CA certificate's PEM (for certificate authorities made by
/// CreateCertificateAuthority; a cluster's own CA comes with its Kubernetes endpoint).
pub(super) fn certificate_data() -> String {
    let localhost = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    crate::kube::pki::generate(localhost)
        .map(|pki| base64_encode(pki.ca_pem.as_bytes()))
        .unwrap_or_default()
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    if ctx.resources.clusters.contains_key(name) {
        return Err(
            AwsError::in_use(format!("Cluster already exists with name: {name}"))
                .field("clusterName", name),
        );
    }
    let version = super::opt_text(input, "version").unwrap_or(DEFAULT_KUBERNETES_VERSION);
    let Some(platform_version) = catalog::platform_version(version) else {
        return Err(invalid(
            name,
            format!("unsupported Kubernetes version {version}"),
        ));
    };
    let vpc = present(input, "resourcesVpcConfig").unwrap_or_else(|| json!({}));
    let network = merge(
        &json!({"serviceIpv4Cidr": "10.100.0.0/16", "ipFamily": "ipv4", "elasticLoadBalancing": {"enabled": false}}),
        &present(input, "kubernetesNetworkConfig").unwrap_or_else(|| json!({})),
    );
    let region = ctx.region;
    let mut body = Map::new();
    body.insert("name".into(), json!(name));
    body.insert("arn".into(), json!(ctx.arn(&format!("cluster/{name}"))));
    body.insert("createdAt".into(), json!(ctx.now));
    body.insert("version".into(), json!(version));
    // The endpoint and CA data appear when the cluster is ACTIVE (kube::host), as on AWS.
    body.insert("roleArn".into(), json!(text(input, "roleArn")));
    body.insert(
        "resourcesVpcConfig".into(),
        json!({
            "subnetIds": vpc.get("subnetIds").cloned().unwrap_or_else(|| json!([])),
            "securityGroupIds": vpc.get("securityGroupIds").cloned().unwrap_or_else(|| json!([])),
            "clusterSecurityGroupId": format!("sg-{}", random_hex(17)),
            "vpcId": format!("vpc-{}", random_hex(17)),
            "endpointPublicAccess": vpc.get("endpointPublicAccess").cloned().unwrap_or(json!(true)),
            "endpointPrivateAccess": vpc.get("endpointPrivateAccess").cloned().unwrap_or(json!(false)),
            "publicAccessCidrs": vpc.get("publicAccessCidrs").cloned().unwrap_or_else(|| json!(["0.0.0.0/0"])),
        }),
    );
    body.insert("kubernetesNetworkConfig".into(), network);
    body.insert(
        "logging".into(),
        present(input, "logging")
            .unwrap_or_else(|| json!({"clusterLogging": [{"types": LOG_TYPES, "enabled": false}]})),
    );
    body.insert(
        "identity".into(),
        json!({"oidc": {"issuer": format!("https://oidc.eks.{region}.amazonaws.com/id/{}", random_hex(32).to_uppercase())}}),
    );
    body.insert("certificateAuthority".into(), json!({}));
    body.insert("platformVersion".into(), json!(platform_version));
    body.insert("tags".into(), initial_tags(input));
    body.insert("health".into(), json!({"issues": []}));
    body.insert(
        "accessConfig".into(),
        merge(
            &json!({"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": true}),
            &present(input, "accessConfig").unwrap_or_else(|| json!({})),
        ),
    );
    body.insert(
        "upgradePolicy".into(),
        present(input, "upgradePolicy").unwrap_or_else(|| json!({"supportType": "EXTENDED"})),
    );
    body.insert(
        "deletionProtection".into(),
        present(input, "deletionProtection").unwrap_or(json!(false)),
    );
    copy_members(
        &mut body,
        input,
        &[
            "clientRequestToken",
            "encryptionConfig",
            "zonalShiftConfig",
            "computeConfig",
            "storageConfig",
            "remoteNetworkConfig",
            "outpostConfig",
            "controlPlaneScalingConfig",
        ],
    );
    let tracked = Tracked::born(
        Value::Object(body),
        "CREATING",
        "ACTIVE",
        ctx.now,
        ctx.timings.cluster_create,
    );
    let view = tracked.body.clone();
    let mut state = ClusterState::new(tracked);
    state.kube = crate::kube::KubeData::new(ctx.principal);
    bootstrap_admin(&mut state, ctx);
    ctx.resources.clusters.insert(name.to_string(), state);
    crate::kube::host::touch(ctx.resources, name);
    Ok(json!({ "cluster": view }))
}

/// In the API modes EKS gives the creator an access entry with AmazonEKSClusterAdminPolicy
/// when `bootstrapClusterCreatorAdminPermissions` is true (CONFIG_MAP mode maps the creator
/// implicitly instead; see kube::subject).
fn bootstrap_admin(state: &mut ClusterState, ctx: &Ctx) {
    let access = state.cluster.body.get("accessConfig");
    let mode = access
        .and_then(|a| a.get("authenticationMode"))
        .and_then(Value::as_str);
    let bootstrap = access
        .and_then(|a| a.get("bootstrapClusterCreatorAdminPermissions"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if mode == Some("CONFIG_MAP") || !bootstrap {
        return;
    }
    let name = state.cluster.get_str("name").to_string();
    if let Some(entry) = super::access::creator_entry(&name, ctx) {
        state
            .access_entries
            .insert(ctx.principal.to_string(), entry);
    }
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let state = cluster(ctx.resources, text(input, "name"))?;
    Ok(single("cluster", state.cluster.body.clone()))
}

/// A connected cluster registered with RegisterCluster (it has a `connectorConfig`).
fn is_registered(state: &ClusterState) -> bool {
    state.cluster.body.get("connectorConfig").is_some()
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let include_all = input
        .get("include")
        .and_then(Value::as_array)
        .is_some_and(|i| i.iter().any(|v| v.as_str() == Some("all")));
    let names = ctx
        .resources
        .clusters
        .iter()
        .filter(|(_, state)| include_all || !is_registered(state))
        .map(|(name, _)| name);
    name_page(names, input, "clusters")
}

pub fn register(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    if ctx.resources.clusters.contains_key(name) {
        return Err(
            AwsError::in_use(format!("Cluster already exists with name: {name}"))
                .field("clusterName", name),
        );
    }
    let connector = present(input, "connectorConfig").unwrap_or_else(|| json!({}));
    let mut body = Map::new();
    body.insert("name".into(), json!(name));
    body.insert("arn".into(), json!(ctx.arn(&format!("cluster/{name}"))));
    body.insert("createdAt".into(), json!(ctx.now));
    // Stays PENDING: no EKS Connector agent ever applies the manifest here.
    body.insert("status".into(), json!("PENDING"));
    body.insert(
        "connectorConfig".into(),
        json!({
            "activationId": crate::util::uuid(),
            "activationCode": random_hex(40),
            "activationExpiry": ctx.now + 3.0 * 86400.0,
            "provider": connector.get("provider").cloned().unwrap_or(Value::Null),
            "roleArn": connector.get("roleArn").cloned().unwrap_or(Value::Null),
        }),
    );
    body.insert("tags".into(), initial_tags(input));
    body.insert("health".into(), json!({"issues": []}));
    copy_members(&mut body, input, &["clientRequestToken"]);
    let tracked = super::untracked(Value::Object(body));
    let view = tracked.body.clone();
    ctx.resources
        .clusters
        .insert(name.to_string(), ClusterState::new(tracked));
    Ok(json!({ "cluster": view }))
}

pub fn deregister(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    let state = cluster(ctx.resources, name)?;
    if !is_registered(state) {
        return Err(AwsError::new(
            "ClientException",
            format!("Cluster {name} is not a connected cluster; use DeleteCluster to delete it."),
        )
        .field("clusterName", name));
    }
    Ok(json!({ "cluster": start_delete(&mut state.cluster, ctx.now, ctx.timings.cluster_delete) }))
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    let state = cluster(ctx.resources, name)?;
    if is_registered(state) {
        return Err(AwsError::invalid_request(format!(
            "Cluster {name} is a connected cluster; use DeregisterCluster to remove it."
        ))
        .field("clusterName", name));
    }
    let blocker = if !state.nodegroups.is_empty() {
        Some("nodegroups")
    } else if !state.fargate_profiles.is_empty() {
        Some("fargate profiles")
    } else {
        None
    };
    if let Some(what) = blocker {
        return Err(
            AwsError::in_use(format!("Cluster has {what} attached")).field("clusterName", name)
        );
    }
    if state.cluster.body.get("deletionProtection") == Some(&json!(true)) {
        return Err(AwsError::invalid_request(format!(
            "Cluster {name} has deletion protection enabled; disable it with UpdateClusterConfig first."
        ))
        .field("clusterName", name));
    }
    // Add-ons go with their cluster.
    for addon in state.addons.values_mut() {
        start_delete(
            addon,
            ctx.now,
            ctx.timings.addon_delete.min(ctx.timings.cluster_delete),
        );
    }
    let view = start_delete(&mut state.cluster, ctx.now, ctx.timings.cluster_delete);
    crate::kube::host::touch(ctx.resources, name);
    Ok(json!({ "cluster": view }))
}

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

pub fn update_config(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    let state = cluster(ctx.resources, name)?;
    require_updatable(&state.cluster, "Cluster", "clusterName", name, name)?;
    let mut kinds: Vec<&str> = Vec::new();
    let mut params = Vec::new();
    let mut patch = Map::new();
    for (member, kind, param_type) in CONFIG_UPDATES {
        if let Some(value) = present(input, member) {
            kinds.push(kind);
            params.push(param(param_type, &value));
            let current = state
                .cluster
                .body
                .get(*member)
                .cloned()
                .unwrap_or(Value::Null);
            let next = if *member == "logging" {
                value
            } else {
                merge(&current, &value)
            };
            patch.insert((*member).to_string(), next);
        }
    }
    if let Some(vpc) = present(input, "resourcesVpcConfig") {
        for (key, param_type, endpoint) in VPC_PARAMS {
            if let Some(value) = vpc.get(*key).filter(|v| !v.is_null()) {
                kinds.push(if *endpoint {
                    "EndpointAccessUpdate"
                } else {
                    "VpcConfigUpdate"
                });
                params.push(param(param_type, value));
            }
        }
        let current = state
            .cluster
            .body
            .get("resourcesVpcConfig")
            .cloned()
            .unwrap_or(Value::Null);
        patch.insert("resourcesVpcConfig".into(), merge(&current, &vpc));
    }
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

pub fn update_version(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    let target = text(input, "version");
    let state = cluster(ctx.resources, name)?;
    require_updatable(&state.cluster, "Cluster", "clusterName", name, name)?;
    let current = state.cluster.get_str("version").to_string();
    let next_minor = catalog::minor(&current).map(|m| m + 1);
    let platform = catalog::platform_version(target)
        .filter(|_| catalog::minor(target).is_some() && catalog::minor(target) == next_minor);
    let Some(platform) = platform else {
        return Err(invalid(
            name,
            format!("Unsupported Kubernetes minor version update from {current} to {target}"),
        ));
    };
    let params = vec![
        param("Version", &json!(target)),
        param("PlatformVersion", &json!(platform)),
    ];
    let mut patch = Map::new();
    patch.insert("version".into(), json!(target));
    patch.insert("platformVersion".into(), json!(platform));
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
    let config = present(input, "encryptionConfig").unwrap_or_else(|| json!([]));
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
