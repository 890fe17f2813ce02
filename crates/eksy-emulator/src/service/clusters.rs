//! Clusters: create, describe, list, delete, and connected (registered) clusters. Updates
//! of a cluster are in cluster_updates.rs, the configuration rules in cluster_config.rs.

use super::cluster_config;
use super::context::{cluster, initial_tags, start_delete, Ctx};
use super::input::{copy_members, present, single, text};
use super::paging::name_page;
use super::rules::{check_name, check_role_arn, check_tags};
use crate::error::AwsError;
use crate::lifecycle::Tracked;
use crate::state::{ClusterState, Scope};
use crate::util::{base64_encode, random_hex};
use serde_json::{json, Map, Value};

pub(super) const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

pub(super) fn invalid(name: &str, message: String) -> AwsError {
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

/// A VPC id that stays the same for the same subnets (subnets belong to one VPC).
fn vpc_id(subnets: &Value) -> String {
    let first = subnets.get(0).and_then(Value::as_str).unwrap_or("default");
    let digest = first.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("vpc-0{digest:016x}")
}

/// The rules CreateCluster checks before creating anything (RULES.md, "CreateCluster").
fn check_create(ctx: &Ctx, name: &str, input: &Value) -> Result<(), AwsError> {
    check_name("name", name)?;
    check_role_arn("roleArn", text(input, "roleArn"))?;
    check_tags(input)?;
    let vpc = present(input, "resourcesVpcConfig").unwrap_or_else(|| json!({}));
    cluster_config::check_subnets(&vpc)?;
    let network = present(input, "kubernetesNetworkConfig").unwrap_or_else(|| json!({}));
    cluster_config::check_service_cidr(&network)?;
    let ipv6 = network.get("ipFamily").and_then(Value::as_str) == Some("ipv6");
    if ipv6 && ctx.region.starts_with("cn-") {
        return Err(AwsError::invalid_parameter(
            "ipFamily ipv6 can't be specified for clusters in China Regions.",
        ));
    }
    cluster_config::check_vpc(&vpc, ipv6)?;
    if let Some(encryption) = present(input, "encryptionConfig") {
        cluster_config::check_encryption(&encryption)?;
    }
    if let Some(remote) = present(input, "remoteNetworkConfig") {
        let service = network
            .get("serviceIpv4Cidr")
            .and_then(Value::as_str)
            .unwrap_or("10.100.0.0/16");
        cluster_config::check_remote_network(&remote, Some(service))?;
    }
    let mut auto_mode = Map::new();
    copy_members(
        &mut auto_mode,
        input,
        &["computeConfig", "storageConfig", "kubernetesNetworkConfig"],
    );
    auto_mode.insert(
        "accessConfig".into(),
        cluster_config::access_config(present(input, "accessConfig").as_ref())?,
    );
    cluster_config::check_auto_mode(&Value::Object(auto_mode))?;
    if ctx.resources.clusters.contains_key(name) {
        return Err(
            AwsError::in_use(format!("Cluster already exists with name: {name}"))
                .field("clusterName", name),
        );
    }
    Ok(())
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    check_create(ctx, name, input).map_err(|e| e.field("clusterName", name))?;
    let catalog = &ctx.resources.versions;
    let version = match super::input::opt_text(input, "version") {
        Some(version) => catalog.offered(version, ctx.now),
        None => catalog.default_version(ctx.now),
    };
    let Some(version) = version.cloned() else {
        let asked = super::input::opt_text(input, "version").unwrap_or("(default)");
        return Err(invalid(
            name,
            format!("unsupported Kubernetes version {asked}"),
        ));
    };
    let vpc = present(input, "resourcesVpcConfig").unwrap_or_else(|| json!({}));
    let network =
        cluster_config::network_config(present(input, "kubernetesNetworkConfig").as_ref());
    let access = cluster_config::access_config(present(input, "accessConfig").as_ref())?;
    let region = ctx.region;
    let subnets = vpc.get("subnetIds").cloned().unwrap_or_else(|| json!([]));
    let mut body = Map::new();
    body.insert("name".into(), json!(name));
    body.insert("arn".into(), json!(ctx.arn(&format!("cluster/{name}"))));
    body.insert("createdAt".into(), json!(ctx.now));
    body.insert("version".into(), json!(version.version));
    // The endpoint and CA data appear when the cluster is ACTIVE (kube::host), as on AWS.
    body.insert("roleArn".into(), json!(text(input, "roleArn")));
    body.insert(
        "resourcesVpcConfig".into(),
        json!({
            "subnetIds": subnets,
            "securityGroupIds": vpc.get("securityGroupIds").cloned().unwrap_or_else(|| json!([])),
            "clusterSecurityGroupId": format!("sg-{}", random_hex(17)),
            "vpcId": vpc_id(&subnets),
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
    body.insert("platformVersion".into(), json!(version.platform_version));
    body.insert("tags".into(), initial_tags(input));
    body.insert("health".into(), json!({"issues": []}));
    body.insert("accessConfig".into(), access);
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
    let include: Vec<&str> = input
        .get("include")
        .and_then(Value::as_array)
        .map(|i| i.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // 'all' (in lowercase) is the only value; empty means EKS clusters only.
    if let Some(bad) = include.iter().find(|v| **v != "all" && !v.is_empty()) {
        return Err(AwsError::invalid_parameter(format!(
            "The include value {bad} is invalid; use 'all' (in lowercase) to include connected clusters."
        )));
    }
    let include_all = include.contains(&"all");
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
    check_name("name", name)
        .and_then(|()| check_tags(input))
        .and_then(|()| {
            let role = input
                .pointer("/connectorConfig/roleArn")
                .and_then(Value::as_str);
            check_role_arn("connectorConfig.roleArn", role.unwrap_or(""))
        })
        .map_err(|e| e.field("clusterName", name))?;
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
    let tracked = super::context::untracked(Value::Object(body));
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
    let blocker = if !state.children.nodegroups.is_empty() {
        Some("nodegroups")
    } else if !state.children.fargate_profiles.is_empty() {
        Some("fargate profiles")
    } else {
        None
    };
    if let Some(what) = blocker {
        return Err(
            AwsError::in_use(format!("Cluster has {what} attached")).field("clusterName", name)
        );
    }
    if let Some(update) = in_progress_update(state) {
        return Err(AwsError::in_use(format!(
            "Cannot delete because cluster {name} currently has update {update} in progress"
        ))
        .field("clusterName", name));
    }

    if state.cluster.body.get("deletionProtection") == Some(&json!(true)) {
        return Err(AwsError::invalid_request(format!(
            "Cluster {name} has deletion protection enabled; disable it with UpdateClusterConfig first."
        ))
        .field("clusterName", name));
    }
    // Add-ons go with their cluster.
    for addon in state.children.addons.values_mut() {
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

/// The id of the cluster's update in progress, if any.
fn in_progress_update(state: &ClusterState) -> Option<String> {
    state
        .updates
        .iter()
        .find(|r| r.scope == Scope::Cluster && r.update.status() == "InProgress")
        .map(|r| r.update.get_str("id").to_string())
}
