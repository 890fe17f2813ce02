"""Waiters against the local emulator (LocalEKS), sync and async: each of the 9 reaches success
(the emulator clock is advanced from the progress callback after the first poll), failure (a
status forced by the emulator) and timeout, each in well under a second of wall time; injected
throttling is ridden out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import eksy
import pytest
from eksy import WaiterError, WaiterTimeoutError
from eksy._generated import waiters as generated_waiters
from eksy.progress import WaitProgress
from eksy.testing import LocalEKS, ResourceKind

ROLE = "arn:aws:iam::123456789012:role/eks"
MODES = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


def upgradable(eks: eksy.EKS) -> tuple[str, str]:
    """The two newest Kubernetes versions the emulator offers now (its catalog follows the
    clock, so fixed versions would fall out of support)."""
    offered = [v.cluster_version or "" for v in eks.describe_cluster_versions().cluster_versions or []]
    newest = sorted(offered, key=lambda v: int(v.split(".")[1]))
    return newest[-2], newest[-1]


def make_cluster(eks: eksy.EKS, name: str = "demo", **kwargs: Any) -> None:
    eks.create_cluster(
        name=name, role_arn=ROLE, resources_vpc_config={"subnet_ids": ["subnet-a", "subnet-b"]}, **kwargs
    )


@dataclass(frozen=True)
class Case:
    waiter: str
    resource: ResourceKind
    transitional: str  # the status while the transition is pending
    failed: str  # a status the waiter treats as failure
    succeeds_by_error: bool  # success is ResourceNotFoundException (a *_deleted waiter)


CASES = [
    Case("cluster_active", "cluster", "CREATING", "FAILED", False),
    Case("cluster_deleted", "cluster", "DELETING", "ACTIVE", True),
    Case("nodegroup_active", "nodegroup", "CREATING", "CREATE_FAILED", False),
    Case("nodegroup_deleted", "nodegroup", "DELETING", "DELETE_FAILED", True),
    Case("addon_active", "addon", "CREATING", "DEGRADED", False),
    Case("addon_deleted", "addon", "DELETING", "DELETE_FAILED", True),
    Case("fargate_profile_active", "fargate_profile", "CREATING", "CREATE_FAILED", False),
    Case("fargate_profile_deleted", "fargate_profile", "DELETING", "DELETE_FAILED", True),
    Case("certificate_authority_update_complete", "update", "InProgress", "Failed", False),
]


def start_transition(local: LocalEKS, eks: eksy.EKS, case: Case) -> tuple[dict[str, str], str | None]:
    """Puts the case's resource into its (hour-long) transition; returns the waiter's
    arguments and the resource name for force_status."""
    local.set_timings(all=0)
    deleting = case.waiter.endswith("_deleted")
    if case.resource == "cluster":
        make_cluster(eks)
        local.set_timings(all=3600)
        if deleting:
            local.advance(1)
            eks.delete_cluster(name="demo")
        else:
            # The cluster created above is already ACTIVE; this one stays CREATING.
            make_cluster(eks, "slow")
            return {"name": "slow"}, None
        return {"name": "demo"}, None
    old, new = upgradable(eks)
    make_cluster(eks, version=old)
    if case.resource == "update":
        local.set_timings(all=3600)
        update = eks.update_cluster_version(name="demo", version=new).update
        assert update is not None and update.id is not None
        return {"name": "demo", "update_id": update.id}, update.id
    create: dict[str, Callable[[], Any]] = {
        "nodegroup": lambda: eks.create_nodegroup(
            cluster_name="demo", nodegroup_name="x", subnets=["subnet-1"], node_role=ROLE
        ),
        "addon": lambda: eks.create_addon(cluster_name="demo", addon_name="coredns"),
        "fargate_profile": lambda: eks.create_fargate_profile(
            cluster_name="demo", fargate_profile_name="x", pod_execution_role_arn=ROLE, selectors=[{"namespace": "a"}]
        ),
    }
    delete: dict[str, Callable[[], Any]] = {
        "nodegroup": lambda: eks.delete_nodegroup(cluster_name="demo", nodegroup_name="x"),
        "addon": lambda: eks.delete_addon(cluster_name="demo", addon_name="coredns"),
        "fargate_profile": lambda: eks.delete_fargate_profile(cluster_name="demo", fargate_profile_name="x"),
    }
    if not deleting:
        local.set_timings(all=3600)
    create[case.resource]()
    if deleting:
        local.set_timings(all=3600)
        delete[case.resource]()
    key = {"nodegroup": "nodegroup_name", "addon": "addon_name", "fargate_profile": "fargate_profile_name"}
    name = "coredns" if case.resource == "addon" else "x"
    return {"cluster_name": "demo", key[case.resource]: name}, name


def run_waiter(client: Any, waiter: str, is_async: bool, kwargs: dict[str, Any], **options: Any) -> Any:
    options.setdefault("delay", 0.01)
    method = getattr(client.wait, waiter)
    start = time.monotonic()
    try:
        return asyncio.run(method(**kwargs, **options)) if is_async else method(**kwargs, **options)
    finally:
        elapsed = time.monotonic() - start
        assert elapsed < 1.0, f"{waiter} took {elapsed:.2f}s"


def test_every_waiter_has_a_case() -> None:
    names = {n for n in dir(generated_waiters.EKSWaiters) if not n.startswith("_")}
    assert names == {c.waiter for c in CASES}


@MODES
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.waiter)
def test_waiter_success(local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, case: Case, is_async: bool) -> None:
    kwargs, _ = start_transition(local, eks, case)
    events: list[WaitProgress[Any]] = []

    def progress(event: WaitProgress[Any]) -> None:
        events.append(event)
        if event.attempt == 1:
            local.advance(3600)  # the transition completes before the next poll

    local.clear_requests()
    result = run_waiter(aeks if is_async else eks, case.waiter, is_async, kwargs, progress=progress)
    assert (events[0].status, events[0].outcome) == (case.transitional, "retry")
    assert events[-1].outcome == "success" and len(events) == 2
    # Every poll reached the progress callback.
    assert len(local.requests(getattr(generated_waiters, "_" + case.waiter.upper()).operation)) == len(events)
    if case.succeeds_by_error:
        assert result is None and events[-1].status == "ResourceNotFoundException"
    else:
        assert events[-1].status == ("Successful" if case.resource == "update" else "ACTIVE")
        assert result is events[-1].response


@MODES
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.waiter)
def test_waiter_failure(local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, case: Case, is_async: bool) -> None:
    kwargs, name = start_transition(local, eks, case)
    cluster = kwargs.get("cluster_name") or kwargs["name"]
    local.force_status(case.resource, cluster, case.failed, name)
    with pytest.raises(WaiterError) as info:
        run_waiter(aeks if is_async else eks, case.waiter, is_async, kwargs, timeout=5)
    error = info.value
    assert type(error) is WaiterError
    assert (error.waiter, error.status, error.attempts) == (case.waiter, case.failed, 1)
    assert error.reason.endswith(f"status is {case.failed}")
    assert error.last_response is not None


@MODES
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.waiter)
def test_waiter_timeout(local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, case: Case, is_async: bool) -> None:
    kwargs, _ = start_transition(local, eks, case)
    with pytest.raises(WaiterTimeoutError) as info:
        run_waiter(aeks if is_async else eks, case.waiter, is_async, kwargs, timeout=0.05)
    assert info.value.status == case.transitional and info.value.attempts >= 1


@MODES
@pytest.mark.parametrize(
    ("code", "status"), [("ThrottlingException", None), ("TooManyRequestsException", 429), ("ServerException", 500)]
)
def test_waiter_rides_out_injected_throttling(
    local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool, code: str, status: int | None
) -> None:
    local.set_timings(all=0)
    make_cluster(eks)
    local.queue_error("DescribeCluster", code, status=status, count=3)
    local.clear_requests()
    events: list[WaitProgress[Any]] = []
    result = run_waiter(aeks if is_async else eks, "cluster_active", is_async, {"name": "demo"}, progress=events.append)
    assert result.cluster.status == "ACTIVE"
    assert [e.outcome for e in events] == ["transient"] * 3 + ["success"]
    assert [e.status for e in events[:3]] == [code] * 3
    assert len(local.requests("DescribeCluster")) == 4


@MODES
def test_unknown_resource_fails_the_active_waiter(eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool) -> None:
    with pytest.raises(WaiterError) as info:
        run_waiter(aeks if is_async else eks, "cluster_active", is_async, {"name": "nope"})
    assert isinstance(info.value.last_error, eksy.ResourceNotFoundException)
