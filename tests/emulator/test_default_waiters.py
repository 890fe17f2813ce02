"""With the emulator's default (instant) lifecycles, every waiter of the model finishes with its
default options (delays of 10-30 s) on its first poll: eksy's sync and async waiters, boto3's,
and `aws eks wait`. The create, update and delete responses still show the transitional status.
Each wait is checked by the emulator's request log: exactly one poll, so no delay was slept."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import eksy
import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"
SUBNETS = ["subnet-1", "subnet-2"]


@pytest.fixture
def local() -> Iterator[LocalEKS]:
    with LocalEKS() as emulator:
        yield emulator


def first_poll(local: LocalEKS, action: Callable[[], Any]) -> None:
    """``action`` (a wait) sends exactly one request: its first poll decides, no delay is slept."""
    before = len(local.requests())
    action()
    assert len(local.requests()) - before == 1


def _boto(local: LocalEKS) -> Any:
    return boto3.client(
        "eks",
        endpoint_url=local.endpoint_url,
        region_name=local.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _cluster(local: LocalEKS) -> None:
    created = local.client().create_cluster(name="demo", role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS})
    assert created.cluster is not None and created.cluster.status == "CREATING"


@pytest.mark.parametrize("client", ["eksy", "eksy-async", "boto3"])
def test_every_waiter_with_default_options(local: LocalEKS, client: str) -> None:
    eks = local.client()
    boto = _boto(local)
    aeks = local.async_client()

    def wait(waiter: str, **kwargs: Any) -> None:
        if client == "boto3":
            camel = {
                "cluster_name": "clusterName",
                "nodegroup_name": "nodegroupName",
                "addon_name": "addonName",
                "fargate_profile_name": "fargateProfileName",
                "update_id": "updateId",
                "name": "name",
            }
            first_poll(local, lambda: boto.get_waiter(waiter).wait(**{camel[k]: v for k, v in kwargs.items()}))
        elif client == "eksy":
            first_poll(local, lambda: getattr(eks.wait, waiter)(**kwargs))
        else:
            first_poll(local, lambda: asyncio.run(getattr(aeks.wait, waiter)(**kwargs)))

    _cluster(local)
    wait("cluster_active", name="demo")
    created = eks.create_nodegroup(cluster_name="demo", nodegroup_name="ng", node_role=ROLE, subnets=SUBNETS)
    assert created.nodegroup is not None and created.nodegroup.status == "CREATING"
    wait("nodegroup_active", cluster_name="demo", nodegroup_name="ng")
    addon = eks.create_addon(cluster_name="demo", addon_name="coredns")
    assert addon.addon is not None and addon.addon.status == "CREATING"
    wait("addon_active", cluster_name="demo", addon_name="coredns")
    profile = eks.create_fargate_profile(
        cluster_name="demo",
        fargate_profile_name="fp",
        pod_execution_role_arn=ROLE,
        subnets=SUBNETS,
        selectors=[{"namespace": "default"}],
    )
    assert profile.fargate_profile is not None and profile.fargate_profile.status == "CREATING"
    wait("fargate_profile_active", cluster_name="demo", fargate_profile_name="fp")
    update = eks.create_certificate_authority(cluster_name="demo").update
    assert update is not None and update.status == "InProgress"
    wait("certificate_authority_update_complete", name="demo", update_id=update.id)
    scaled = eks.update_nodegroup_config(
        cluster_name="demo", nodegroup_name="ng", scaling_config={"desired_size": 1}
    ).update
    assert scaled is not None and scaled.status == "InProgress"
    described = eks.describe_nodegroup(cluster_name="demo", nodegroup_name="ng").nodegroup
    assert described is not None and described.status == "ACTIVE"
    for deleting in (
        eks.delete_addon(cluster_name="demo", addon_name="coredns").addon,
        eks.delete_fargate_profile(cluster_name="demo", fargate_profile_name="fp").fargate_profile,
        eks.delete_nodegroup(cluster_name="demo", nodegroup_name="ng").nodegroup,
    ):
        assert deleting is not None and deleting.status == "DELETING"
    wait("addon_deleted", cluster_name="demo", addon_name="coredns")
    wait("fargate_profile_deleted", cluster_name="demo", fargate_profile_name="fp")
    wait("nodegroup_deleted", cluster_name="demo", nodegroup_name="ng")
    deleted = eks.delete_cluster(name="demo").cluster
    assert deleted is not None and deleted.status == "DELETING"
    wait("cluster_deleted", name="demo")


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_aws_cli_wait_with_default_options(local: LocalEKS) -> None:
    _cluster(local)
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": local.region,
        "PATH": "/usr/bin:/bin:/usr/local/bin:" + str(shutil.which("aws")).rsplit("/", 1)[0],
        "HOME": "/tmp",
    }
    before = len(local.requests())
    result = subprocess.run(
        ["aws", "eks", "wait", "cluster-active", "--name", "demo", "--endpoint-url", local.endpoint_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # One DescribeCluster: the CLI returned on its first poll instead of sleeping 30 s.
    assert [r["operation"] for r in local.requests()[before:]] == ["DescribeCluster"]
    assert eksy.EKS is not None


def test_realistic_durations_are_one_setting_away(local: LocalEKS) -> None:
    timings = local.set_timings(preset="realistic")
    assert timings["cluster_create"] == 600
    _cluster(local)
    assert local.client().describe_cluster(name="demo").cluster.status == "CREATING"  # type: ignore[union-attr]
    local.advance(600)
    assert local.client().describe_cluster(name="demo").cluster.status == "ACTIVE"  # type: ignore[union-attr]
    assert local.set_timings(preset="instant")["cluster_create"] == 0
