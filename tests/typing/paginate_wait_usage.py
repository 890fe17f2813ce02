"""Type-checked usage of paginators and waiters (mypy --strict runs on this file; pytest does not)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import eksy
from eksy import AsyncPaginator, Paginator, WaiterError, WaiterTimeoutError
from eksy.models import (
    AddonInfo,
    DescribeAddonVersionsResponse,
    DescribeClusterResponse,
    DescribeNodegroupResponse,
    ListClustersResponse,
    ListNodegroupsResponse,
)
from eksy.progress import PageProgress, WaitProgress
from typing_extensions import assert_type


def paginators(eks: eksy.EKS) -> None:
    clusters = eks.paginate.list_clusters(page_size=7, max_items=100)
    assert_type(clusters, Paginator[str, ListClustersResponse])
    for name in clusters:
        assert_type(name, str)
    assert_type(clusters.pages(), Iterator[ListClustersResponse])
    for page in clusters.pages():
        assert_type(page.clusters, list[str] | None)
    assert_type(clusters.resume_token, str | None)
    resumed = eks.paginate.list_clusters(starting_token=clusters.resume_token)
    assert_type(list(resumed), list[str])

    versions = eks.paginate.describe_addon_versions(kubernetes_version="1.31")
    assert_type(versions, Paginator[AddonInfo, DescribeAddonVersionsResponse])
    for addon in versions:
        assert_type(addon, AddonInfo)
        assert_type(addon.addon_name, str | None)

    def on_page(event: PageProgress) -> None:
        assert_type(event.items, int)

    nodegroups = eks.paginate.list_nodegroups(cluster_name="prod", progress=on_page)
    assert_type(nodegroups, Paginator[str, ListNodegroupsResponse])
    eks.paginate.list_clusters(progress=True)


async def async_paginators(aeks: eksy.AsyncEKS) -> None:
    clusters = aeks.paginate.list_clusters(page_size=7)
    assert_type(clusters, AsyncPaginator[str, ListClustersResponse])
    async for name in clusters:
        assert_type(name, str)
    assert_type(clusters.pages(), AsyncIterator[ListClustersResponse])
    async for page in clusters.pages():
        assert_type(page, ListClustersResponse)


def waiters(eks: eksy.EKS) -> None:
    def on_poll(event: WaitProgress[DescribeClusterResponse]) -> None:
        assert_type(event.response, DescribeClusterResponse | None)
        assert_type(event.status, str | None)

    active = eks.wait.cluster_active(name="prod", timeout=1800, delay=15, progress=on_poll)
    assert_type(active, DescribeClusterResponse)
    assert_type(eks.wait.cluster_deleted(name="prod", max_attempts=10), None)
    assert_type(
        eks.wait.nodegroup_active(cluster_name="prod", nodegroup_name="ng", progress=True), DescribeNodegroupResponse
    )
    try:
        eks.wait.addon_active(cluster_name="prod", addon_name="coredns", first_delay=5)
    except WaiterTimeoutError as timeout:
        assert_type(timeout.attempts, int)
    except WaiterError as error:
        assert_type(error.reason, str)
        assert_type(error.status, str | None)


async def async_waiters(aeks: eksy.AsyncEKS) -> None:
    active = await aeks.wait.cluster_active(name="prod", timeout=1800)
    assert_type(active, DescribeClusterResponse)
    assert_type(await aeks.wait.fargate_profile_deleted(cluster_name="prod", fargate_profile_name="fp"), None)
