"""Access entries and access policies through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"


CREATOR = "arn:aws:iam::123456789012:user/testing"


def drain(eks: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    return [item for page in eks.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def test_access_entry_lifecycle(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    entry = eks.create_access_entry(
        clusterName="demo", principalArn=ROLE, kubernetesGroups=["devs"], tags={"team": "a"}
    )["accessEntry"]
    assert entry["type"] == "STANDARD" and entry["kubernetesGroups"] == ["devs"]
    assert entry["username"] == "arn:aws:sts::123456789012:assumed-role/eks/{{SessionName}}"
    assert entry["accessEntryArn"].startswith(
        f"arn:aws:eks:{local_eks.region}:123456789012:access-entry/demo/role/123456789012/eks/"
    )
    assert eks.describe_access_entry(clusterName="demo", principalArn=ROLE)["accessEntry"] == entry
    updated = eks.update_access_entry(clusterName="demo", principalArn=ROLE, username="dev")["accessEntry"]
    assert updated["username"] == "dev" and updated["kubernetesGroups"] == ["devs"]
    assert eks.list_tags_for_resource(resourceArn=entry["accessEntryArn"])["tags"] == {"team": "a"}
    eks.tag_resource(resourceArn=entry["accessEntryArn"], tags={"b": "2"})
    assert eks.describe_access_entry(clusterName="demo", principalArn=ROLE)["accessEntry"]["tags"] == {
        "team": "a",
        "b": "2",
    }
    node = eks.create_access_entry(
        clusterName="demo", principalArn="arn:aws:iam::123456789012:role/node", type="EC2_LINUX"
    )["accessEntry"]
    assert node["kubernetesGroups"] == ["system:nodes"] and node["username"].startswith("system:node:")
    eks.delete_access_entry(clusterName="demo", principalArn=ROLE)
    code, status, response = error_of(eks.describe_access_entry, clusterName="demo", principalArn=ROLE)
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")


def test_access_entry_errors(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    code, status, response = error_of(eks.create_access_entry, clusterName="nope", principalArn=ROLE)
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "nope")
    make_cluster("demo")
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    code, status, response = error_of(eks.create_access_entry, clusterName="demo", principalArn=ROLE)
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    for kwargs in [
        {"principalArn": "not-an-arn"},
        {"principalArn": "arn:aws:sts::123456789012:assumed-role/r/s"},
        {"principalArn": "arn:aws:iam::123456789012:user/u", "type": "EC2_LINUX"},
        {"principalArn": "arn:aws:iam::123456789012:role/n", "type": "EC2_LINUX", "kubernetesGroups": ["g"]},
        {"principalArn": "arn:aws:iam::123456789012:role/n", "type": "BOGUS"},
    ]:
        code, status, _ = error_of(eks.create_access_entry, clusterName="demo", **kwargs)
        assert (code, status) == ("InvalidParameterException", 400), kwargs
    make_cluster("legacy", accessConfig={"authenticationMode": "CONFIG_MAP"})
    code, status, _ = error_of(eks.create_access_entry, clusterName="legacy", principalArn=ROLE)
    assert (code, status) == ("InvalidRequestException", 400)


def test_access_policies(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    other = "arn:aws:iam::123456789012:user/alice"
    eks.create_access_entry(clusterName="demo", principalArn=other)
    associated = eks.associate_access_policy(
        clusterName="demo", principalArn=ROLE, policyArn=ADMIN, accessScope={"type": "cluster"}
    )
    assert (associated["clusterName"], associated["principalArn"]) == ("demo", ROLE)
    assert associated["associatedAccessPolicy"]["policyArn"] == ADMIN
    eks.associate_access_policy(
        clusterName="demo", principalArn=ROLE, policyArn=VIEW, accessScope={"type": "namespace", "namespaces": ["a"]}
    )
    listed = eks.list_associated_access_policies(clusterName="demo", principalArn=ROLE)
    assert [p["policyArn"] for p in listed["associatedAccessPolicies"]] == [ADMIN, VIEW]
    # The creator's own entry (bootstrap admin, as EKS makes it) is listed too.
    assert eks.list_access_entries(clusterName="demo")["accessEntries"] == [ROLE, other, CREATOR]
    assert eks.list_access_entries(clusterName="demo", associatedPolicyArn=VIEW)["accessEntries"] == [ROLE]
    eks.disassociate_access_policy(clusterName="demo", principalArn=ROLE, policyArn=VIEW)
    code, status, _ = error_of(eks.disassociate_access_policy, clusterName="demo", principalArn=ROLE, policyArn=VIEW)
    assert (code, status) == ("ResourceNotFoundException", 404)
    for scope, policy in [
        ({"type": "namespace"}, ADMIN),
        ({"type": "cluster", "namespaces": ["a"]}, ADMIN),
        ({"type": "cluster"}, "arn:aws:eks::aws:cluster-access-policy/Nope"),
    ]:
        code, _, _ = error_of(
            eks.associate_access_policy, clusterName="demo", principalArn=ROLE, policyArn=policy, accessScope=scope
        )
        assert code == "InvalidParameterException"
    policies = drain(eks, "list_access_policies", "accessPolicies", PaginationConfig={"PageSize": 5})
    names = [p["name"] for p in policies]
    assert names == sorted(names) and len(names) > 10
    assert {"AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy"} <= set(names)
    assert all(p["arn"] == f"arn:aws:eks::aws:cluster-access-policy/{p['name']}" for p in policies)
    code, status, _ = error_of(eks.list_access_policies, nextToken="garbage")
    assert (code, status) == ("InvalidParameterException", 400)
