"""Fargate profiles through boto3: lifecycle and errors."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_fargate_profiles(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    fp = eks.create_fargate_profile(
        clusterName="demo",
        fargateProfileName="fp",
        podExecutionRoleArn=ROLE,
        selectors=[{"namespace": "default", "labels": {"a": "b"}}],
        subnets=["s"],
    )["fargateProfile"]
    assert fp["status"] == "CREATING" and ":fargateprofile/demo/fp/" in fp["fargateProfileArn"]
    code, _, response = error_of(
        eks.create_fargate_profile,
        clusterName="demo",
        fargateProfileName="fp",
        podExecutionRoleArn=ROLE,
        selectors=[{"namespace": "x"}],
    )
    assert code == "InvalidParameterException" and response["fargateProfileName"] == "fp"
    code, _, _ = error_of(
        eks.create_fargate_profile, clusterName="demo", fargateProfileName="none", podExecutionRoleArn=ROLE
    )
    assert code == "InvalidParameterException"
    assert eks.list_fargate_profiles(clusterName="demo")["fargateProfileNames"] == ["fp"]
    local_eks.advance(3600)
    assert (
        eks.describe_fargate_profile(clusterName="demo", fargateProfileName="fp")["fargateProfile"]["status"]
        == "ACTIVE"
    )
    eks.delete_fargate_profile(clusterName="demo", fargateProfileName="fp")
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_fargate_profile, clusterName="demo", fargateProfileName="fp")
    assert (code, status, response["fargateProfileName"], response["clusterName"]) == (
        "ResourceNotFoundException",
        404,
        "fp",
        "demo",
    )
