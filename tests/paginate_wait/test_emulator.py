"""Paginators and waiters against the local emulator (LocalEKS), sync and async.

Paginators: each of the 16 returns exactly the created (or catalog) set across many pages,
sync and async. Waiters: each of the 9 reaches success (the emulator clock is advanced from the
progress callback after the first poll), failure (a status forced by the emulator) and
timeout, each in well under a second of wall time; injected throttling is ridden out.
"""

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


def drain(paginator: Any, pages: bool = False) -> list[Any]:
    if isinstance(paginator, eksy.Paginator):
        return list(paginator.pages() if pages else paginator)

    async def collect() -> list[Any]:
        return [x async for x in (paginator.pages() if pages else paginator)]

    return asyncio.run(collect())


def make_cluster(eks: eksy.EKS, name: str = "demo", **kwargs: Any) -> None:
    eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config={}, **kwargs)


# -- paginators ----------------------------------------------------------------------------


@MODES
def test_list_clusters_120_in_pages_of_7(local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool) -> None:
    names = [f"cluster-{i:03d}" for i in range(120)]
    for name in reversed(names):
        make_cluster(eks, name)
    local.clear_requests()
    client = aeks if is_async else eks
    assert sorted(drain(client.paginate.list_clusters(page_size=7))) == names
    requests = local.requests("ListClusters")
    assert len(requests) == 18
    assert all(("maxResults", "7") in r["query"] for r in requests)
    pages = drain(client.paginate.list_clusters(page_size=7), pages=True)
    assert [len(p.clusters) for p in pages] == [7] * 17 + [1]
    assert all(isinstance(p, eksy.models.ListClustersResponse) for p in pages)


@MODES
def test_max_items_and_resume(eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool) -> None:
    names = [f"c{i:02d}" for i in range(40)]
    for name in names:
        make_cluster(eks, name)
    client = aeks if is_async else eks
    everything = drain(client.paginate.list_clusters())
    assert sorted(everything) == names
    seen: list[str] = []
    token: str | None = None
    rounds = 0
    while rounds == 0 or token is not None:
        paginator = client.paginate.list_clusters(page_size=7, max_items=10, starting_token=token)
        chunk = drain(paginator)
        assert len(chunk) == 10
        seen += chunk
        token = paginator.resume_token
        rounds += 1
    assert seen == everything
    assert rounds == 4  # the 4th chunk ends on the last page, so its token is None


@MODES
def test_cluster_children_paginators(local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool) -> None:
    local.set_timings(all=0)
    make_cluster(eks, "demo", version="1.31")
    nodegroups = [f"ng-{i:02d}" for i in range(23)]
    for name in nodegroups:
        eks.create_nodegroup(cluster_name="demo", nodegroup_name=name, subnets=["subnet-1"], node_role=ROLE)
    profiles = [f"fp-{i:02d}" for i in range(17)]
    for name in profiles:
        eks.create_fargate_profile(
            cluster_name="demo", fargate_profile_name=name, pod_execution_role_arn=ROLE, selectors=[{"namespace": "a"}]
        )
    catalog = sorted({a.addon_name for a in eks.describe_addon_versions(kubernetes_version="1.31").addons or []})
    for name in catalog:
        eks.create_addon(cluster_name="demo", addon_name=name)
    updates = [
        eks.update_cluster_config(
            name="demo", logging={"cluster_logging": [{"types": ["api"], "enabled": i % 2 == 0}]}
        ).update.id
        for i in range(12)
    ]

    client = aeks if is_async else eks
    pager = client.paginate
    assert sorted(drain(pager.list_nodegroups(cluster_name="demo", page_size=4))) == nodegroups
    assert sorted(drain(pager.list_fargate_profiles(cluster_name="demo", page_size=3))) == profiles
    assert sorted(drain(pager.list_addons(cluster_name="demo", page_size=2))) == catalog
    assert sorted(drain(pager.list_updates(name="demo", page_size=5))) == sorted(updates)
    whole = eks.describe_addon_versions(max_results=100)
    assert whole.next_token is None
    paged = drain(pager.describe_addon_versions(page_size=2))
    assert paged == whole.addons and len(paged) > 2
    assert all(isinstance(a, eksy.models.AddonInfo) for a in paged)


ARGO = {"argo_cd": {"aws_idc": {"idc_instance_arn": "arn:aws:sso:::instance/ssoins-1234"}}}


@MODES
def test_access_paginators(local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool) -> None:
    local.set_timings(all=0)
    make_cluster(eks, "demo")
    principals = sorted(f"arn:aws:iam::123456789012:role/r-{i:02d}" for i in range(23))
    for arn in principals:
        eks.create_access_entry(cluster_name="demo", principal_arn=arn)
    policies = eks.list_access_policies(max_results=100)
    assert policies.next_token is None and policies.access_policies
    policy_arns = [p.arn for p in policies.access_policies][:11]
    for arn in policy_arns:
        eks.associate_access_policy(
            cluster_name="demo", principal_arn=principals[0], policy_arn=arn, access_scope={"type": "cluster"}
        )

    pager = (aeks if is_async else eks).paginate
    local.clear_requests()
    assert drain(pager.list_access_entries(cluster_name="demo", page_size=4)) == principals
    assert len(local.requests("ListAccessEntries")) == 6
    assert drain(pager.list_access_entries(cluster_name="demo", associated_policy_arn=policy_arns[0])) == [
        principals[0]
    ]
    paged_policies = drain(pager.list_access_policies(page_size=5))
    assert paged_policies == policies.access_policies and len(paged_policies) > 5
    assert all(isinstance(p, eksy.models.AccessPolicy) for p in paged_policies)
    associated = drain(
        pager.list_associated_access_policies(cluster_name="demo", principal_arn=principals[0], page_size=3)
    )
    assert sorted(a.policy_arn for a in associated) == sorted(policy_arns)
    pages = drain(
        pager.list_associated_access_policies(cluster_name="demo", principal_arn=principals[0], page_size=3), pages=True
    )
    assert [len(p.associated_access_policies) for p in pages] == [3, 3, 3, 2]
    assert all(p.cluster_name == "demo" and p.principal_arn == principals[0] for p in pages)


