"""Type-checked usage of every client (mypy --strict runs on this file; pytest does not)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import eksy
from eksy.models import Cluster, DescribeClusterResponse, ListClustersResponse, NodegroupScalingConfig
from eksy.models.auth import AssumeRoleForPodIdentityResponse
from typing_extensions import assert_type


def sync_usage() -> None:
    eks = eksy.EKS(region="us-west-2", max_attempts=3, retry_mode="adaptive", connect_timeout=2.0)
    response = eks.describe_cluster(name="prod")
    assert_type(response, DescribeClusterResponse)
    cluster = response.cluster
    assert_type(cluster, Cluster | None)
    if cluster is not None:
        assert_type(cluster.created_at, datetime | None)
        assert_type(cluster.tags, dict[str, str] | None)
        status: str | None = cluster.status
        print(status)
    assert_type(eks.list_clusters(max_results=10), ListClustersResponse)
    eks.create_nodegroup(
        cluster_name="prod",
        nodegroup_name="ng",
        node_role="arn",
        subnets=["subnet-1"],
        scaling_config=NodegroupScalingConfig(min_size=1, max_size=3, desired_size=2),
        ami_type="AL2023_x86_64_STANDARD",
    )
    eks.create_nodegroup(
        cluster_name="prod",
        nodegroup_name="ng",
        node_role="arn",
        subnets=("subnet-1",),
        scaling_config={"min_size": 1, "max_size": 3},
    )
    eks.tag_resource(resource_arn="arn", tags={"a": "b"})
    auth = eksy.EKSAuth(region="us-west-2")
    assert_type(auth.assume_role_for_pod_identity(cluster_name="prod", token="t"), AssumeRoleForPodIdentityResponse)


async def async_usage() -> None:
    aeks = eksy.AsyncEKS(region="us-west-2")
    assert_type(await aeks.describe_cluster(name="prod"), DescribeClusterResponse)
    pending = aeks.list_clusters()
    assert_type(await asyncio.ensure_future(pending), ListClustersResponse)
    aauth = eksy.AsyncEKSAuth(region="us-west-2")
    assert_type(
        await aauth.assume_role_for_pod_identity(cluster_name="prod", token="t"), AssumeRoleForPodIdentityResponse
    )


def errors_usage() -> None:
    eks = eksy.EKS(region="us-west-2")
    try:
        eks.describe_nodegroup(cluster_name="prod", nodegroup_name="ng")
    except eksy.ResourceNotFoundException as error:
        assert_type(error.cluster_name, str | None)
        assert_type(error.status_code, int | None)
        assert_type(error.code, str)
    except eksy.ParamValidationError as error:
        assert_type(error.path, str)
