"""Conformance of part-1 operations, driven by boto3: successes parse, modeled errors carry
their code, status and fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import error_of

ROLE = "arn:aws:iam::123456789012:role/eks"


@pytest.fixture(autouse=True)
def slow_lifecycles(local_eks: Any) -> None:
    """Transitions take ten minutes, so intermediate states are stable under any load; the
    tests move the clock explicitly."""
    local_eks.set_timings(all=600)


# ---- clusters --------------------------------------------------------------------------


def test_cluster_identity_and_lifecycle(local_eks: Any, eks: Any) -> None:
    created = eks.create_cluster(
        name="demo", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["s-1", "s-2"]}, tags={"team": "a"}
    )["cluster"]
    assert created["status"] == "CREATING"
    assert created["arn"] == f"arn:aws:eks:{local_eks.region}:123456789012:cluster/demo"
    assert created["endpoint"].startswith("https://") and created["endpoint"].endswith(
        f".gr7.{local_eks.region}.eks.amazonaws.com"
    )
    assert created["platformVersion"].startswith("eks.")
    assert created["certificateAuthority"]["data"]
    assert created["resourcesVpcConfig"]["vpcId"].startswith("vpc-")
    assert created["tags"] == {"team": "a"}
    local_eks.advance(3600)
    assert eks.describe_cluster(name="demo")["cluster"]["status"] == "ACTIVE"
    deleting = eks.delete_cluster(name="demo")["cluster"]
    assert deleting["status"] == "DELETING"
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_cluster, name="demo")
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")


def test_cluster_errors(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    code, status, response = error_of(
        eks.create_cluster, name="demo", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["s"]}
    )
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    code, _, response = error_of(eks.create_cluster, name="old", roleArn=ROLE, resourcesVpcConfig={}, version="1.10")
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
    assert cluster["status"] == "ACTIVE" and cluster["logging"] == logging
    assert eks.describe_update(name="demo", updateId=update["id"])["update"]["status"] == "Successful"
    vpc = eks.update_cluster_config(name="demo", resourcesVpcConfig={"endpointPrivateAccess": True})["update"]
    assert vpc["type"] == "EndpointAccessUpdate"
    local_eks.advance(3600)
    assert eks.describe_cluster(name="demo")["cluster"]["resourcesVpcConfig"]["endpointPrivateAccess"] is True
    assert eks.list_updates(name="demo")["updateIds"] == [update["id"], vpc["id"]]
    code, _, _ = error_of(eks.update_cluster_config, name="demo")
    assert code == "InvalidParameterException"
    code, _, _ = error_of(
        eks.update_cluster_config, name="demo", logging=logging, upgradePolicy={"supportType": "STANDARD"}
    )
    assert code == "InvalidParameterException"
    code, status, response = error_of(eks.describe_update, name="demo", updateId="nope")
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")


def test_update_cluster_version_one_minor_at_a_time(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo", version="1.31")
    for target in ["1.31", "1.33", "1.30", "banana"]:
        code, status, response = error_of(eks.update_cluster_version, name="demo", version=target)
        assert (code, status, response["clusterName"]) == ("InvalidParameterException", 400, "demo")
    update = eks.update_cluster_version(name="demo", version="1.32")["update"]
    assert update["type"] == "VersionUpdate"
    assert eks.describe_cluster(name="demo")["cluster"]["version"] == "1.31"
    local_eks.advance(3600)
    cluster = eks.describe_cluster(name="demo")["cluster"]
    assert cluster["version"] == "1.32" and cluster["status"] == "ACTIVE"


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
    make_cluster("demo", version="1.31")
    update = eks.update_cluster_version(name="demo", version="1.32")["update"]
    cancelled = eks.cancel_update(name="demo", updateId=update["id"])["update"]
    assert cancelled["status"] == "Cancelled" and cancelled["cancellation"]["status"] == "Successful"
    cluster = eks.describe_cluster(name="demo")["cluster"]
    assert (cluster["status"], cluster["version"]) == ("ACTIVE", "1.31")
    code, _, _ = error_of(eks.cancel_update, name="demo", updateId=update["id"])
    assert code == "InvalidRequestException"


def test_list_clusters_pagination(local_eks: Any, eks: Any) -> None:
    names = [f"c{i:02d}" for i in range(7)]
    for name in reversed(names):
        eks.create_cluster(name=name, roleArn=ROLE, resourcesVpcConfig={})
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


# ---- node groups -----------------------------------------------------------------------


def test_nodegroup_lifecycle_and_updates(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo", version="1.32")
    ng = eks.create_nodegroup(
        clusterName="demo",
        nodegroupName="ng",
        subnets=["s-1"],
        nodeRole=ROLE,
        scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2},
        labels={"a": "1"},
        tags={"t": "v"},
    )["nodegroup"]
    assert ng["status"] == "CREATING" and ng["version"] == "1.32"
    assert ng["nodegroupArn"].startswith(f"arn:aws:eks:{local_eks.region}:123456789012:nodegroup/demo/ng/")
    code, status, response = error_of(
        eks.create_nodegroup, clusterName="demo", nodegroupName="ng", subnets=["s"], nodeRole=ROLE
    )
    assert (code, status, response["clusterName"], response["nodegroupName"]) == (
        "ResourceInUseException",
        409,
        "demo",
        "ng",
    )
    code, _, response = error_of(
        eks.update_nodegroup_config, clusterName="demo", nodegroupName="ng", scalingConfig={"desiredSize": 3}
    )
    assert code == "InvalidRequestException" and response["nodegroupName"] == "ng"
    local_eks.advance(3600)
    update = eks.update_nodegroup_config(
        clusterName="demo",
        nodegroupName="ng",
        labels={"addOrUpdateLabels": {"b": "2"}, "removeLabels": ["a"]},
        scalingConfig={"desiredSize": 3},
    )["update"]
    assert update["type"] == "ConfigUpdate"
    assert {p["type"] for p in update["params"]} == {"LabelsToAdd", "LabelsToRemove", "DesiredSize"}
    local_eks.advance(3600)
    ng = eks.describe_nodegroup(clusterName="demo", nodegroupName="ng")["nodegroup"]
    assert ng["labels"] == {"b": "2"} and ng["scalingConfig"]["desiredSize"] == 3
    assert eks.list_updates(name="demo", nodegroupName="ng")["updateIds"] == [update["id"]]
    assert eks.list_updates(name="demo")["updateIds"] == []
    assert (
        eks.describe_update(name="demo", updateId=update["id"], nodegroupName="ng")["update"]["status"] == "Successful"
    )
    code, _, _ = error_of(
        eks.update_nodegroup_config, clusterName="demo", nodegroupName="ng", scalingConfig={"desiredSize": 9}
    )
    assert code == "InvalidParameterException"
    code, _, response = error_of(eks.update_nodegroup_version, clusterName="demo", nodegroupName="ng", version="1.33")
    assert code == "InvalidParameterException" and response["nodegroupName"] == "ng"
    version = eks.update_nodegroup_version(clusterName="demo", nodegroupName="ng")["update"]
    assert version["type"] == "VersionUpdate"
    assert eks.list_nodegroups(clusterName="demo")["nodegroups"] == ["ng"]
    local_eks.advance(3600)
    assert eks.delete_nodegroup(clusterName="demo", nodegroupName="ng")["nodegroup"]["status"] == "DELETING"
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_nodegroup, clusterName="demo", nodegroupName="ng")
    assert (code, status, response["clusterName"], response["nodegroupName"]) == (
        "ResourceNotFoundException",
        404,
        "demo",
        "ng",
    )


def test_nodegroup_needs_active_cluster_and_valid_sizes(local_eks: Any, eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig={})
    code, _, response = error_of(
        eks.create_nodegroup, clusterName="demo", nodegroupName="ng", subnets=["s"], nodeRole=ROLE
    )
    assert code == "InvalidRequestException" and response["clusterName"] == "demo"
    local_eks.advance(3600)
    code, _, response = error_of(
        eks.create_nodegroup,
        clusterName="demo",
        nodegroupName="ng",
        subnets=["s"],
        nodeRole=ROLE,
        scalingConfig={"minSize": 3, "maxSize": 2, "desiredSize": 2},
    )
    assert code == "InvalidParameterException" and response["nodegroupName"] == "ng"
    code, _, response = error_of(
        eks.create_nodegroup, clusterName="nope", nodegroupName="ng", subnets=["s"], nodeRole=ROLE
    )
    assert code == "ResourceNotFoundException" and response["clusterName"] == "nope"


# ---- Fargate profiles ------------------------------------------------------------------


def test_fargate_profiles(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    fp = eks.create_fargate_profile(
        clusterName="demo",
        fargateProfileName="fp",
        podExecutionRoleArn=ROLE,
        selectors=[{"namespace": "default", "labels": {"a": "b"}}],
        subnets=["s"],
    )["fargateProfile"]
    assert fp["status"] == "CREATING" and ":fargateprofile/demo/fp/" in fp["fargateProfileArn"]
    code, _, response = error_of(
        eks.create_fargate_profile,
        clusterName="demo",
        fargateProfileName="fp",
        podExecutionRoleArn=ROLE,
        selectors=[{"namespace": "x"}],
    )
    assert code == "InvalidParameterException" and response["fargateProfileName"] == "fp"
    code, _, _ = error_of(
        eks.create_fargate_profile, clusterName="demo", fargateProfileName="none", podExecutionRoleArn=ROLE
    )
    assert code == "InvalidParameterException"
    assert eks.list_fargate_profiles(clusterName="demo")["fargateProfileNames"] == ["fp"]
    local_eks.advance(3600)
    assert (
        eks.describe_fargate_profile(clusterName="demo", fargateProfileName="fp")["fargateProfile"]["status"]
        == "ACTIVE"
    )
    eks.delete_fargate_profile(clusterName="demo", fargateProfileName="fp")
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_fargate_profile, clusterName="demo", fargateProfileName="fp")
    assert (code, status, response["fargateProfileName"], response["clusterName"]) == (
        "ResourceNotFoundException",
        404,
        "fp",
        "demo",
    )


# ---- add-ons ---------------------------------------------------------------------------


def test_addons(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo", version="1.31")
    addon = eks.create_addon(clusterName="demo", addonName="kube-proxy", tags={"x": "y"})["addon"]
    assert addon["status"] == "CREATING" and addon["addonVersion"] == "v1.31.10-eksbuild.2"
    code, status, response = error_of(eks.create_addon, clusterName="demo", addonName="kube-proxy")
    assert (code, status, response["addonName"], response["clusterName"]) == (
        "ResourceInUseException",
        409,
        "kube-proxy",
        "demo",
    )
    code, _, response = error_of(eks.create_addon, clusterName="demo", addonName="not-an-addon")
    assert code == "InvalidParameterException" and response["addonName"] == "not-an-addon"
    code, _, _ = error_of(eks.create_addon, clusterName="demo", addonName="coredns", addonVersion="v1.12.2-eksbuild.4")
    assert code == "InvalidParameterException"
    code, _, _ = error_of(eks.update_addon, clusterName="demo", addonName="kube-proxy")
    assert code == "InvalidRequestException"
    local_eks.advance(3600)
    update = eks.update_addon(clusterName="demo", addonName="kube-proxy", configurationValues='{"mode": "ipvs"}')[
        "update"
    ]
    assert update["type"] == "AddonUpdate"
    assert eks.describe_addon(clusterName="demo", addonName="kube-proxy")["addon"]["status"] == "UPDATING"
    local_eks.advance(3600)
    described = eks.describe_addon(clusterName="demo", addonName="kube-proxy")["addon"]
    assert described["status"] == "ACTIVE" and described["configurationValues"] == '{"mode": "ipvs"}'
    assert eks.list_updates(name="demo", addonName="kube-proxy")["updateIds"] == [update["id"]]
    assert eks.list_addons(clusterName="demo")["addons"] == ["kube-proxy"]
    eks.delete_addon(clusterName="demo", addonName="kube-proxy", preserve=True)
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_addon, clusterName="demo", addonName="kube-proxy")
    assert (code, status, response["addonName"], response["clusterName"]) == (
        "ResourceNotFoundException",
        404,
        "kube-proxy",
        "demo",
    )
    code, _, response = error_of(eks.list_updates, name="demo", addonName="kube-proxy")
    assert code == "ResourceNotFoundException" and response["addonName"] == "kube-proxy"


def test_addon_catalog(eks: Any) -> None:
    everything = eks.describe_addon_versions()["addons"]
    names = {a["addonName"] for a in everything}
    assert {
        "vpc-cni",
        "coredns",
        "kube-proxy",
        "aws-ebs-csi-driver",
        "eks-pod-identity-agent",
        "aws-efs-csi-driver",
    } <= names
    proxy = eks.describe_addon_versions(addonName="kube-proxy", kubernetesVersion="1.30")["addons"]
    assert [v["addonVersion"] for v in proxy[0]["addonVersions"]] == ["v1.30.14-eksbuild.2"]
    compat = proxy[0]["addonVersions"][0]["compatibilities"]
    assert compat == [{"clusterVersion": "1.30", "platformVersions": ["*"], "defaultVersion": True}]
    storage = eks.describe_addon_versions(types=["storage"])["addons"]
    assert storage and all(a["type"] == "storage" for a in storage)
    pages = list(eks.get_paginator("describe_addon_versions").paginate(PaginationConfig={"PageSize": 3}))
    assert sorted(a["addonName"] for p in pages for a in p["addons"]) == sorted(names)
    config = eks.describe_addon_configuration(addonName="vpc-cni", addonVersion="v1.20.0-eksbuild.1")
    schema = json.loads(config["configurationSchema"])
    assert schema["type"] == "object" and "env" in schema["properties"]
    assert config["podIdentityConfiguration"][0]["serviceAccount"] == "aws-node"
    code, status, _ = error_of(eks.describe_addon_configuration, addonName="vpc-cni", addonVersion="v0")
    assert (code, status) == ("ResourceNotFoundException", 404)


# ---- tags ------------------------------------------------------------------------------


def test_tags_on_every_taggable_arn(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    cluster = make_cluster("demo")
    ng = eks.create_nodegroup(clusterName="demo", nodegroupName="ng", subnets=["s"], nodeRole=ROLE)["nodegroup"]
    fp = eks.create_fargate_profile(
        clusterName="demo", fargateProfileName="fp", podExecutionRoleArn=ROLE, selectors=[{"namespace": "a"}]
    )["fargateProfile"]
    addon = eks.create_addon(clusterName="demo", addonName="vpc-cni")["addon"]
    for arn in [cluster["arn"], ng["nodegroupArn"], fp["fargateProfileArn"], addon["addonArn"]]:
        eks.tag_resource(resourceArn=arn, tags={"k1": "v1", "k2": "v2"})
        eks.untag_resource(resourceArn=arn, tagKeys=["k2"])
        assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"k1": "v1"}
    assert eks.describe_nodegroup(clusterName="demo", nodegroupName="ng")["nodegroup"]["tags"] == {"k1": "v1"}
    code, status, _ = error_of(eks.list_tags_for_resource, resourceArn="not-an-arn")
    assert (code, status) == ("BadRequestException", 400)
    code, status, _ = error_of(eks.tag_resource, resourceArn=cluster["arn"].replace("demo", "gone"), tags={"a": "b"})
    assert (code, status) == ("NotFoundException", 404)
    code, _, _ = error_of(eks.tag_resource, resourceArn=cluster["arn"], tags={"aws:x": "y"})
    assert code == "BadRequestException"


# ---- identity ---------------------------------------------------------------------------


def test_state_is_separate_per_account_and_region(local_eks: Any, eks: Any) -> None:
    import boto3

    eks.create_cluster(name="mine", roleArn=ROLE, resourcesVpcConfig={})

    def client(region: str, key: str) -> Any:
        return boto3.client(
            "eks",
            endpoint_url=local_eks.endpoint_url,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key="x",
        )

    assert client(local_eks.region, "other-key").list_clusters()["clusters"] == ["mine"]
    assert client("eu-west-1", "testing").list_clusters()["clusters"] == []
    other_account = client(local_eks.region, "111122223333")
    assert other_account.list_clusters()["clusters"] == []
    created = other_account.create_cluster(name="theirs", roleArn=ROLE, resourcesVpcConfig={})["cluster"]
    assert created["arn"] == f"arn:aws:eks:{local_eks.region}:111122223333:cluster/theirs"
