"""Access entry and access policy rules of docs/emulator-rules.md, one rule per test, through
boto3 over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, VPC
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"
NODE = "arn:aws:iam::123456789012:role/node"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


@pytest.fixture
def cluster(make_cluster: Any) -> dict[str, Any]:
    return dict(make_cluster("demo"))


def create(eks: Any, code: str, fragment: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("principalArn", ROLE)
    return rejects(eks.create_access_entry, code, fragment, clusterName="demo", **kwargs)


def test_access_entries_need_an_api_authentication_mode(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo", accessConfig={"authenticationMode": "CONFIG_MAP"})
    create(eks, "InvalidRequestException", "must be set to one of [API, API_AND_CONFIG_MAP]")


def test_access_entries_need_a_live_cluster(eks: Any) -> None:
    accessConfig = {"authenticationMode": "API"}
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig=VPC, accessConfig=accessConfig)
    create(eks, "InvalidRequestException", "is in CREATING status")


def test_access_entry_type_is_a_known_one(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "The type BOGUS is invalid", type="BOGUS")


def test_principal_is_an_iam_role_or_user(eks: Any, cluster: Any) -> None:
    create(
        eks, INVALID, "is not a valid IAM role or user ARN", principalArn="arn:aws:sts::123456789012:assumed-role/r/s"
    )


def test_node_entries_use_a_role(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "must use an IAM role ARN", principalArn="arn:aws:iam::123456789012:user/u", type="EC2_LINUX")


def test_node_entries_take_no_groups_or_username(eks: Any, cluster: Any) -> None:
    create(
        eks,
        INVALID,
        "can't be specified for access entries of type EC2_LINUX",
        principalArn=NODE,
        type="EC2_LINUX",
        username="me",
    )


def test_groups_do_not_start_with_system(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "can't be empty or start with system:", kubernetesGroups=["system:masters"])


def test_username_has_no_reserved_prefix(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "usernames can't start with eks:", username="eks:admin")


def test_access_entry_tags_may_not_use_the_aws_prefix(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "reserved for AWS use", tags={"aws:x": "1"})


def test_one_entry_per_principal(eks: Any, cluster: Any) -> None:
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    create(eks, "ResourceInUseException", "already in use on this cluster")


def test_node_entry_groups_do_not_change(eks: Any, cluster: Any) -> None:
    eks.create_access_entry(clusterName="demo", principalArn=NODE, type="EC2_LINUX")
    rejects(
        eks.update_access_entry,
        INVALID,
        "can't be changed for access entries of type EC2_LINUX",
        clusterName="demo",
        principalArn=NODE,
        kubernetesGroups=["devs"],
    )


def test_updated_username_has_no_reserved_prefix(eks: Any, cluster: Any) -> None:
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    rejects(
        eks.update_access_entry,
        INVALID,
        "usernames can't start with system:",
        clusterName="demo",
        principalArn=ROLE,
        username="system:x",
    )


def test_policies_go_to_standard_entries(eks: Any, cluster: Any) -> None:
    eks.create_access_entry(clusterName="demo", principalArn=NODE, type="EC2_LINUX")
    rejects(
        eks.associate_access_policy,
        "InvalidRequestException",
        "can't be associated with access entries of type EC2_LINUX",
        clusterName="demo",
        principalArn=NODE,
        policyArn=ADMIN,
        accessScope={"type": "cluster"},
    )


def test_policy_is_an_eks_access_policy(eks: Any, cluster: Any) -> None:
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    rejects(
        eks.associate_access_policy,
        INVALID,
        "is not a valid access policy",
        clusterName="demo",
        principalArn=ROLE,
        policyArn="arn:aws:iam::aws:policy/AdministratorAccess",
        accessScope={"type": "cluster"},
    )


def test_cluster_scope_takes_no_namespaces(eks: Any, cluster: Any) -> None:
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    rejects(
        eks.associate_access_policy,
        INVALID,
        "namespaces can't be specified for an access scope of type cluster",
        clusterName="demo",
        principalArn=ROLE,
        policyArn=ADMIN,
        accessScope={"type": "cluster", "namespaces": ["a"]},
    )


def test_namespace_scope_names_a_namespace(eks: Any, cluster: Any) -> None:
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    rejects(
        eks.associate_access_policy,
        INVALID,
        "needs at least one namespace",
        clusterName="demo",
        principalArn=ROLE,
        policyArn=ADMIN,
        accessScope={"type": "namespace"},
    )


def test_unassociated_policy_is_not_disassociated(eks: Any, cluster: Any) -> None:
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    rejects(
        eks.disassociate_access_policy,
        "ResourceNotFoundException",
        "is not associated with the access entry",
        clusterName="demo",
        principalArn=ROLE,
        policyArn=ADMIN,
    )


def test_missing_access_entry_is_not_found(eks: Any, cluster: Any) -> None:
    response = rejects(
        eks.describe_access_entry,
        "ResourceNotFoundException",
        "principalArn could not be found",
        clusterName="demo",
        principalArn=NODE,
    )
    assert response["clusterName"] == "demo"
