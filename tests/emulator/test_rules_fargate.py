"""Fargate profile rules of docs/emulator-rules.md (CreateFargateProfile, DeleteFargateProfile), one
rule per test, through boto3 over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"
DEFAULT = [{"namespace": "default"}]


@pytest.fixture
def cluster(make_cluster: Any) -> dict[str, Any]:
    return dict(make_cluster("demo"))


def create(eks: Any, code: str, fragment: str, name: str = "fp", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("podExecutionRoleArn", ROLE)
    kwargs.setdefault("selectors", DEFAULT)
    return rejects(eks.create_fargate_profile, code, fragment, clusterName="demo", fargateProfileName=name, **kwargs)


def make_profile(eks: Any, name: str) -> None:
    eks.create_fargate_profile(clusterName="demo", fargateProfileName=name, podExecutionRoleArn=ROLE, selectors=DEFAULT)


def test_pod_execution_role_must_be_an_iam_role_arn(eks: Any, cluster: Any) -> None:
    response = create(eks, INVALID, "podExecutionRoleArn", podExecutionRoleArn="arn:aws:iam::123456789012:user/u")
    assert response["fargateProfileName"] == "fp"


def test_profile_tags_may_not_use_the_aws_prefix(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "reserved for AWS use", tags={"team": "aws:x"})


def test_profile_names_are_unique_in_a_cluster(eks: Any, cluster: Any) -> None:
    make_profile(eks, "fp")
    create(eks, INVALID, "already exists with this name")


def test_profile_needs_a_selector(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "between 1 and 5 selectors", selectors=[])


def test_profile_takes_at_most_five_selectors(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "between 1 and 5 selectors", selectors=[{"namespace": f"ns{i}"} for i in range(6)])


def test_each_selector_names_a_namespace(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "must specify a namespace", selectors=[{"labels": {"a": "b"}}])


def test_selector_takes_at_most_five_labels(eks: Any, cluster: Any) -> None:
    labels = {f"k{i}": "v" for i in range(6)}
    create(eks, INVALID, "at most 5 labels", selectors=[{"namespace": "ns", "labels": labels}])


def test_at_most_ten_profiles_per_cluster(eks: Any, cluster: Any) -> None:
    for i in range(10):
        make_profile(eks, f"fp{i}")
    create(eks, "ResourceLimitExceededException", "at most 10 Fargate profiles", name="fp10")


def test_profile_waits_for_a_profile_being_deleted(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_profile(eks, "old")
    local_eks.advance(3600)
    eks.delete_fargate_profile(clusterName="demo", fargateProfileName="old")
    create(eks, "InvalidRequestException", "is being deleted; wait for it")


def test_profiles_need_an_active_cluster(eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]})
    create(eks, "InvalidRequestException", "it must be ACTIVE")


def test_profiles_are_deleted_one_at_a_time(local_eks: Any, eks: Any, cluster: Any) -> None:
    make_profile(eks, "a")
    make_profile(eks, "b")
    local_eks.advance(3600)
    eks.delete_fargate_profile(clusterName="demo", fargateProfileName="a")
    rejects(
        eks.delete_fargate_profile,
        "ClientException",
        "only one Fargate profile in a cluster can be deleted at a time",
        clusterName="demo",
        fargateProfileName="b",
    )


def test_profile_in_a_missing_cluster_is_not_found(eks: Any) -> None:
    response = create(eks, "ResourceNotFoundException", "No cluster found for name: demo.")
    assert response["clusterName"] == "demo"


def test_profiles_wait_for_a_cluster_update(eks: Any, cluster: Any) -> None:
    eks.update_cluster_config(name="demo", deletionProtection=True)
    create(eks, "ResourceInUseException", "is currently being updated")
