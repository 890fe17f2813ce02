"""Paginators against the local emulator (LocalEKS), sync and async: each of the 16 returns
exactly the created (or catalog) set across many pages."""

from __future__ import annotations

import asyncio
from typing import Any

import eksy
import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"
MODES = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


def drain(paginator: Any, pages: bool = False) -> list[Any]:
    if isinstance(paginator, eksy.Paginator):
        return list(paginator.pages() if pages else paginator)

    async def collect() -> list[Any]:
        return [x async for x in (paginator.pages() if pages else paginator)]

    return asyncio.run(collect())


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
    version, _ = upgradable(eks)
    make_cluster(eks, "demo", version=version)
    nodegroups = [f"ng-{i:02d}" for i in range(23)]
    for name in nodegroups:
        eks.create_nodegroup(cluster_name="demo", nodegroup_name=name, subnets=["subnet-1"], node_role=ROLE)
    # Ten Fargate profiles are the most a cluster can have (EKS quota, RULES.md).
    profiles = [f"fp-{i:02d}" for i in range(10)]
    for name in profiles:
        eks.create_fargate_profile(
            cluster_name="demo", fargate_profile_name=name, pod_execution_role_arn=ROLE, selectors=[{"namespace": "a"}]
        )
    catalog = sorted({a.addon_name for a in eks.describe_addon_versions(kubernetes_version=version).addons or []})
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
    # Access entries need an API mode; the API's default is CONFIG_MAP.
    make_cluster(eks, "demo", access_config={"authentication_mode": "API_AND_CONFIG_MAP"})
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
    # With the creator's own entry (bootstrap admin, as EKS makes it): 24 in 6 pages.
    creator = "arn:aws:iam::123456789012:user/testing"
    assert drain(pager.list_access_entries(cluster_name="demo", page_size=4)) == sorted([*principals, creator])
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
    # Upgrade insights exist for a cluster with a newer version to go to.
    make_cluster(eks, "demo", version=upgradable(eks)[0])
    whole = eks.list_insights(cluster_name="demo")
    assert whole.next_token is None and len(whole.insights) > 4
    versions = eks.describe_cluster_versions(include_all=True)
    expected = ["1.35", "1.34", "1.33", "1.32", "1.31", "1.30", "1.29"]
    assert [v.cluster_version for v in versions.cluster_versions] == expected

    pager = (aeks if is_async else eks).paginate
    assert drain(pager.list_insights(cluster_name="demo", page_size=2)) == whole.insights
    assert drain(pager.describe_cluster_versions(include_all=True, page_size=2)) == versions.cluster_versions
    pages = drain(pager.describe_cluster_versions(include_all=True, page_size=4), pages=True)
    assert [len(p.cluster_versions) for p in pages] == [4, 3]


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
