//! Rules on a cluster's configuration shared by CreateCluster and UpdateClusterConfig: the
//! VPC configuration, the Kubernetes network, hybrid node networks, EKS Auto Mode, encryption
//! and the authentication mode (RULES.md, "Clusters").

use super::rules::{
    check_role_arn, invalid, is_private_block, overlaps, parse_ipv4_cidr, parse_ipv6_cidr,
};
use crate::error::AwsError;
use serde_json::{json, Value};

/// At most this many security groups for the control plane's network interfaces.
pub const MAX_SECURITY_GROUPS: usize = 5;
/// The fewest subnets a cluster may use (in two Availability Zones).
pub const MIN_SUBNETS: usize = 2;

fn strings(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn flag(value: &Value, pointer: &str) -> Option<bool> {
    value.pointer(pointer).and_then(Value::as_bool)
}

/// Subnets: at least two (EKS's own message names Availability Zones, as it checks those).
pub fn check_subnets(vpc: &Value) -> Result<(), AwsError> {
    let subnets = strings(vpc.get("subnetIds"));
    let distinct: std::collections::BTreeSet<&str> = subnets.iter().copied().collect();
    if distinct.len() < MIN_SUBNETS {
        return Err(invalid(
            "Subnets specified must be in at least two different AZs",
        ));
    }
    Ok(())
}

/// The `resourcesVpcConfig` members other than subnets: security groups, public access CIDR
/// blocks (IPv6 ones only for IPv6 clusters) and at least one endpoint enabled. `effective`
/// is the configuration after the request (defaults and current values filled in).
pub fn check_vpc(effective: &Value, ipv6: bool) -> Result<(), AwsError> {
    let groups = strings(effective.get("securityGroupIds"));
    if groups.len() > MAX_SECURITY_GROUPS {
        return Err(invalid(format!(
            "You can specify up to {MAX_SECURITY_GROUPS} security groups; {} were given.",
            groups.len()
        )));
    }
    for cidr in strings(effective.get("publicAccessCidrs")) {
        let valid = parse_ipv4_cidr(cidr).is_some() || (ipv6 && parse_ipv6_cidr(cidr).is_some());
        if !valid {
            return Err(invalid(format!(
                "The public access CIDR block {cidr} is invalid: it must be a CIDR block (network address and prefix length){}.",
                if ipv6 { "" } else { " of IPv4 addresses for an IPv4 cluster" }
            )));
        }
    }
    let public = flag(effective, "/endpointPublicAccess").unwrap_or(true);
    let private = flag(effective, "/endpointPrivateAccess").unwrap_or(false);
    if !public && !private {
        return Err(invalid(
            "The cluster's Kubernetes API server endpoint must be reachable: enable endpointPublicAccess, endpointPrivateAccess or both.",
        ));
    }
    Ok(())
}

/// `kubernetesNetworkConfig` at creation: an IPv6 cluster takes no IPv4 service block; an
/// IPv4 block lies in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 with a prefix from /12
/// to /24.
pub fn check_service_cidr(network: &Value) -> Result<(), AwsError> {
    let ipv6 = network.get("ipFamily").and_then(Value::as_str) == Some("ipv6");
    let Some(cidr) = network.get("serviceIpv4Cidr").and_then(Value::as_str) else {
        return Ok(());
    };
    if ipv6 {
        return Err(invalid(
            "serviceIpv4Cidr can't be specified for a cluster whose ipFamily is ipv6.",
        ));
    }
    let block = parse_ipv4_cidr(cidr).filter(|b| (12..=24).contains(&b.1) && is_private_block(*b));
    if block.is_none() {
        return Err(invalid(format!(
            "serviceIpv4Cidr {cidr} is invalid: it must be a CIDR block within 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 with a prefix length between /12 and /24."
        )));
    }
    Ok(())
}

/// The service CIDR block a new cluster gets: the requested one, else EKS's default.
pub fn network_config(requested: Option<&Value>) -> Value {
    let requested = requested.cloned().unwrap_or_else(|| json!({}));
    let ipv6 = requested.get("ipFamily").and_then(Value::as_str) == Some("ipv6");
    let mut network = json!({
        "ipFamily": if ipv6 { "ipv6" } else { "ipv4" },
        "elasticLoadBalancing": requested
            .get("elasticLoadBalancing")
            .cloned()
            .unwrap_or_else(|| json!({"enabled": false})),
    });
    if ipv6 {
        // A unique local /108 EKS picks for the cluster's services.
        let hex = crate::util::random_hex(10);
        network["serviceIpv6Cidr"] = json!(format!(
            "fd{}:{}:{}::/108",
            &hex[0..2],
            &hex[2..6],
            &hex[6..10]
        ));
    } else {
        network["serviceIpv4Cidr"] = requested
            .get("serviceIpv4Cidr")
            .cloned()
            .unwrap_or_else(|| json!("10.100.0.0/16"));
    }
    network
}

/// `remoteNetworkConfig` (EKS Hybrid Nodes): each node and pod block a private IPv4 block of
/// /8 to /32 that overlaps neither another block nor the service block.
pub fn check_remote_network(config: &Value, service_cidr: Option<&str>) -> Result<(), AwsError> {
    let mut blocks: Vec<(&str, (u32, u8))> = Vec::new();
    for member in ["remoteNodeNetworks", "remotePodNetworks"] {
        for network in config
            .get(member)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for cidr in strings(network.get("cidrs")) {
                let block = parse_ipv4_cidr(cidr).filter(|b| b.1 >= 8 && is_private_block(*b));
                let Some(block) = block else {
                    return Err(invalid(format!(
                        "The {member} CIDR block {cidr} is invalid: it must be an IPv4 block within an RFC 1918 range, between /8 and /32."
                    )));
                };
                if let Some((other, _)) = blocks.iter().find(|(_, b)| overlaps(*b, block)) {
                    return Err(invalid(format!(
                        "The remote network CIDR blocks {other} and {cidr} overlap."
                    )));
                }
                blocks.push((cidr, block));
            }
        }
    }
    if let Some(service) = service_cidr.and_then(parse_ipv4_cidr) {
        if let Some((cidr, _)) = blocks.iter().find(|(_, b)| overlaps(*b, service)) {
            return Err(invalid(format!(
                "The remote network CIDR block {cidr} overlaps the cluster's service CIDR block."
            )));
        }
    }
    Ok(())
}

