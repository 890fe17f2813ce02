"""Clusters through boto3: identity, lifecycle, errors, config and version updates, cancelling
updates, listing, the version catalog, and connected (registered) clusters."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, VPC, error_of, upgradable

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_cluster_identity_and_lifecycle(local_eks: Any, eks: Any) -> None:
    created = eks.create_cluster(
        name="demo", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]}, tags={"team": "a"}
    )["cluster"]
    assert created["status"] == "CREATING"
    assert created["arn"] == f"arn:aws:eks:{local_eks.region}:123456789012:cluster/demo"
    # As on AWS: the endpoint and the CA data appear once the cluster is ACTIVE.
    assert "endpoint" not in created and created["certificateAuthority"] == {}
    assert created["platformVersion"].startswith("eks.")
    assert created["resourcesVpcConfig"]["vpcId"].startswith("vpc-")
    assert created["tags"] == {"team": "a"}
    local_eks.advance(3600)
    active = eks.describe_cluster(name="demo")["cluster"]
    assert active["status"] == "ACTIVE"
    assert active["endpoint"].startswith("https://127.0.0.1:")
    assert active["certificateAuthority"]["data"]
    deleting = eks.delete_cluster(name="demo")["cluster"]
    assert deleting["status"] == "DELETING"
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_cluster, name="demo")
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")


def test_cluster_errors(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    code, status, response = error_of(eks.create_cluster, name="demo", roleArn=ROLE, resourcesVpcConfig=VPC)
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    code, _, response = error_of(eks.create_cluster, name="old", roleArn=ROLE, resourcesVpcConfig=VPC, version="1.10")
    assert code == "InvalidParameterException" and response["clusterName"] == "old"
    for call, kwargs in [
        (eks.delete_cluster, {"name": "nope"}),
        (eks.update_cluster_config, {"name": "nope", "logging": {"clusterLogging": []}}),
        (eks.update_cluster_version, {"name": "nope", "version": "1.34"}),
        (eks.list_nodegroups, {"clusterName": "nope"}),
        (eks.list_updates, {"name": "nope"}),
    ]:
        code, status, response = error_of(call, **kwargs)
        assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "nope")


def test_cluster_with_children_cannot_be_deleted(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.create_nodegroup(clusterName="demo", nodegroupName="ng", subnets=["s"], nodeRole=ROLE)
    code, status, response = error_of(eks.delete_cluster, name="demo")
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    eks.delete_nodegroup(clusterName="demo", nodegroupName="ng")
    local_eks.advance(3600)
    eks.create_fargate_profile(
        clusterName="demo", fargateProfileName="fp", podExecutionRoleArn=ROLE, selectors=[{"namespace": "default"}]
    )
    code, _, _ = error_of(eks.delete_cluster, name="demo")
    assert code == "ResourceInUseException"
    eks.delete_fargate_profile(clusterName="demo", fargateProfileName="fp")
    local_eks.advance(3600)
    eks.create_addon(clusterName="demo", addonName="vpc-cni")
    assert eks.delete_cluster(name="demo")["cluster"]["status"] == "DELETING"


def test_deletion_protection(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo", deletionProtection=True)
    code, _, response = error_of(eks.delete_cluster, name="demo")
    assert code == "InvalidRequestException" and response["clusterName"] == "demo"


def test_update_cluster_config_and_updates(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    logging = {"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]}
    update = eks.update_cluster_config(name="demo", logging=logging)["update"]
    assert update["type"] == "LoggingUpdate" and update["status"] == "InProgress"
    assert update["params"][0]["type"] == "ClusterLogging"
    assert eks.describe_cluster(name="demo")["cluster"]["status"] == "UPDATING"
    code, status, response = error_of(
        eks.update_cluster_config, name="demo", resourcesVpcConfig={"endpointPrivateAccess": True}
    )
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    local_eks.advance(3600)
    cluster = eks.describe_cluster(name="demo")["cluster"]
    # EKS reports every log type: the enabled ones, then the disabled ones.
    assert cluster["status"] == "ACTIVE" and cluster["logging"] == {
        "clusterLogging": [
            {"types": ["api", "audit"], "enabled": True},
            {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False},
        ]
    }
    assert eks.describe_update(name="demo", updateId=update["id"])["update"]["status"] == "Successful"
    vpc = eks.update_cluster_config(name="demo", resourcesVpcConfig={"endpointPrivateAccess": True})["update"]
    assert vpc["type"] == "EndpointAccessUpdate"
    local_eks.advance(3600)
    assert eks.describe_cluster(name="demo")["cluster"]["resourcesVpcConfig"]["endpointPrivateAccess"] is True
    assert eks.list_updates(name="demo")["updateIds"] == [update["id"], vpc["id"]]
    code, _, _ = error_of(eks.update_cluster_config, name="demo")
    assert code == "InvalidParameterException"
    code, _, _ = error_of(
        eks.update_cluster_config,
        name="demo",
        logging={"clusterLogging": [{"types": ["scheduler"], "enabled": True}]},
        upgradePolicy={"supportType": "STANDARD"},
    )
    assert code == "InvalidParameterException"
    code, status, response = error_of(eks.describe_update, name="demo", updateId="nope")
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")


def test_update_cluster_version_one_minor_at_a_time(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    old, new = upgradable(eks)
    make_cluster("demo", version=old)
    older = f"1.{int(old.split('.')[1]) - 1}"
    for target in [old, f"1.{int(new.split('.')[1]) + 1}", older, "banana"]:
        code, status, response = error_of(eks.update_cluster_version, name="demo", version=target)
        assert (code, status, response["clusterName"]) == ("InvalidParameterException", 400, "demo")
    update = eks.update_cluster_version(name="demo", version=new)["update"]
    assert update["type"] == "VersionUpdate"
    assert eks.describe_cluster(name="demo")["cluster"]["version"] == old
    local_eks.advance(3600)
    cluster = eks.describe_cluster(name="demo")["cluster"]
    assert cluster["version"] == new and cluster["status"] == "ACTIVE"


def test_associate_encryption_config(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    config = [{"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}}]
    update = eks.associate_encryption_config(clusterName="demo", encryptionConfig=config)["update"]
    assert update["type"] == "AssociateEncryptionConfig"
    local_eks.advance(3600)
    assert eks.describe_cluster(name="demo")["cluster"]["encryptionConfig"] == config
    code, _, response = error_of(eks.associate_encryption_config, clusterName="demo", encryptionConfig=config)
    assert code == "InvalidRequestException" and response["clusterName"] == "demo"


def test_cancel_update(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    old, new = upgradable(eks)
    make_cluster("demo", version=old)
    update = eks.update_cluster_version(name="demo", version=new)["update"]
    cancelled = eks.cancel_update(name="demo", updateId=update["id"])["update"]
    assert cancelled["status"] == "Cancelled" and cancelled["cancellation"]["status"] == "Successful"
    cluster = eks.describe_cluster(name="demo")["cluster"]
    assert (cluster["status"], cluster["version"]) == ("ACTIVE", old)
    code, _, _ = error_of(eks.cancel_update, name="demo", updateId=update["id"])
    assert code == "InvalidRequestException"


def test_list_clusters_pagination(local_eks: Any, eks: Any) -> None:
    names = [f"c{i:02d}" for i in range(7)]
    for name in reversed(names):
        eks.create_cluster(name=name, roleArn=ROLE, resourcesVpcConfig=VPC)
    seen: list[str] = []
    token = None
    while True:
        page = eks.list_clusters(maxResults=3, **({"nextToken": token} if token else {}))
        assert len(page["clusters"]) <= 3
        seen += page["clusters"]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == names
    paginated = [
        n for p in eks.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 2}) for n in p["clusters"]
    ]
    assert paginated == names
    code, status, _ = error_of(eks.list_clusters, nextToken="not-a-token")
    assert (code, status) == ("InvalidParameterException", 400)


def test_describe_cluster_versions(local_eks: Any, eks: Any) -> None:
    versions = eks.describe_cluster_versions(includeAll=True)["clusterVersions"]
    # Every released version of the built-in catalog, newest first (RULES.md, version catalog).
    assert [v["clusterVersion"] for v in versions] == ["1.35", "1.34", "1.33", "1.32", "1.31", "1.30", "1.29"]
    assert all(v["clusterType"] == "eks" and v["defaultPlatformVersion"].startswith("eks.") for v in versions)
    assert all(v["releaseDate"] < v["endOfStandardSupportDate"] < v["endOfExtendedSupportDate"] for v in versions)
    now = local_eks.now()
    for v in versions:
        expected = (
            "STANDARD_SUPPORT"
            if now < v["endOfStandardSupportDate"].timestamp()
            else "EXTENDED_SUPPORT"
            if now < v["endOfExtendedSupportDate"].timestamp()
            else "UNSUPPORTED"
        )
        assert v["versionStatus"] == expected, v
    default = eks.describe_cluster_versions(defaultOnly=True)["clusterVersions"]
    assert len(default) == 1 and default[0]["defaultVersion"] is True
    assert default[0]["versionStatus"] == "STANDARD_SUPPORT"
    offered = eks.describe_cluster_versions()["clusterVersions"]
    assert offered and all(v["versionStatus"] != "UNSUPPORTED" for v in offered)
    picked = eks.describe_cluster_versions(clusterVersions=["1.30", "1.32"])["clusterVersions"]
    assert [v["clusterVersion"] for v in picked] == ["1.32", "1.30"]
    for v in versions:
        same = eks.describe_cluster_versions(versionStatus=v["versionStatus"])["clusterVersions"]
        assert v["clusterVersion"] in [s["clusterVersion"] for s in same]
    assert eks.describe_cluster_versions(clusterType="eks-local-outposts")["clusterVersions"] == []


def test_register_and_deregister(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("real")
    connected = eks.register_cluster(
        name="onprem", connectorConfig={"roleArn": ROLE, "provider": "EKS_ANYWHERE"}, tags={"a": "1"}
    )["cluster"]
    assert connected["status"] == "PENDING"
    assert connected["connectorConfig"]["provider"] == "EKS_ANYWHERE" and connected["connectorConfig"]["activationId"]
    code, status, response = error_of(
        eks.register_cluster, name="real", connectorConfig={"roleArn": ROLE, "provider": "OTHER"}
    )
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "real")
    assert eks.list_clusters()["clusters"] == ["real"]
    assert eks.list_clusters(include=["all"])["clusters"] == ["onprem", "real"]
    assert eks.describe_cluster(name="onprem")["cluster"]["status"] == "PENDING"
    code, _, _ = error_of(eks.delete_cluster, name="onprem")
    assert code == "InvalidRequestException"
    code, _, _ = error_of(eks.deregister_cluster, name="real")
    assert code == "ClientException"
    assert eks.deregister_cluster(name="onprem")["cluster"]["status"] == "DELETING"
    local_eks.advance(3600)
    code, status, _ = error_of(eks.deregister_cluster, name="onprem")
    assert (code, status) == ("ResourceNotFoundException", 404)