@MODES
def test_pod_identity_and_identity_provider_paginators(
    local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool
) -> None:
    local.set_timings(all=0)
    make_cluster(eks, "demo")
    ids = sorted(
        eks.create_pod_identity_association(
            cluster_name="demo", namespace=f"ns-{i % 3}", service_account=f"sa-{i:02d}", role_arn=ROLE
        ).association.association_id
        for i in range(19)
    )
    configs = [f"idp-{i}" for i in range(9)]
    for name in configs:
        eks.associate_identity_provider_config(
            cluster_name="demo",
            oidc={"identity_provider_config_name": name, "issuer_url": "https://issuer.example", "client_id": "c"},
        )

    pager = (aeks if is_async else eks).paginate
    found = drain(pager.list_pod_identity_associations(cluster_name="demo", page_size=4))
    assert sorted(a.association_id for a in found) == ids
    in_ns0 = drain(pager.list_pod_identity_associations(cluster_name="demo", namespace="ns-0", page_size=2))
    assert len(in_ns0) == 7 and all(a.namespace == "ns-0" for a in in_ns0)
    listed = drain(pager.list_identity_provider_configs(cluster_name="demo", page_size=2))
    assert sorted(c.name for c in listed) == configs and all(c.type == "oidc" for c in listed)


@MODES
def test_subscription_paginator(local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool) -> None:
    local.set_timings(all=0)
    ids = sorted(
        eks.create_eks_anywhere_subscription(
            name=f"sub-{i:02d}", term={"duration": 12, "unit": "MONTHS"}
        ).subscription.id
        for i in range(25)
    )
    pager = (aeks if is_async else eks).paginate
    assert sorted(s.id for s in drain(pager.list_eks_anywhere_subscriptions(page_size=4))) == ids
    # Without a page size the service pages ten at a time.
    pages = drain(pager.list_eks_anywhere_subscriptions(), pages=True)
    assert [len(p.subscriptions) for p in pages] == [10, 10, 5]
    active = drain(pager.list_eks_anywhere_subscriptions(include_status=["ACTIVE"], page_size=7))
    assert len(active) == 25


@MODES
def test_insight_and_version_paginators(local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool) -> None:
    local.set_timings(all=0)
    make_cluster(eks, "demo", version="1.31")
    whole = eks.list_insights(cluster_name="demo")
    assert whole.next_token is None and len(whole.insights) > 4
    versions = eks.describe_cluster_versions(include_all=True)
    assert [v.cluster_version for v in versions.cluster_versions] == ["1.34", "1.33", "1.32", "1.31", "1.30", "1.29"]

    pager = (aeks if is_async else eks).paginate
    assert drain(pager.list_insights(cluster_name="demo", page_size=2)) == whole.insights
    assert drain(pager.describe_cluster_versions(include_all=True, page_size=2)) == versions.cluster_versions
    pages = drain(pager.describe_cluster_versions(include_all=True, page_size=4), pages=True)
    assert [len(p.cluster_versions) for p in pages] == [4, 2]


@MODES
def test_capability_and_certificate_authority_paginators(
    local: LocalEKS, eks: eksy.EKS, aeks: eksy.AsyncEKS, is_async: bool
) -> None:
    local.set_timings(all=0)
    make_cluster(eks, "demo")
    # One capability of each type is the most a cluster can have.
    for name, kind in [("argo", "ARGOCD"), ("ack", "ACK"), ("kro", "KRO")]:
        eks.create_capability(
            cluster_name="demo",
            capability_name=name,
            type=kind,
            role_arn=ROLE,
            delete_propagation_policy="RETAIN",
            configuration=ARGO if kind == "ARGOCD" else None,
        )
    # A cluster holds its signing CA and at most one successor.
    successor = eks.create_certificate_authority(cluster_name="demo").certificate_authority

    pager = (aeks if is_async else eks).paginate
    local.clear_requests()
    capabilities = drain(pager.list_capabilities(cluster_name="demo", page_size=1))
    assert [c.capability_name for c in capabilities] == ["ack", "argo", "kro"]
    assert len(local.requests("ListCapabilities")) == 3
    authorities = drain(pager.list_certificate_authorities(cluster_name="demo", page_size=1))
    assert len(authorities) == 2 and authorities[1].id == successor.id
    assert [a.signing_status for a in authorities] == ["IN_USE", "NOT_USED"]


def test_every_paginator_is_exercised() -> None:
    from eksy._generated import paginators

    names = {n for n in dir(paginators.EKSPaginators) if not n.startswith("_")}
    source = open(__file__).read()
    assert names and all(f"pager.{n}(" in source or f".paginate.{n}(" in source for n in names), names


# -- waiters -------------------------------------------------------------------------------


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
    make_cluster(eks, version="1.31")
    if case.resource == "update":
        local.set_timings(all=3600)
        update = eks.update_cluster_version(name="demo", version="1.32").update
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
