"""Add-on rules of docs/emulator-rules.md (CreateAddon, UpdateAddon, DescribeAddonConfiguration),
one rule per test, through boto3 over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, VPC
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"


@pytest.fixture
def cluster(make_cluster: Any) -> dict[str, Any]:
    return dict(make_cluster("demo"))


def create(eks: Any, code: str, fragment: str, name: str = "vpc-cni", **kwargs: Any) -> dict[str, Any]:
    return rejects(eks.create_addon, code, fragment, clusterName="demo", addonName=name, **kwargs)


def make_addon(local_eks: Any, eks: Any, name: str = "vpc-cni") -> None:
    eks.create_addon(clusterName="demo", addonName=name)
    local_eks.advance(3600)


def test_addon_must_be_in_the_catalog(eks: Any, cluster: Any) -> None:
    response = create(eks, INVALID, "Addon no-such-addon specified is not supported", name="no-such-addon")
    assert response["addonName"] == "no-such-addon"


def test_addon_version_must_fit_the_kubernetes_version(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "Addon version specified v0.0.1 is not supported", addonVersion="v0.0.1")


def test_addon_names_are_unique_in_a_cluster(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_addon(local_eks, eks)
    create(eks, "ResourceInUseException", "Addon already exists.")


def test_addon_tags_may_not_use_the_aws_prefix(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "reserved for AWS use", tags={"aws:x": "1"})


def test_configuration_values_are_a_json_or_yaml_object(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "must be a JSON or YAML object", configurationValues="[1, 2]")


def test_configuration_values_follow_the_schema(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "additional property bogus is not allowed", configurationValues='{"bogus": 1}')


def test_service_account_role_must_be_an_iam_role_arn(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "serviceAccountRoleArn", serviceAccountRoleArn="role/eks")


def test_pod_identity_needs_an_addon_that_supports_it(eks: Any, cluster: Any) -> None:
    associations = [{"serviceAccount": "coredns", "roleArn": ROLE}]
    create(eks, INVALID, "does not support EKS Pod Identity", name="coredns", podIdentityAssociations=associations)


def test_pod_identity_role_must_be_an_iam_role_arn(eks: Any, cluster: Any) -> None:
    associations = [{"serviceAccount": "aws-node", "roleArn": "nope"}]
    create(eks, INVALID, "podIdentityAssociations.roleArn", podIdentityAssociations=associations)


def test_pod_identity_uses_the_addon_service_account(eks: Any, cluster: Any) -> None:
    associations = [{"serviceAccount": "someone-else", "roleArn": ROLE}]
    create(eks, INVALID, "its service account is aws-node", podIdentityAssociations=associations)


def test_addon_namespace_is_a_dns_label(eks: Any, cluster: Any) -> None:
    create(
        eks,
        INVALID,
        "must be a valid RFC 1123 DNS label",
        name="metrics-server",
        namespaceConfig={"namespace": "Bad_NS"},
    )


def test_addons_need_an_active_cluster(eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig=VPC)
    create(eks, "InvalidRequestException", "it must be ACTIVE")


def test_addon_being_created_is_not_updated(eks: Any, cluster: Any) -> None:
    eks.create_addon(clusterName="demo", addonName="vpc-cni")
    rejects(
        eks.update_addon,
        "InvalidRequestException",
        "is in CREATING status",
        clusterName="demo",
        addonName="vpc-cni",
        resolveConflicts="OVERWRITE",
    )


def test_updated_addon_version_must_fit(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_addon(local_eks, eks)
    rejects(
        eks.update_addon,
        INVALID,
        "is not supported for the kubernetes version",
        clusterName="demo",
        addonName="vpc-cni",
        addonVersion="v9.9.9",
    )


def test_addon_configuration_needs_a_known_version(eks: Any) -> None:
    rejects(
        eks.describe_addon_configuration,
        "ResourceNotFoundException",
        "Addon vpc-cni with version v0.0.1 not found",
        addonName="vpc-cni",
        addonVersion="v0.0.1",
    )


def test_updated_configuration_values_follow_the_schema(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_addon(local_eks, eks)
    rejects(
        eks.update_addon,
        INVALID,
        "additional property bogus is not allowed",
        clusterName="demo",
        addonName="vpc-cni",
        configurationValues='{"bogus": 1}',
    )
