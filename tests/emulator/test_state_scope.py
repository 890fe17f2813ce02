"""Where state lives: apart per account and region, and forgotten by reset."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from emulator_support import ROLE, VPC, error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_state_is_separate_per_account_and_region(local_eks: Any, eks: Any) -> None:
    import boto3

    eks.create_cluster(name="mine", roleArn=ROLE, resourcesVpcConfig=VPC)

    def client(region: str, key: str) -> Any:
        return boto3.client(
            "eks",
            endpoint_url=local_eks.endpoint_url,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key="x",
        )

    assert client(local_eks.region, "other-key").list_clusters()["clusters"] == ["mine"]
    assert client("eu-west-1", "testing").list_clusters()["clusters"] == []
    other_account = client(local_eks.region, "111122223333")
    assert other_account.list_clusters()["clusters"] == []
    created = other_account.create_cluster(name="theirs", roleArn=ROLE, resourcesVpcConfig=VPC)["cluster"]
    assert created["arn"] == f"arn:aws:eks:{local_eks.region}:111122223333:cluster/theirs"


def test_other_accounts_do_not_see_subscriptions(local_eks: Any, eks: Any) -> None:
    eks.create_eks_anywhere_subscription(name="s", term={"duration": 12, "unit": "MONTHS"})
    other = boto3.client(
        "eks",
        endpoint_url=local_eks.endpoint_url,
        region_name=local_eks.region,
        aws_access_key_id="210987654321",
        aws_secret_access_key="x",
    )
    assert other.list_eks_anywhere_subscriptions()["subscriptions"] == []


def test_reset_forgets_access_entries_and_subscriptions(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    eks.create_eks_anywhere_subscription(name="s", term={"duration": 12, "unit": "MONTHS"})
    local_eks.reset()
    assert eks.list_eks_anywhere_subscriptions()["subscriptions"] == []
    code, _, _ = error_of(eks.list_access_entries, clusterName="demo")
    assert code == "ResourceNotFoundException"
