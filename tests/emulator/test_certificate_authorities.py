"""Cluster certificate authorities through boto3: listing, rotation, activation, deletion."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_certificate_authority_rotation(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    cluster = make_cluster("demo")
    [initial] = eks.list_certificate_authorities(clusterName="demo")["certificateAuthorities"]
    assert (initial["createdBy"], initial["signingStatus"], initial["distributionStatus"]) == (
        "EKS",
        "IN_USE",
        "COMPLETE",
    )
    detail = eks.describe_certificate_authority(clusterName="demo", certificateAuthorityId=initial["id"])
    assert detail["certificateAuthority"]["data"] == cluster["certificateAuthority"]["data"]
    created = eks.create_certificate_authority(clusterName="demo")
    successor = created["certificateAuthority"]
    assert (successor["createdBy"], successor["signingStatus"], successor["distributionStatus"]) == (
        "CUSTOMER",
        "NOT_USED",
        "IN_PROGRESS",
    )
    assert created["update"]["type"] == "CertificateAuthorityUpdate"
    code, _, _ = error_of(
        eks.activate_certificate_authority, clusterName="demo", certificateAuthorityId=successor["id"]
    )
    assert code == "InvalidParameterException"  # not distributed yet
    local_eks.advance(3600)
    code, status, _ = error_of(eks.create_certificate_authority, clusterName="demo")
    assert (code, status) == ("ResourceLimitExceededException", 400)
    code, status, _ = error_of(
        eks.delete_certificate_authority, clusterName="demo", certificateAuthorityId=initial["id"]
    )
    assert (code, status) == ("ResourceInUseException", 409)
    activated = eks.activate_certificate_authority(clusterName="demo", certificateAuthorityId=successor["id"])
    assert activated["certificateAuthority"]["signingStatus"] == "ACTIVATING"
    local_eks.advance(3600)
    assert eks.describe_update(name="demo", updateId=activated["update"]["id"])["update"]["status"] == "Successful"
    states = {
        ca["id"]: ca["signingStatus"]
        for ca in eks.list_certificate_authorities(clusterName="demo")["certificateAuthorities"]
    }
    assert states == {initial["id"]: "NOT_USED", successor["id"]: "IN_USE"}
    new = eks.describe_certificate_authority(clusterName="demo", certificateAuthorityId=successor["id"])
    assert new["certificateAuthority"]["activatedBy"] == "CUSTOMER"
    assert (
        eks.describe_cluster(name="demo")["cluster"]["certificateAuthority"]["data"]
        == (new["certificateAuthority"]["data"])
    )
    eks.delete_certificate_authority(clusterName="demo", certificateAuthorityId=initial["id"])
    local_eks.advance(3600)
    assert len(eks.list_certificate_authorities(clusterName="demo")["certificateAuthorities"]) == 1
    code, status, response = error_of(
        eks.describe_certificate_authority, clusterName="demo", certificateAuthorityId=initial["id"]
    )
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")
