"""Cluster rules of docs/emulator-rules.md (CreateCluster, RegisterCluster, DeregisterCluster,
DeleteCluster, ListClusters, UpdateClusterConfig), one rule per test, through boto3 over HTTP; the
version, encryption and update rules are in test_rules_cluster_updates.py."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, VPC, boto_client
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AUTO_MODE_ON = {
    "computeConfig": {"enabled": True, "nodePools": ["general-purpose"], "nodeRoleArn": ROLE},
    "storageConfig": {"blockStorage": {"enabled": True}},
    "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}},
}


def create(eks: Any, code: str, fragment: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("name", "demo")
    kwargs.setdefault("roleArn", ROLE)
    kwargs.setdefault("resourcesVpcConfig", VPC)
    return rejects(eks.create_cluster, code, fragment, **kwargs)


def update(eks: Any, code: str, fragment: str, **kwargs: Any) -> dict[str, Any]:
    return rejects(eks.update_cluster_config, code, fragment, name="demo", **kwargs)


# ---- CreateCluster ---------------------------------------------------------------------------


def test_cluster_name_must_be_alphanumerics_hyphens_underscores(eks: Any) -> None:
    create(eks, INVALID, "failed to satisfy constraint", name="bad name!")


def test_cluster_role_must_be_an_iam_role_arn(eks: Any) -> None:
    create(eks, INVALID, "not a valid IAM role ARN", roleArn="not-an-arn")


def test_cluster_tags_may_not_use_the_aws_prefix(eks: Any) -> None:
    create(eks, INVALID, "reserved for AWS use", tags={"aws:owner": "me"})


def test_cluster_needs_two_subnets(eks: Any) -> None:
    create(eks, INVALID, "at least two different AZs", resourcesVpcConfig={"subnetIds": ["subnet-1"]})


def test_cluster_with_an_empty_vpc_config_is_refused(eks: Any) -> None:
    create(eks, INVALID, "at least two different AZs", resourcesVpcConfig={})


def test_cluster_takes_at_most_five_security_groups(eks: Any) -> None:
    vpc = {"subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": [f"sg-{i}" for i in range(6)]}
    create(eks, INVALID, "up to 5 security groups", resourcesVpcConfig=vpc)


def test_public_access_cidrs_must_be_cidr_blocks(eks: Any) -> None:
    vpc = {"subnetIds": ["subnet-1", "subnet-2"], "publicAccessCidrs": ["203.0.113.5"]}
    create(eks, INVALID, "public access CIDR block 203.0.113.5 is invalid", resourcesVpcConfig=vpc)


def test_ipv6_public_access_cidrs_need_an_ipv6_cluster(eks: Any) -> None:
    vpc = {"subnetIds": ["subnet-1", "subnet-2"], "publicAccessCidrs": ["::/0"]}
    create(eks, INVALID, "of IPv4 addresses for an IPv4 cluster", resourcesVpcConfig=vpc)


def test_one_endpoint_must_stay_enabled(eks: Any) -> None:
    vpc = {"subnetIds": ["subnet-1", "subnet-2"], "endpointPublicAccess": False, "endpointPrivateAccess": False}
    create(eks, INVALID, "endpoint must be reachable", resourcesVpcConfig=vpc)


def test_service_cidr_must_be_a_private_block(eks: Any) -> None:
    create(
        eks, INVALID, "serviceIpv4Cidr 8.8.0.0/16 is invalid", kubernetesNetworkConfig={"serviceIpv4Cidr": "8.8.0.0/16"}
    )


def test_service_cidr_must_be_a_block(eks: Any) -> None:
    create(eks, INVALID, "serviceIpv4Cidr 0.0.0.0 is invalid", kubernetesNetworkConfig={"serviceIpv4Cidr": "0.0.0.0"})


def test_service_cidr_prefix_is_between_12_and_24(eks: Any) -> None:
    network = {"serviceIpv4Cidr": "10.0.0.0/8"}
    create(eks, INVALID, "between /12 and /24", kubernetesNetworkConfig=network)


def test_ipv6_cluster_takes_no_ipv4_service_cidr(eks: Any) -> None:
    network = {"ipFamily": "ipv6", "serviceIpv4Cidr": "10.100.0.0/16"}
    create(eks, INVALID, "whose ipFamily is ipv6", kubernetesNetworkConfig=network)


def test_ipv6_is_refused_in_china_regions() -> None:
    from eksy.testing import LocalEKS

    with LocalEKS(region="cn-north-1") as local:
        eks = boto_client(local)
        create(eks, INVALID, "China Regions", kubernetesNetworkConfig={"ipFamily": "ipv6"})


def test_encryption_config_is_for_secrets_only(eks: Any) -> None:
    config = [{"resources": ["configmaps"], "provider": {"keyArn": KEY}}]
    create(eks, INVALID, "the only supported resource is secrets", encryptionConfig=config)


def test_encryption_config_needs_a_kms_key(eks: Any) -> None:
    config = [{"resources": ["secrets"], "provider": {"keyArn": "my-key"}}]
    create(eks, INVALID, "is invalid: give provider.keyArn", encryptionConfig=config)


def test_remote_networks_are_private_blocks(eks: Any) -> None:
    remote = {"remoteNodeNetworks": [{"cidrs": ["8.8.8.0/24"]}]}
    create(eks, INVALID, "within an RFC 1918 range", remoteNetworkConfig=remote)


def test_remote_networks_do_not_overlap_each_other(eks: Any) -> None:
    remote = {"remoteNodeNetworks": [{"cidrs": ["10.80.0.0/16"]}], "remotePodNetworks": [{"cidrs": ["10.80.4.0/24"]}]}
    create(eks, INVALID, "overlap", remoteNetworkConfig=remote)


def test_remote_networks_do_not_overlap_the_service_cidr(eks: Any) -> None:
    remote = {"remoteNodeNetworks": [{"cidrs": ["10.100.0.0/24"]}]}
    create(eks, INVALID, "overlaps the cluster's service CIDR block", remoteNetworkConfig=remote)


def test_auto_mode_capabilities_go_together(eks: Any) -> None:
    create(
        eks,
        INVALID,
        "must all be true or all be false",
        computeConfig={"enabled": True, "nodeRoleArn": ROLE},
        accessConfig={"authenticationMode": "API"},
    )


def test_auto_mode_node_pools_are_the_built_in_ones(eks: Any) -> None:
    config = dict(AUTO_MODE_ON, computeConfig={"enabled": True, "nodePools": ["gpu"], "nodeRoleArn": ROLE})
    create(eks, INVALID, "node pool gpu is invalid", accessConfig={"authenticationMode": "API"}, **config)


def test_auto_mode_node_pools_need_a_node_role(eks: Any) -> None:
    config = dict(AUTO_MODE_ON, computeConfig={"enabled": True, "nodePools": ["system"]})
    create(eks, INVALID, "nodeRoleArn is required", accessConfig={"authenticationMode": "API"}, **config)


def test_auto_mode_node_role_must_be_a_role_arn(eks: Any) -> None:
    config = dict(AUTO_MODE_ON, computeConfig={"enabled": True, "nodeRoleArn": "arn:aws:iam::123456789012:user/u"})
    create(eks, INVALID, "computeConfig.nodeRoleArn", accessConfig={"authenticationMode": "API"}, **config)


def test_auto_mode_needs_an_api_authentication_mode(eks: Any) -> None:
    create(eks, INVALID, "EKS Auto Mode needs the authentication mode API", **AUTO_MODE_ON)


def test_config_map_mode_needs_the_creator_bootstrapped(eks: Any) -> None:
    access = {"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": False}
    create(eks, INVALID, "must be true if cluster authentication mode is set to CONFIG_MAP", accessConfig=access)


def test_cluster_names_are_unique(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    response = create(eks, "ResourceInUseException", "Cluster already exists with name: demo")
    assert response["clusterName"] == "demo"


def test_cluster_version_must_be_offered(eks: Any) -> None:
    create(eks, INVALID, "unsupported Kubernetes version 1.10", version="1.10")


# ---- RegisterCluster, DeregisterCluster, DeleteCluster, ListClusters -------------------------


def test_registered_cluster_name_is_checked(eks: Any) -> None:
    rejects(
        eks.register_cluster,
        INVALID,
        "failed to satisfy constraint",
        name="bad name!",
        connectorConfig={"roleArn": ROLE, "provider": "OTHER"},
    )


def test_registered_cluster_connector_role_is_an_iam_role(eks: Any) -> None:
    connector = {"roleArn": "not-an-arn", "provider": "OTHER"}
    rejects(eks.register_cluster, INVALID, "connectorConfig.roleArn", name="ext", connectorConfig=connector)


def test_registered_cluster_name_is_unique(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    connector = {"roleArn": ROLE, "provider": "OTHER"}
    rejects(eks.register_cluster, "ResourceInUseException", "already exists", name="demo", connectorConfig=connector)


def test_only_connected_clusters_are_deregistered(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    rejects(eks.deregister_cluster, "ClientException", "is not a connected cluster", name="demo")


def test_connected_clusters_are_not_deleted(eks: Any) -> None:
    eks.register_cluster(name="ext", connectorConfig={"roleArn": ROLE, "provider": "OTHER"})
    rejects(eks.delete_cluster, "InvalidRequestException", "use DeregisterCluster", name="ext")


def test_cluster_with_an_update_in_progress_is_not_deleted(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.update_cluster_config(name="demo", logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    rejects(eks.delete_cluster, "ResourceInUseException", "currently has update", name="demo")


def test_list_clusters_include_is_all(eks: Any) -> None:
    rejects(eks.list_clusters, INVALID, "use 'all' (in lowercase)", include=["ALL"])


# ---- UpdateClusterConfig ---------------------------------------------------------------------


def test_cluster_being_created_is_not_updated(eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig=VPC)
    logging = {"clusterLogging": [{"types": ["api"], "enabled": True}]}
    update(eks, "InvalidRequestException", "is in CREATING status and cannot be updated", logging=logging)


def test_cluster_being_updated_is_not_updated_again(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.update_cluster_config(name="demo", logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    update(eks, "ResourceInUseException", "has an update in progress", deletionProtection=True)


def test_service_cidr_cannot_change(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    network = {"serviceIpv4Cidr": "172.20.0.0/16"}
    update(eks, INVALID, "serviceIpv4Cidr can't be changed", kubernetesNetworkConfig=network)


def test_ip_family_cannot_change(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    update(eks, INVALID, "ipFamily can't be changed", kubernetesNetworkConfig={"ipFamily": "ipv6"})


def test_updated_subnets_are_two_or_more(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    update(eks, INVALID, "at least two different AZs", resourcesVpcConfig={"subnetIds": ["subnet-9"]})


def test_update_keeps_an_endpoint_enabled(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    update(eks, INVALID, "endpoint must be reachable", resourcesVpcConfig={"endpointPublicAccess": False})


def test_authentication_mode_moves_one_step_towards_api(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo", accessConfig={"authenticationMode": "CONFIG_MAP"})
    update(
        eks,
        INVALID,
        "Unsupported authentication mode update from CONFIG_MAP to API",
        accessConfig={"authenticationMode": "API"},
    )


def test_authentication_mode_never_moves_back(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    update(eks, INVALID, "from API_AND_CONFIG_MAP to CONFIG_MAP", accessConfig={"authenticationMode": "CONFIG_MAP"})


def test_extended_support_stays_on_for_an_extended_version(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    extended = [
        v["clusterVersion"]
        for v in eks.describe_cluster_versions()["clusterVersions"]
        if v["versionStatus"] == "EXTENDED_SUPPORT"
    ]
    make_cluster("demo", version=extended[0])
    update(
        eks, "InvalidRequestException", "Extended support can't be disabled", upgradePolicy={"supportType": "STANDARD"}
    )


def test_updated_remote_networks_are_checked(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    remote = {"remoteNodeNetworks": [{"cidrs": ["100.64.0.0/16"]}]}
    update(eks, INVALID, "within an RFC 1918 range", remoteNetworkConfig=remote)


def test_auto_mode_is_enabled_whole(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    update(eks, INVALID, "must all be true or all be false", computeConfig={"enabled": True, "nodeRoleArn": ROLE})


def test_auto_mode_node_role_cannot_change(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo", accessConfig={"authenticationMode": "API"}, **AUTO_MODE_ON)
    other = "arn:aws:iam::123456789012:role/other-nodes"
    compute = {"enabled": True, "nodePools": ["general-purpose"], "nodeRoleArn": other}
    update(eks, INVALID, "nodeRoleArn can't be changed", computeConfig=compute)


def test_update_must_change_something(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    update(eks, INVALID, "No changes needed", deletionProtection=False)


def test_update_changes_one_kind_of_thing(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    logging = {"clusterLogging": [{"types": ["api"], "enabled": True}]}
    update(eks, INVALID, "Only one type of update", logging=logging, deletionProtection=True)