/// EKS Auto Mode: compute, block storage and load balancing are enabled or disabled
/// together; node pools need a node role; Auto Mode needs an API authentication mode.
/// `cluster` is the configuration after the request.
pub fn check_auto_mode(cluster: &Value) -> Result<(), AwsError> {
    let compute = flag(cluster, "/computeConfig/enabled");
    let storage = flag(cluster, "/storageConfig/blockStorage/enabled");
    let balancing = flag(
        cluster,
        "/kubernetesNetworkConfig/elasticLoadBalancing/enabled",
    );
    let mentioned = compute.is_some() || storage.is_some() || balancing == Some(true);
    if !mentioned {
        return Ok(());
    }
    let (compute, storage, balancing) = (
        compute.unwrap_or(false),
        storage.unwrap_or(false),
        balancing.unwrap_or(false),
    );
    if !(compute == storage && storage == balancing) {
        return Err(invalid(
            "For EKS Auto Mode, computeConfig.enabled, storageConfig.blockStorage.enabled and kubernetesNetworkConfig.elasticLoadBalancing.enabled must all be true or all be false.",
        ));
    }
    let pools = strings(cluster.pointer("/computeConfig/nodePools"));
    if let Some(pool) = pools
        .iter()
        .find(|p| !matches!(**p, "general-purpose" | "system"))
    {
        return Err(invalid(format!(
            "The node pool {pool} is invalid; the built-in node pools are general-purpose and system."
        )));
    }
    let role = cluster
        .pointer("/computeConfig/nodeRoleArn")
        .and_then(Value::as_str);
    match role {
        Some(role) => check_role_arn("computeConfig.nodeRoleArn", role)?,
        None if !pools.is_empty() => {
            return Err(invalid(
                "computeConfig.nodeRoleArn is required when computeConfig.nodePools are given.",
            ))
        }
        None => {}
    }
    if compute
        && cluster
            .pointer("/accessConfig/authenticationMode")
            .and_then(Value::as_str)
            == Some("CONFIG_MAP")
    {
        return Err(invalid(
            "EKS Auto Mode needs the authentication mode API or API_AND_CONFIG_MAP.",
        ));
    }
    Ok(())
}

