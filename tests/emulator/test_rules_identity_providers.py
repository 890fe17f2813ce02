"""OIDC identity provider rules of docs/emulator-rules.md (AssociateIdentityProviderConfig,
DescribeIdentityProviderConfig, DisassociateIdentityProviderConfig), one rule per test, through
boto3 over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, VPC
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"
OIDC = {"identityProviderConfigName": "okta", "issuerUrl": "https://example.okta.com", "clientId": "eks"}


@pytest.fixture
def cluster(make_cluster: Any) -> dict[str, Any]:
    return dict(make_cluster("demo"))


def associate(eks: Any, code: str, fragment: str, **oidc: Any) -> dict[str, Any]:
    return rejects(eks.associate_identity_provider_config, code, fragment, clusterName="demo", oidc=dict(OIDC, **oidc))


def test_issuer_url_is_https(eks: Any, cluster: Any) -> None:
    associate(eks, INVALID, "must begin with https://", issuerUrl="http://example.okta.com")


def test_issuer_url_has_no_query(eks: Any, cluster: Any) -> None:
    associate(eks, INVALID, "no query parameters", issuerUrl="https://example.okta.com/?tenant=1")


def test_prefixes_do_not_contain_system(eks: Any, cluster: Any) -> None:
    associate(eks, INVALID, "The usernamePrefix can't contain system:", usernamePrefix="system:oidc:")


def test_identity_provider_tags_may_not_use_the_aws_prefix(eks: Any, cluster: Any) -> None:
    rejects(
        eks.associate_identity_provider_config,
        INVALID,
        "reserved for AWS use",
        clusterName="demo",
        oidc=OIDC,
        tags={"aws:x": "1"},
    )


def test_identity_provider_needs_an_updatable_cluster(eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig=VPC)
    associate(eks, "InvalidRequestException", "is in CREATING status")


def test_identity_provider_type_is_oidc(eks: Any, cluster: Any) -> None:
    rejects(
        eks.describe_identity_provider_config,
        INVALID,
        "the only type is oidc",
        clusterName="demo",
        identityProviderConfig={"type": "saml", "name": "okta"},
    )


def test_identity_provider_being_created_is_not_disassociated(local_eks: Any, eks: Any, cluster: Any) -> None:
    eks.associate_identity_provider_config(clusterName="demo", oidc=OIDC)
    # The cluster's own update is settled by hand; the config itself is still CREATING.
    local_eks.force_status("cluster", "demo", "ACTIVE")
    rejects(
        eks.disassociate_identity_provider_config,
        "InvalidRequestException",
        "is in CREATING status and can't be disassociated",
        clusterName="demo",
        identityProviderConfig={"type": "oidc", "name": "okta"},
    )


def test_identity_provider_names_are_unique(local_eks: Any, eks: Any, cluster: Any) -> None:
    eks.associate_identity_provider_config(clusterName="demo", oidc=OIDC)
    local_eks.advance(3600)
    associate(eks, "ResourceInUseException", "with name okta is already associated")
