"""Managed node groups through boto3: lifecycle, config and version updates, errors."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, VPC, error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


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
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig=VPC)
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


def test_resources_are_shaped_as_aws_shapes_them(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    """The auto scaling group is named from the node group's id (the last part of its ARN), and
    remote access adds the security group EKS creates for it."""
    make_cluster("demo")
    plain = eks.create_nodegroup(clusterName="demo", nodegroupName="plain", subnets=["s-1"], nodeRole=ROLE)
    node_id = plain["nodegroup"]["nodegroupArn"].rsplit("/", 1)[1]
    resources = plain["nodegroup"]["resources"]
    assert resources["autoScalingGroups"] == [{"name": f"eks-plain-{node_id}"}]
    assert "remoteAccessSecurityGroup" not in resources
    remote = eks.create_nodegroup(
        clusterName="demo",
        nodegroupName="remote",
        subnets=["s-1"],
        nodeRole=ROLE,
        remoteAccess={"ec2SshKey": "my-key"},
    )["nodegroup"]
    assert remote["resources"]["remoteAccessSecurityGroup"].startswith("sg-")
    assert (
        remote["resources"]["autoScalingGroups"][0]["name"] == f"eks-remote-{remote['nodegroupArn'].rsplit('/', 1)[1]}"
    )
