"""Capabilities (Argo CD, ACK, kro) through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


ARGO = {"argoCd": {"awsIdc": {"idcInstanceArn": "arn:aws:sso:::instance/ssoins-1234"}}}


def test_capabilities(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    argo = eks.create_capability(
        clusterName="demo",
        capabilityName="argo",
        type="ARGOCD",
        roleArn=ROLE,
        configuration=ARGO,
        deletePropagationPolicy="RETAIN",
        tags={"a": "1"},
    )["capability"]
    assert argo["status"] == "CREATING" and argo["configuration"]["argoCd"]["serverUrl"].startswith("https://")
    code, status, response = error_of(
        eks.create_capability,
        clusterName="demo",
        capabilityName="argo",
        type="KRO",
        roleArn=ROLE,
        deletePropagationPolicy="RETAIN",
    )
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    code, _, _ = error_of(
        eks.create_capability,
        clusterName="demo",
        capabilityName="argo2",
        type="ARGOCD",
        roleArn=ROLE,
        configuration=ARGO,
        deletePropagationPolicy="RETAIN",
    )
    assert code == "ResourceLimitExceededException"
    code, _, _ = error_of(
        eks.create_capability,
        clusterName="demo",
        capabilityName="nocfg",
        type="ARGOCD",
        roleArn=ROLE,
        deletePropagationPolicy="RETAIN",
    )
    assert code == "InvalidParameterException"
    eks.create_capability(
        clusterName="demo", capabilityName="ack", type="ACK", roleArn=ROLE, deletePropagationPolicy="RETAIN"
    )
    local_eks.advance(3600)
    summaries = eks.list_capabilities(clusterName="demo")["capabilities"]
    assert [(s["capabilityName"], s["status"]) for s in summaries] == [("ack", "ACTIVE"), ("argo", "ACTIVE")]
    update = eks.update_capability(
        clusterName="demo",
        capabilityName="ack",
        configuration={"ack": {"enableCrossNamespace": True, "disabledServices": ["s3"]}},
    )["update"]
    assert update["type"] == "CapabilityUpdate" and update["status"] == "InProgress"
    assert eks.describe_capability(clusterName="demo", capabilityName="ack")["capability"]["status"] == "UPDATING"
    assert eks.list_updates(name="demo", capabilityName="ack")["updateIds"] == [update["id"]]
    local_eks.advance(3600)
    assert eks.describe_update(name="demo", updateId=update["id"], capabilityName="ack")["update"]["status"] == (
        "Successful"
    )
    ack = eks.describe_capability(clusterName="demo", capabilityName="ack")["capability"]
    assert ack["configuration"]["ack"] == {"enableCrossNamespace": True, "disabledServices": ["s3"]}
    assert eks.list_tags_for_resource(resourceArn=argo["arn"])["tags"] == {"a": "1"}
    assert eks.delete_capability(clusterName="demo", capabilityName="argo")["capability"]["status"] == "DELETING"
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_capability, clusterName="demo", capabilityName="argo")
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")
    code, _, _ = error_of(eks.update_capability, clusterName="demo", capabilityName="ack")
    assert code == "InvalidParameterException"
