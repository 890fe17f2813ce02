"""Certificate authority rules of docs/emulator-rules.md (CreateCertificateAuthority,
ActivateCertificateAuthority, DeleteCertificateAuthority), one rule per test, through boto3 over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"


@pytest.fixture
def cluster(make_cluster: Any) -> dict[str, Any]:
    return dict(make_cluster("demo"))


def initial(eks: Any) -> str:
    return str(eks.list_certificate_authorities(clusterName="demo")["certificateAuthorities"][0]["id"])


def test_at_most_two_certificate_authorities(local_eks: Any, eks: Any, cluster: Any) -> None:
    eks.create_certificate_authority(clusterName="demo")
    local_eks.advance(3600)
    rejects(
        eks.create_certificate_authority,
        "ResourceLimitExceededException",
        "at most two certificate authorities",
        clusterName="demo",
    )


def test_new_authority_waits_for_a_cluster_update(eks: Any, cluster: Any) -> None:
    eks.update_cluster_config(name="demo", deletionProtection=True)
    rejects(eks.create_certificate_authority, "ResourceInUseException", "has an update in progress", clusterName="demo")


def test_successor_is_activated_once_distributed(eks: Any, cluster: Any) -> None:
    successor = eks.create_certificate_authority(clusterName="demo")["certificateAuthority"]["id"]
    rejects(
        eks.activate_certificate_authority,
        INVALID,
        "can't be activated until its distributionStatus is COMPLETE",
        clusterName="demo",
        certificateAuthorityId=successor,
    )


def test_authority_in_use_is_not_activated_again(eks: Any, cluster: Any) -> None:
    rejects(
        eks.activate_certificate_authority,
        INVALID,
        "is already IN_USE",
        clusterName="demo",
        certificateAuthorityId=initial(eks),
    )


def test_authority_in_use_is_not_deleted(eks: Any, cluster: Any) -> None:
    rejects(
        eks.delete_certificate_authority,
        "ResourceInUseException",
        "is IN_USE and can't be deleted",
        clusterName="demo",
        certificateAuthorityId=initial(eks),
    )


def test_authority_being_deleted_is_not_deleted_again(local_eks: Any, eks: Any, cluster: Any) -> None:
    successor = eks.create_certificate_authority(clusterName="demo")["certificateAuthority"]["id"]
    local_eks.advance(3600)
    eks.delete_certificate_authority(clusterName="demo", certificateAuthorityId=successor)
    rejects(
        eks.delete_certificate_authority,
        "ResourceInUseException",
        "is already being deleted",
        clusterName="demo",
        certificateAuthorityId=successor,
    )


def test_missing_authority_is_not_found(eks: Any, cluster: Any) -> None:
    rejects(
        eks.describe_certificate_authority,
        "ResourceNotFoundException",
        "No certificate authority found with id: nope.",
        clusterName="demo",
        certificateAuthorityId="nope",
    )
