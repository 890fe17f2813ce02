"""boto3's own waiters against emulator lifecycles: success, and failure on forced statuses,
each decided on the first poll (counted in the emulator's request log, not timed)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import WaiterError
from emulator_support import VPC, upgradable

ROLE = "arn:aws:iam::123456789012:role/eks"
FAST = {"Delay": 0.02, "MaxAttempts": 100}


def polls(local: Any, action: Any) -> int:
    """How many requests the emulator received while ``action`` ran."""
    before = len(local.requests())
    action()
    return len(local.requests()) - before


def wait(local: Any, eks: Any, waiter: str, **kwargs: Any) -> None:
    """The waiter succeeds on its first poll: instant lifecycles settle by the next read."""
    assert polls(local, lambda: eks.get_waiter(waiter).wait(WaiterConfig=FAST, **kwargs)) == 1, waiter


def fails(local: Any, eks: Any, waiter: str, **kwargs: Any) -> None:
    """The waiter stops at the failure state on its first poll instead of polling on."""

    def run() -> None:
        with pytest.raises(WaiterError) as info:
            eks.get_waiter(waiter).wait(WaiterConfig=FAST, **kwargs)
        assert "failure state" in str(info.value)

    assert polls(local, run) == 1, waiter


def test_cluster_waiters(local_eks: Any, eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig=VPC)
    wait(local_eks, eks, "cluster_active", name="demo")
    eks.delete_cluster(name="demo")
    wait(local_eks, eks, "cluster_deleted", name="demo")


def test_cluster_waiters_fail_on_forced_failures(local_eks: Any, eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig=VPC)
    local_eks.force_status("cluster", "demo", "FAILED")
    fails(local_eks, eks, "cluster_active", name="demo")
    health = eks.describe_cluster(name="demo")["cluster"]["health"]["issues"]
    assert health and health[0]["code"] == "InternalFailure"
    local_eks.force_status("cluster", "demo", "ACTIVE")
    fails(local_eks, eks, "cluster_deleted", name="demo")


def test_nodegroup_waiters(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.create_nodegroup(clusterName="demo", nodegroupName="ng", subnets=["s"], nodeRole=ROLE)
    wait(local_eks, eks, "nodegroup_active", clusterName="demo", nodegroupName="ng")
    eks.delete_nodegroup(clusterName="demo", nodegroupName="ng")
    wait(local_eks, eks, "nodegroup_deleted", clusterName="demo", nodegroupName="ng")
    eks.create_nodegroup(clusterName="demo", nodegroupName="bad", subnets=["s"], nodeRole=ROLE)
    local_eks.force_status(
        "nodegroup",
        "demo",
        "CREATE_FAILED",
        "bad",
        health_issues=[{"code": "AsgInstanceLaunchFailures", "message": "no capacity", "resourceIds": ["asg"]}],
    )
    fails(local_eks, eks, "nodegroup_active", clusterName="demo", nodegroupName="bad")
    issues = eks.describe_nodegroup(clusterName="demo", nodegroupName="bad")["nodegroup"]["health"]["issues"]
    assert issues == [{"code": "AsgInstanceLaunchFailures", "message": "no capacity", "resourceIds": ["asg"]}]
    # Deletion takes time here, so it can be made to fail while DELETING.
    local_eks.set_timings(nodegroup_delete=60)
    eks.delete_nodegroup(clusterName="demo", nodegroupName="bad")
    local_eks.force_status("nodegroup", "demo", "DELETE_FAILED", "bad")
    fails(local_eks, eks, "nodegroup_deleted", clusterName="demo", nodegroupName="bad")


def test_addon_waiters(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.create_addon(clusterName="demo", addonName="coredns")
    wait(local_eks, eks, "addon_active", clusterName="demo", addonName="coredns")
    eks.delete_addon(clusterName="demo", addonName="coredns")
    wait(local_eks, eks, "addon_deleted", clusterName="demo", addonName="coredns")
    eks.create_addon(clusterName="demo", addonName="vpc-cni")
    local_eks.force_status("addon", "demo", "DEGRADED", "vpc-cni")
    fails(local_eks, eks, "addon_active", clusterName="demo", addonName="vpc-cni")
    local_eks.force_status("addon", "demo", "CREATE_FAILED", "vpc-cni")
    fails(local_eks, eks, "addon_active", clusterName="demo", addonName="vpc-cni")
    local_eks.set_timings(addon_delete=60)
    eks.delete_addon(clusterName="demo", addonName="vpc-cni")
    local_eks.force_status("addon", "demo", "DELETE_FAILED", "vpc-cni")
    fails(local_eks, eks, "addon_deleted", clusterName="demo", addonName="vpc-cni")


def test_fargate_profile_waiters(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    args = {"clusterName": "demo", "podExecutionRoleArn": ROLE, "selectors": [{"namespace": "default"}]}
    eks.create_fargate_profile(fargateProfileName="fp", **args)
    wait(local_eks, eks, "fargate_profile_active", clusterName="demo", fargateProfileName="fp")
    eks.delete_fargate_profile(clusterName="demo", fargateProfileName="fp")
    wait(local_eks, eks, "fargate_profile_deleted", clusterName="demo", fargateProfileName="fp")
    eks.create_fargate_profile(fargateProfileName="bad", **args)
    local_eks.force_status("fargate_profile", "demo", "CREATE_FAILED", "bad")
    fails(local_eks, eks, "fargate_profile_active", clusterName="demo", fargateProfileName="bad")
    local_eks.set_timings(fargate_profile_delete=60)
    eks.delete_fargate_profile(clusterName="demo", fargateProfileName="bad")
    local_eks.force_status("fargate_profile", "demo", "DELETE_FAILED", "bad")
    fails(local_eks, eks, "fargate_profile_deleted", clusterName="demo", fargateProfileName="bad")


def test_waiter_times_out_without_sleeping_when_timings_are_long(local_eks: Any, eks: Any) -> None:
    local_eks.set_timings(cluster_create=3600)
    eks.create_cluster(name="slow", roleArn=ROLE, resourcesVpcConfig=VPC)
    with pytest.raises(WaiterError) as info:
        eks.get_waiter("cluster_active").wait(name="slow", WaiterConfig={"Delay": 0.01, "MaxAttempts": 3})
    assert "Max attempts exceeded" in str(info.value)
    local_eks.advance(3600)
    wait(local_eks, eks, "cluster_active", name="slow")


def test_forced_update_failure(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    old, new = upgradable(eks)
    make_cluster("demo", version=old)
    update = eks.update_cluster_version(name="demo", version=new)["update"]
    local_eks.force_status("update", "demo", "Failed", update["id"])
    described = eks.describe_update(name="demo", updateId=update["id"])["update"]
    assert described["status"] == "Failed" and described["errors"][0]["errorCode"] == "Unknown"
