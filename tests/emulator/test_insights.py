"""Cluster insights and insight refreshes through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, error_of, upgradable

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_insights(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    # Upgrade insights are about the next version the catalog offers (RULES.md, version catalog).
    old, new = upgradable(eks)
    make_cluster("demo", version=old)
    eks.create_nodegroup(clusterName="demo", nodegroupName="ng", subnets=["s"], nodeRole=ROLE)
    eks.create_addon(clusterName="demo", addonName="kube-proxy")
    local_eks.advance(3600)
    insights = eks.list_insights(clusterName="demo")["insights"]
    by_name = {i["name"]: i for i in insights}
    deprecated = by_name[f"Deprecated APIs removed in Kubernetes v{new}"]
    assert deprecated["category"] == "UPGRADE_READINESS" and deprecated["kubernetesVersion"] == new
    assert {i["kubernetesVersion"] for i in insights} == {new}
    assert by_name["Kubelet version skew"]["insightStatus"]["status"] == "PASSING"
    # kube-proxy follows the Kubernetes minor: the installed one does not fit the next.
    compatibility = by_name["EKS add-on version compatibility"]
    assert compatibility["insightStatus"]["status"] == "ERROR"
    detail = eks.describe_insight(clusterName="demo", id=compatibility["id"])["insight"]
    proxy = detail["categorySpecificSummary"]["addonCompatibilityDetails"]
    assert [p["name"] for p in proxy] == ["kube-proxy"] and proxy[0]["compatibleVersions"]
    assert all(v.startswith(f"v{new}.") for v in proxy[0]["compatibleVersions"])
    assert eks.list_insights(clusterName="demo")["insights"] == insights  # ids are stable
    passing = eks.list_insights(clusterName="demo", filter={"statuses": ["PASSING"]})["insights"]
    assert passing and all(i["insightStatus"]["status"] == "PASSING" for i in passing)
    assert eks.list_insights(clusterName="demo", filter={"categories": ["MISCONFIGURATION"]})["insights"] == []
    assert eks.list_insights(clusterName="demo", filter={"kubernetesVersions": ["1.99"]})["insights"] == []
    # A cluster on the newest version has no upgrade to get ready for.
    make_cluster("newest", version=new)
    assert eks.list_insights(clusterName="newest")["insights"] == []
    code, status, response = error_of(eks.describe_insight, clusterName="demo", id="nope")
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")
    code, _, _ = error_of(eks.describe_insights_refresh, clusterName="demo")
    assert code == "ResourceNotFoundException"
    assert eks.start_insights_refresh(clusterName="demo")["status"] == "IN_PROGRESS"
    assert eks.describe_insights_refresh(clusterName="demo")["status"] == "IN_PROGRESS"
    local_eks.advance(3600)
    refresh = eks.describe_insights_refresh(clusterName="demo")
    assert refresh["status"] == "COMPLETED" and refresh["endedAt"] >= refresh["startedAt"]
    code, status, _ = error_of(eks.list_insights, clusterName="nope")
    assert (code, status) == ("ResourceNotFoundException", 404)
