"""EKS Anywhere subscription rules of docs/emulator-rules.md, one rule per test, through boto3 over
HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"
TERM = {"duration": 12, "unit": "MONTHS"}


def create(eks: Any, code: str, fragment: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("name", "sub")
    kwargs.setdefault("term", TERM)
    return rejects(eks.create_eks_anywhere_subscription, code, fragment, **kwargs)


def test_subscription_name_format(eks: Any) -> None:
    create(eks, INVALID, "failed to satisfy constraint", name="bad name")


def test_subscription_name_starts_with_a_letter(eks: Any) -> None:
    create(eks, INVALID, "must start with an alphabetic character", name="1sub")


def test_subscription_tags_may_not_use_the_aws_prefix(eks: Any) -> None:
    create(eks, INVALID, "reserved for AWS use", tags={"aws:x": "1"})


def test_subscription_term_is_12_or_36_months(eks: Any) -> None:
    create(eks, INVALID, "The term must be 12 or 36 MONTHS", term={"duration": 24, "unit": "MONTHS"})


def test_subscription_license_quantity_is_1_to_100(eks: Any) -> None:
    create(eks, INVALID, "licenseQuantity must be between 1 and 100", licenseQuantity=101)


def test_subscription_names_are_unique(eks: Any) -> None:
    eks.create_eks_anywhere_subscription(name="sub", term=TERM)
    create(eks, INVALID, "An EKS Anywhere subscription named sub already exists")


def test_subscription_being_created_is_not_updated(eks: Any) -> None:
    sub = eks.create_eks_anywhere_subscription(name="sub", term=TERM)["subscription"]["id"]
    rejects(
        eks.update_eks_anywhere_subscription, "InvalidRequestException", "is in CREATING status", id=sub, autoRenew=True
    )


def test_old_active_subscription_is_not_deleted(local_eks: Any, eks: Any) -> None:
    sub = eks.create_eks_anywhere_subscription(name="sub", term=TERM)["subscription"]["id"]
    local_eks.advance(8 * 86400)
    rejects(eks.delete_eks_anywhere_subscription, "InvalidRequestException", "only expired or inactive", id=sub)


def test_missing_subscription_is_not_found(eks: Any) -> None:
    rejects(
        eks.describe_eks_anywhere_subscription,
        "ResourceNotFoundException",
        "No EKS Anywhere subscription found",
        id="nope",
    )
