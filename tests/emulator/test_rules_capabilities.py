"""Capability rules of docs/emulator-rules.md (CreateCapability, UpdateCapability), one rule per
test, through boto3 over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"
ARGO = {"argoCd": {"awsIdc": {"idcInstanceArn": "arn:aws:sso:::instance/ssoins-1234"}}}


@pytest.fixture
def cluster(make_cluster: Any) -> dict[str, Any]:
    return dict(make_cluster("demo"))


def create(eks: Any, code: str, fragment: str, name: str = "cap", kind: str = "KRO", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("roleArn", ROLE)
    return rejects(
        eks.create_capability,
        code,
        fragment,
        clusterName="demo",
        capabilityName=name,
        type=kind,
        deletePropagationPolicy="RETAIN",
        **kwargs,
    )


def make_capability(eks: Any, name: str = "cap", kind: str = "KRO") -> None:
    eks.create_capability(
        clusterName="demo", capabilityName=name, type=kind, roleArn=ROLE, deletePropagationPolicy="RETAIN"
    )


def test_capability_name_is_alphanumerics_hyphens_underscores(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "The capability name bad.name is invalid", name="bad.name")


def test_capability_role_must_be_an_iam_role_arn(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "roleArn", roleArn="arn:aws:iam::123456789012:group/g")


def test_capability_tags_may_not_use_the_aws_prefix(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "reserved for AWS use", tags={"aws:x": "1"})


def test_argo_cd_configuration_only_for_argo_cd(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "argoCd configuration is only valid for ARGOCD", configuration=ARGO)


def test_ack_configuration_only_for_ack(eks: Any, cluster: Any) -> None:
    create(
        eks, INVALID, "ack configuration is only valid for ACK", configuration={"ack": {"enableCrossNamespace": True}}
    )


def test_argo_cd_needs_identity_center(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "ARGOCD capabilities need configuration.argoCd", kind="ARGOCD")


def test_capability_names_are_unique(eks: Any, cluster: Any) -> None:
    make_capability(eks)
    create(eks, "ResourceInUseException", "A capability named cap already exists", kind="ACK")


def test_one_capability_of_each_type(eks: Any, cluster: Any) -> None:
    make_capability(eks)
    create(eks, "ResourceLimitExceededException", "only one of each type", name="other")


def test_capability_being_created_is_not_updated(eks: Any, cluster: Any) -> None:
    make_capability(eks)
    rejects(
        eks.update_capability,
        "ResourceInUseException",
        "is in CREATING status",
        clusterName="demo",
        capabilityName="cap",
        roleArn=ROLE,
    )


def test_capability_update_changes_something(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_capability(eks)
    local_eks.advance(3600)
    rejects(
        eks.update_capability, INVALID, "No changes needed for the capability", clusterName="demo", capabilityName="cap"
    )


def test_updated_configuration_fits_the_type(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_capability(eks)
    local_eks.advance(3600)
    rejects(
        eks.update_capability,
        INVALID,
        "ack configuration is only valid for ACK",
        clusterName="demo",
        capabilityName="cap",
        configuration={"ack": {"enableCrossNamespace": True}},
    )


def test_capability_on_a_missing_cluster_is_not_found(eks: Any) -> None:
    response = create(eks, "ResourceNotFoundException", "No cluster found for name: demo.")
    assert response["clusterName"] == "demo"


def test_capabilities_need_a_live_cluster(eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]})
    create(eks, "InvalidRequestException", "is in CREATING status")


def test_capabilities_of_a_missing_cluster_are_not_listed(eks: Any) -> None:
    rejects(eks.list_capabilities, "ResourceNotFoundException", "No cluster found for name: demo.", clusterName="demo")
