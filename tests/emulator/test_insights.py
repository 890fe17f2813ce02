"""Cluster insights and insight refreshes through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_insights(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo", version="1.31")
    eks.create_nodegroup(clusterName="demo", nodegroupName="old", subnets=["s"], nodeRole=ROLE, amiType="AL2_x86_64")
    local_eks.advance(3600)
    insights = eks.list_insights(clusterName="demo")["insights"]
    by_name = {i["name"]: i for i in insights}
    deprecated = by_name["Deprecated APIs removed in Kubernetes v1.32"]
    assert deprecated["category"] == "UPGRADE_READINESS" and deprecated["kubernetesVersion"] == "1.32"
    assert deprecated["insightStatus"]["status"] == "ERROR"
    detail = eks.describe_insight(clusterName="demo", id=deprecated["id"])["insight"]
    usage = detail["categorySpecificSummary"]["deprecationDetails"]
    assert usage and usage[0]["stopServingVersion"] == "1.32"
    assert by_name["Kubelet version skew"]["insightStatus"]["status"] == "PASSING"
    assert eks.list_insights(clusterName="demo")["insights"] == insights  # ids are stable
    passing = eks.list_insights(clusterName="demo", filter={"statuses": ["PASSING"]})["insights"]
    assert passing and all(i["insightStatus"]["status"] == "PASSING" for i in passing)
    assert eks.list_insights(clusterName="demo", filter={"categories": ["MISCONFIGURATION"]})["insights"] == []
    assert eks.list_insights(clusterName="demo", filter={"kubernetesVersions": ["1.99"]})["insights"] == []
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
