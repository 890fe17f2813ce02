"""EKS Anywhere subscriptions through boto3: lifecycle, terms, expiry."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_eks_anywhere_subscriptions(local_eks: Any, eks: Any) -> None:
    term = {"duration": 12, "unit": "MONTHS"}
    sub = eks.create_eks_anywhere_subscription(name="sub-a", term=term, licenseQuantity=2, tags={"a": "1"})[
        "subscription"
    ]
    assert sub["status"] == "CREATING" and sub["licenseType"] == "Cluster" and len(sub["licenses"]) == 2
    assert sub["arn"] == f"arn:aws:eks:{local_eks.region}:123456789012:eks-anywhere-subscription/{sub['id']}"
    assert abs(sub["expirationDate"].timestamp() - sub["effectiveDate"].timestamp() - 365 * 86400) < 1
    code, status, _ = error_of(eks.create_eks_anywhere_subscription, name="sub-a", term=term)
    assert (code, status) == ("InvalidParameterException", 400)
    code, _, _ = error_of(eks.create_eks_anywhere_subscription, name="sub-b", term={"duration": 7, "unit": "MONTHS"})
    assert code == "InvalidParameterException"
    local_eks.advance(3600)
    assert eks.describe_eks_anywhere_subscription(id=sub["id"])["subscription"]["status"] == "ACTIVE"
    assert eks.update_eks_anywhere_subscription(id=sub["id"], autoRenew=True)["subscription"]["autoRenew"] is True
    assert [s["id"] for s in eks.list_eks_anywhere_subscriptions(includeStatus=["ACTIVE"])["subscriptions"]] == [
        sub["id"]
    ]
    assert eks.list_eks_anywhere_subscriptions(includeStatus=["EXPIRED"])["subscriptions"] == []
    eks.tag_resource(resourceArn=sub["arn"], tags={"b": "2"})
    assert eks.list_tags_for_resource(resourceArn=sub["arn"])["tags"] == {"a": "1", "b": "2"}
    deleting = eks.delete_eks_anywhere_subscription(id=sub["id"])["subscription"]
    assert deleting["status"] == "DELETING"
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_eks_anywhere_subscription, id=sub["id"])
    assert (code, status, response["subscriptionId"]) == ("ResourceNotFoundException", 404, sub["id"])


def test_old_active_subscription_cannot_be_deleted_but_expires(local_eks: Any, eks: Any) -> None:
    sub = eks.create_eks_anywhere_subscription(name="s", term={"duration": 12, "unit": "MONTHS"})["subscription"]
    local_eks.advance(30 * 86400)
    code, status, _ = error_of(eks.delete_eks_anywhere_subscription, id=sub["id"])
    assert (code, status) == ("InvalidRequestException", 400)
    local_eks.advance(366 * 86400)
    assert eks.describe_eks_anywhere_subscription(id=sub["id"])["subscription"]["status"] == "EXPIRED"
    assert eks.delete_eks_anywhere_subscription(id=sub["id"])["subscription"]["status"] == "DELETING"
