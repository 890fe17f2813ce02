"""Tags through boto3, on every taggable ARN of clusters and their children."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_tags_on_every_taggable_arn(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    cluster = make_cluster("demo")
    ng = eks.create_nodegroup(clusterName="demo", nodegroupName="ng", subnets=["s"], nodeRole=ROLE)["nodegroup"]
    fp = eks.create_fargate_profile(
        clusterName="demo", fargateProfileName="fp", podExecutionRoleArn=ROLE, selectors=[{"namespace": "a"}]
    )["fargateProfile"]
    addon = eks.create_addon(clusterName="demo", addonName="vpc-cni")["addon"]
    for arn in [cluster["arn"], ng["nodegroupArn"], fp["fargateProfileArn"], addon["addonArn"]]:
        eks.tag_resource(resourceArn=arn, tags={"k1": "v1", "k2": "v2"})
        eks.untag_resource(resourceArn=arn, tagKeys=["k2"])
        assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"k1": "v1"}
    assert eks.describe_nodegroup(clusterName="demo", nodegroupName="ng")["nodegroup"]["tags"] == {"k1": "v1"}
    code, status, _ = error_of(eks.list_tags_for_resource, resourceArn="not-an-arn")
    assert (code, status) == ("BadRequestException", 400)
    code, status, _ = error_of(eks.tag_resource, resourceArn=cluster["arn"].replace("demo", "gone"), tags={"a": "b"})
    assert (code, status) == ("NotFoundException", 404)
    code, _, _ = error_of(eks.tag_resource, resourceArn=cluster["arn"], tags={"aws:x": "y"})
    assert code == "BadRequestException"
