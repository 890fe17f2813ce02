"""OIDC identity provider configs through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


OIDC = {"identityProviderConfigName": "okta", "issuerUrl": "https://example.okta.com", "clientId": "eks"}


def test_identity_provider_configs(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    out = eks.associate_identity_provider_config(clusterName="demo", oidc=OIDC, tags={"t": "1"})
    update = out["update"]
    assert (update["type"], update["status"], out["tags"]) == (
        "AssociateIdentityProviderConfig",
        "InProgress",
        {"t": "1"},
    )
    ref = {"type": "oidc", "name": "okta"}
    config = eks.describe_identity_provider_config(clusterName="demo", identityProviderConfig=ref)[
        "identityProviderConfig"
    ]["oidc"]
    assert config["status"] == "CREATING" and config["issuerUrl"] == OIDC["issuerUrl"]
    assert eks.describe_cluster(name="demo")["cluster"]["status"] == "UPDATING"
    code, status, _ = error_of(
        eks.associate_identity_provider_config, clusterName="demo", oidc={**OIDC, "identityProviderConfigName": "x"}
    )
    assert (code, status) == ("ResourceInUseException", 409)
    local_eks.advance(3600)
    assert eks.describe_update(name="demo", updateId=update["id"])["update"]["status"] == "Successful"
    config = eks.describe_identity_provider_config(clusterName="demo", identityProviderConfig=ref)[
        "identityProviderConfig"
    ]["oidc"]
    assert config["status"] == "ACTIVE"
    assert eks.list_tags_for_resource(resourceArn=config["identityProviderConfigArn"])["tags"] == {"t": "1"}
    assert eks.list_identity_provider_configs(clusterName="demo")["identityProviderConfigs"] == [ref]
    code, status, _ = error_of(eks.associate_identity_provider_config, clusterName="demo", oidc=OIDC)
    assert (code, status) == ("ResourceInUseException", 409)
    code, _, _ = error_of(
        eks.associate_identity_provider_config,
        clusterName="demo",
        oidc={**OIDC, "identityProviderConfigName": "h", "issuerUrl": "http://x"},
    )
    assert code == "InvalidParameterException"
    gone = eks.disassociate_identity_provider_config(clusterName="demo", identityProviderConfig=ref)["update"]
    assert gone["type"] == "DisassociateIdentityProviderConfig"
    local_eks.advance(3600)
    code, status, response = error_of(
        eks.describe_identity_provider_config, clusterName="demo", identityProviderConfig=ref
    )
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")
    code, _, _ = error_of(
        eks.describe_identity_provider_config, clusterName="demo", identityProviderConfig={"type": "saml", "name": "x"}
    )
    assert code == "InvalidParameterException"
