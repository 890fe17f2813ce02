"""Managed node group rules of docs/emulator-rules.md (CreateNodegroup, UpdateNodegroupConfig,
UpdateNodegroupVersion), one rule per test, through boto3 over HTTP."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from emulator_support import ROLE, upgradable
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"
TEMPLATE = {"name": "nodes", "version": "1"}


@pytest.fixture
def cluster(make_cluster: Any) -> dict[str, Any]:
    return dict(make_cluster("demo"))


def create(eks: Any, code: str, fragment: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("subnets", ["subnet-1"])
    kwargs.setdefault("nodeRole", ROLE)
    return rejects(eks.create_nodegroup, code, fragment, clusterName="demo", nodegroupName="ng", **kwargs)


def make_nodegroup(local_eks: Any, eks: Any, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("subnets", ["subnet-1"])
    kwargs.setdefault("nodeRole", ROLE)
    eks.create_nodegroup(clusterName="demo", nodegroupName="ng", **kwargs)
    local_eks.advance(3600)
    return dict(eks.describe_nodegroup(clusterName="demo", nodegroupName="ng")["nodegroup"])


def update(eks: Any, code: str, fragment: str, **kwargs: Any) -> dict[str, Any]:
    return rejects(eks.update_nodegroup_config, code, fragment, clusterName="demo", nodegroupName="ng", **kwargs)


# ---- CreateNodegroup -------------------------------------------------------------------------


def test_node_role_must_be_an_iam_role_arn(eks: Any, cluster: Any) -> None:
    response = create(eks, INVALID, "nodeRole not-an-arn is not a valid IAM role ARN", nodeRole="not-an-arn")
    assert (response["clusterName"], response["nodegroupName"]) == ("demo", "ng")


def test_node_group_tags_may_not_use_the_aws_prefix(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "reserved for AWS use", tags={"AWS:team": "x"})


def test_node_group_needs_a_subnet(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "at least one subnet", subnets=[])


def test_scaling_is_given_whole_at_creation(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "needs all of minSize, maxSize and desiredSize", scalingConfig={"minSize": 1})


def test_minimum_is_at_most_maximum(eks: Any, cluster: Any) -> None:
    create(
        eks,
        INVALID,
        "Minimum capacity 3 can't be greater than maximum capacity 2",
        scalingConfig={"minSize": 3, "maxSize": 2, "desiredSize": 2},
    )


def test_desired_is_at_most_maximum(eks: Any, cluster: Any) -> None:
    create(
        eks,
        INVALID,
        "Desired capacity 3 can't be greater than maximum capacity 2",
        scalingConfig={"minSize": 1, "maxSize": 2, "desiredSize": 3},
    )


def test_desired_is_at_least_minimum(eks: Any, cluster: Any) -> None:
    create(
        eks,
        INVALID,
        "can't be greater than desired size 1",
        scalingConfig={"minSize": 2, "maxSize": 3, "desiredSize": 1},
    )


def test_launch_template_takes_its_id_or_its_name(eks: Any, cluster: Any) -> None:
    template = {"id": "lt-0123456789abcdef0", "name": "nodes"}
    create(eks, INVALID, "either the launch template ID or the launch template name", launchTemplate=template)


def test_disk_size_is_in_the_launch_template(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "Disk size must be specified within the launch template", launchTemplate=TEMPLATE, diskSize=40)


def test_remote_access_is_in_the_launch_template(eks: Any, cluster: Any) -> None:
    create(
        eks,
        INVALID,
        "Remote access configuration cannot be specified with a launch template",
        launchTemplate=TEMPLATE,
        remoteAccess={"ec2SshKey": "key"},
    )


def test_custom_ami_needs_a_launch_template(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "AMI type CUSTOM needs a launch template", amiType="CUSTOM")


def test_capacity_blocks_need_a_launch_template(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "CAPACITY_BLOCK needs a launch template", capacityType="CAPACITY_BLOCK")


def test_at_most_twenty_instance_types(eks: Any, cluster: Any) -> None:
    types = [f"m5.{size}" for size in ["large", "xlarge"]] + [f"m5.{n}xlarge" for n in range(2, 21)]
    create(eks, INVALID, "at most 20 instance types", instanceTypes=types)


def test_amazon_linux_2_ends_with_kubernetes_1_32(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "is only supported for kubernetes versions 1.32 or earlier", amiType="AL2_x86_64")


def test_ami_architecture_matches_the_instance_types(eks: Any, cluster: Any) -> None:
    create(
        eks,
        INVALID,
        "Instance type t3.medium (x86_64) is not compatible with AMI type AL2023_ARM_64_STANDARD",
        amiType="AL2023_ARM_64_STANDARD",
        instanceTypes=["t3.medium"],
    )


def test_labels_use_kubernetes_syntax(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "Label -bad=x is invalid", labels={"-bad": "x"})


def test_at_most_a_hundred_labels(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "at most 100 Kubernetes labels", labels={f"k{i}": "v" for i in range(101)})


def test_taints_use_kubernetes_syntax(eks: Any, cluster: Any) -> None:
    create(
        eks, INVALID, "Taint bad key=x is invalid", taints=[{"key": "bad key", "value": "x", "effect": "NO_SCHEDULE"}]
    )


def test_taints_need_an_effect(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "Taint gpu needs an effect", taints=[{"key": "gpu", "value": "x"}])


def test_a_taint_key_and_effect_appear_once(eks: Any, cluster: Any) -> None:
    taint = {"key": "gpu", "value": "x", "effect": "NO_SCHEDULE"}
    create(eks, INVALID, "is given twice", taints=[taint, dict(taint, value="y")])


def test_at_most_fifty_taints(eks: Any, cluster: Any) -> None:
    taints = [{"key": f"k{i}", "effect": "NO_SCHEDULE"} for i in range(51)]
    create(eks, INVALID, "at most 50 Kubernetes taints", taints=taints)


def test_source_security_groups_need_an_ssh_key(eks: Any, cluster: Any) -> None:
    create(
        eks, INVALID, "sourceSecurityGroups can't be specified without", remoteAccess={"sourceSecurityGroups": ["sg-1"]}
    )


def test_update_config_takes_a_count_or_a_percentage(eks: Any, cluster: Any) -> None:
    config = {"maxUnavailable": 1, "maxUnavailablePercentage": 10}
    create(eks, INVALID, "Only one of updateConfig.maxUnavailable", updateConfig=config)


def test_max_unavailable_is_at_most_a_hundred(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "maxUnavailable can be at most 100", updateConfig={"maxUnavailable": 101})


def test_repair_config_takes_a_count_or_a_percentage(eks: Any, cluster: Any) -> None:
    config = {"enabled": True, "maxUnhealthyNodeThresholdCount": 2, "maxUnhealthyNodeThresholdPercentage": 10}
    create(eks, INVALID, "can't be set at the same time", nodeRepairConfig=config)


def test_node_group_names_are_unique_in_a_cluster(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks)
    create(eks, "ResourceInUseException", "NodeGroup already exists with name ng")


def test_new_node_group_uses_the_cluster_version(eks: Any, make_cluster: Any) -> None:
    old, new = upgradable(eks)
    make_cluster("demo", version=new)
    create(eks, INVALID, f"a new node group must use the cluster's version {new}", version=old)


def test_release_version_belongs_to_the_kubernetes_version(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "is not valid for kubernetes version", releaseVersion="1.20.1-20200101")


def test_node_groups_need_an_active_cluster(eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]})
    create(eks, "InvalidRequestException", "is in CREATING status; it must be ACTIVE")


def test_node_groups_wait_for_a_cluster_update(eks: Any, cluster: Any) -> None:
    eks.update_cluster_config(name="demo", deletionProtection=True)
    create(eks, "ResourceInUseException", "is currently being updated")


# ---- UpdateNodegroupConfig -------------------------------------------------------------------


def test_node_group_being_created_is_not_updated(eks: Any, cluster: Any) -> None:
    eks.create_nodegroup(clusterName="demo", nodegroupName="ng", subnets=["s"], nodeRole=ROLE)
    update(eks, "InvalidRequestException", "is in CREATING status", labels={"addOrUpdateLabels": {"a": "1"}})


def test_node_group_being_updated_is_not_updated_again(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks)
    eks.update_nodegroup_config(clusterName="demo", nodegroupName="ng", labels={"addOrUpdateLabels": {"a": "1"}})
    update(eks, "ResourceInUseException", "has an update in progress", labels={"addOrUpdateLabels": {"b": "1"}})


def test_a_label_is_not_added_and_removed_at_once(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks)
    update(
        eks,
        INVALID,
        "label a can't be both added and removed",
        labels={"addOrUpdateLabels": {"a": "1"}, "removeLabels": ["a"]},
    )


def test_a_taint_is_not_added_and_removed_at_once(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks)
    taint = {"key": "gpu", "effect": "NO_SCHEDULE"}
    update(
        eks,
        INVALID,
        "taint gpu can't be both added and removed",
        taints={"addOrUpdateTaints": [taint], "removeTaints": [taint]},
    )


def test_config_update_must_change_something(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks)
    update(eks, INVALID, "No changes needed for the nodegroup configuration")


def test_updated_labels_stay_within_the_limit(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks, labels={f"k{i}": "v" for i in range(100)})
    update(eks, INVALID, "at most 100 Kubernetes labels", labels={"addOrUpdateLabels": {"one-more": "v"}})


def test_updated_scaling_keeps_minimum_below_maximum(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks, scalingConfig={"minSize": 1, "maxSize": 2, "desiredSize": 1})
    update(eks, INVALID, "Minimum capacity 3 can't be greater than maximum capacity 2", scalingConfig={"minSize": 3})


# ---- UpdateNodegroupVersion ------------------------------------------------------------------


def test_node_group_is_not_newer_than_its_cluster(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    old, new = upgradable(eks)
    make_cluster("demo", version=old)
    make_nodegroup(local_eks, eks)
    rejects(
        eks.update_nodegroup_version,
        INVALID,
        "can't be newer than the cluster version",
        clusterName="demo",
        nodegroupName="ng",
        version=new,
    )


def test_node_group_version_is_not_rolled_back(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    old, new = upgradable(eks)
    make_cluster("demo", version=old)
    make_nodegroup(local_eks, eks)
    eks.update_cluster_version(name="demo", version=new, force=True)
    local_eks.advance(3600)
    eks.update_nodegroup_version(clusterName="demo", nodegroupName="ng")
    local_eks.advance(3600)
    rejects(
        eks.update_nodegroup_version,
        INVALID,
        "a node group can't be rolled back",
        clusterName="demo",
        nodegroupName="ng",
        version=old,
    )


def test_node_group_release_is_not_rolled_back(local_eks: Any, eks: Any, cluster: Any) -> None:
    release = make_nodegroup(local_eks, eks)["releaseVersion"]
    patch, day = release.split("-")
    earlier = datetime.datetime.strptime(day, "%Y%m%d") - datetime.timedelta(days=1)
    older = f"{patch}-{earlier:%Y%m%d}"
    rejects(
        eks.update_nodegroup_version,
        INVALID,
        f"Requested release version {older} is older",
        clusterName="demo",
        nodegroupName="ng",
        releaseVersion=older,
    )


def test_launch_template_update_needs_a_template_node_group(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks)
    rejects(
        eks.update_nodegroup_version,
        INVALID,
        "originally deployed with a launch template",
        clusterName="demo",
        nodegroupName="ng",
        launchTemplate={"name": "nodes", "version": "2"},
    )


def test_launch_template_update_keeps_the_template(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks, launchTemplate=TEMPLATE)
    rejects(
        eks.update_nodegroup_version,
        INVALID,
        "same launch template ID or name",
        clusterName="demo",
        nodegroupName="ng",
        launchTemplate={"name": "other", "version": "2"},
    )


def test_updated_taints_stay_within_the_limit(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_nodegroup(local_eks, eks, taints=[{"key": f"k{i}", "effect": "NO_SCHEDULE"} for i in range(50)])
    more = {"addOrUpdateTaints": [{"key": "one-more", "effect": "NO_SCHEDULE"}]}
    update(eks, INVALID, "at most 50 Kubernetes taints", taints=more)