/// `encryptionConfig`: one configuration, for the `secrets` resource, with a KMS key ARN or
/// alias.
pub fn check_encryption(configs: &Value) -> Result<(), AwsError> {
    let configs = configs.as_array().map(Vec::as_slice).unwrap_or_default();
    if configs.is_empty() {
        return Err(invalid("encryptionConfig needs one configuration."));
    }
    for config in configs {
        let resources = strings(config.get("resources"));
        if resources != ["secrets"] {
            return Err(invalid(format!(
                "The encryption resources {resources:?} are invalid; the only supported resource is secrets."
            )));
        }
        let key = config
            .pointer("/provider/keyArn")
            .and_then(Value::as_str)
            .unwrap_or("");
        let valid = (key.starts_with("arn:")
            && key.contains(":kms:")
            && (key.contains(":key/") || key.contains(":alias/")))
            || key.starts_with("alias/");
        if !valid {
            return Err(invalid(format!(
                "The KMS key {key:?} is invalid: give provider.keyArn as a KMS key ARN or alias."
            )));
        }
    }
    Ok(())
}

/// The authentication modes can only move towards access entries, one step at a time.
pub fn check_authentication_mode_change(from: &str, to: &str) -> Result<(), AwsError> {
    let allowed = matches!(
        (from, to),
        ("CONFIG_MAP", "API_AND_CONFIG_MAP") | ("API_AND_CONFIG_MAP", "API")
    );
    if allowed {
        Ok(())
    } else {
        Err(invalid(format!(
            "Unsupported authentication mode update from {from} to {to}"
        )))
    }
}

/// `accessConfig` at creation (defaults: CONFIG_MAP, creator bootstrapped).
pub fn access_config(requested: Option<&Value>) -> Result<Value, AwsError> {
    let requested = requested.cloned().unwrap_or_else(|| json!({}));
    let mode = requested
        .get("authenticationMode")
        .and_then(Value::as_str)
        .unwrap_or("CONFIG_MAP");
    let bootstrap = requested
        .get("bootstrapClusterCreatorAdminPermissions")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if mode == "CONFIG_MAP" && !bootstrap {
        return Err(invalid(
            "bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP",
        ));
    }
    Ok(json!({"authenticationMode": mode, "bootstrapClusterCreatorAdminPermissions": bootstrap}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vpc_rules() {
        assert!(check_subnets(&json!({})).is_err());
        assert!(check_subnets(&json!({"subnetIds": ["a", "a"]})).is_err());
        assert!(check_subnets(&json!({"subnetIds": ["a", "b"]})).is_ok());
        assert!(check_vpc(
            &json!({"securityGroupIds": ["1", "2", "3", "4", "5", "6"]}),
            false
        )
        .is_err());
        assert!(check_vpc(&json!({"publicAccessCidrs": ["::/0"]}), false).is_err());
        assert!(check_vpc(&json!({"publicAccessCidrs": ["::/0"]}), true).is_ok());
        assert!(check_vpc(&json!({"endpointPublicAccess": false}), false).is_err());
    }

    #[test]
    fn service_cidrs() {
        for bad in [
            "0.0.0.0",
            "8.8.0.0/16",
            "10.0.0.0/8",
            "10.0.0.0/25",
            "10.100.0.1/16",
        ] {
            assert!(
                check_service_cidr(&json!({"serviceIpv4Cidr": bad})).is_err(),
                "{bad}"
            );
        }
        assert!(check_service_cidr(&json!({"serviceIpv4Cidr": "172.20.0.0/16"})).is_ok());
        assert!(
            check_service_cidr(&json!({"serviceIpv4Cidr": "10.0.0.0/16", "ipFamily": "ipv6"}))
                .is_err()
        );
        assert!(
            network_config(Some(&json!({"ipFamily": "ipv6"})))["serviceIpv6Cidr"]
                .as_str()
                .unwrap()
                .ends_with("::/108")
        );
    }

    #[test]
    fn auto_mode_and_access() {
        let all = |on: bool| json!({"computeConfig": {"enabled": on}, "storageConfig": {"blockStorage": {"enabled": on}}, "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": on}}, "accessConfig": {"authenticationMode": "API"}});
        assert!(check_auto_mode(&all(true)).is_ok() && check_auto_mode(&all(false)).is_ok());
        assert!(check_auto_mode(&json!({"computeConfig": {"enabled": true}})).is_err());
        assert!(check_authentication_mode_change("CONFIG_MAP", "API").is_err());
        assert!(check_authentication_mode_change("API", "API_AND_CONFIG_MAP").is_err());
        assert!(access_config(Some(
            &json!({"bootstrapClusterCreatorAdminPermissions": false})
        ))
        .is_err());
        assert_eq!(
            access_config(None).unwrap()["authenticationMode"],
            "CONFIG_MAP"
        );
    }
}
