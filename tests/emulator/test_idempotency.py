"""clientRequestToken as EKS honours it, for every operation that creates something: a retry
after a lost response (the operation ran, its answer never arrived) gives the caller exactly one
resource and a success, through eksy and boto3, which both fill the token in themselves; the
same token with other input is refused. Updates, associations and deletes: test_idempotency_updates.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eksy.testing import LocalEKS
from idempotency_support import (
    NODE_ROLE,
    PRINCIPAL,
    ROLE,
    SUBNETS,
    Scenario,
    check_lost_response_retry,
    check_other_input_is_refused,
    demo_emulator,
)


@pytest.fixture
def local() -> Iterator[LocalEKS]:
    yield from demo_emulator()


def named(make: Any) -> Any:
    """A setup whose arguments name a resource no other test uses."""
    return lambda eks, local: make()


OIDC = {"identityProviderConfigName": "corp", "issuerUrl": "https://idp.example.com", "clientId": "eks"}
TERM = {"duration": 12, "unit": "MONTHS"}

CREATES: dict[str, Scenario] = {
    "CreateCluster": Scenario(
        "create_cluster",
        named(lambda: {"name": "retried", "roleArn": ROLE, "resourcesVpcConfig": {"subnetIds": SUBNETS}}),
        lambda eks, _: len(eks.list_clusters()["clusters"]),
        other={"name": "another"},
    ),
    "RegisterCluster": Scenario(
        "register_cluster",
        named(lambda: {"name": "outside", "connectorConfig": {"roleArn": ROLE, "provider": "OTHER"}}),
        lambda eks, _: len(eks.list_clusters(include=["all"])["clusters"]),
        other={"connectorConfig": {"roleArn": ROLE, "provider": "GKE"}},
    ),
    "CreateNodegroup": Scenario(
        "create_nodegroup",
        named(lambda: {"clusterName": "demo", "nodegroupName": "ng", "nodeRole": NODE_ROLE, "subnets": SUBNETS}),
        lambda eks, _: len(eks.list_nodegroups(clusterName="demo")["nodegroups"]),
        other={"subnets": [*SUBNETS[:1], "subnet-c"]},
    ),
    "CreateFargateProfile": Scenario(
        "create_fargate_profile",
        named(
            lambda: {
                "clusterName": "demo",
                "fargateProfileName": "fp",
                "podExecutionRoleArn": ROLE,
                "subnets": SUBNETS,
                "selectors": [{"namespace": "apps"}],
            }
        ),
        lambda eks, _: len(eks.list_fargate_profiles(clusterName="demo")["fargateProfileNames"]),
        other={"selectors": [{"namespace": "other"}]},
    ),
    "CreateAccessEntry": Scenario(
        "create_access_entry",
        named(lambda: {"clusterName": "demo", "principalArn": PRINCIPAL}),
        lambda eks, _: len(eks.list_access_entries(clusterName="demo")["accessEntries"]),
        other={"kubernetesGroups": ["x"]},
    ),
    "CreatePodIdentityAssociation": Scenario(
        "create_pod_identity_association",
        named(lambda: {"clusterName": "demo", "namespace": "apps", "serviceAccount": "sa", "roleArn": ROLE}),
        lambda eks, _: len(eks.list_pod_identity_associations(clusterName="demo")["associations"]),
        other={"serviceAccount": "other"},
    ),
    "CreateAddon": Scenario(
        "create_addon",
        named(lambda: {"clusterName": "demo", "addonName": "kube-proxy"}),
        lambda eks, _: len(eks.list_addons(clusterName="demo")["addons"]),
        other={"addonName": "coredns"},
    ),
    "CreateCapability": Scenario(
        "create_capability",
        named(
            lambda: {
                "clusterName": "demo",
                "capabilityName": "ack",
                "type": "ACK",
                "roleArn": ROLE,
                "deletePropagationPolicy": "RETAIN",
            }
        ),
        lambda eks, _: len(eks.list_capabilities(clusterName="demo")["capabilities"]),
        other={"type": "KRO"},
    ),
    "CreateCertificateAuthority": Scenario(
        "create_certificate_authority",
        named(lambda: {"clusterName": "demo"}),
        lambda eks, _: len(eks.list_certificate_authorities(clusterName="demo")["certificateAuthorities"]),
        # The only input besides the token is the cluster: another cluster is other input.
        other={"clusterName": "elsewhere"},
    ),
    "CreateEksAnywhereSubscription": Scenario(
        "create_eks_anywhere_subscription",
        named(lambda: {"name": "anywhere", "term": TERM, "licenseQuantity": 2}),
        lambda eks, _: len(eks.list_eks_anywhere_subscriptions()["subscriptions"]),
        other={"licenseQuantity": 3},
    ),
    "AssociateIdentityProviderConfig": Scenario(
        "associate_identity_provider_config",
        named(lambda: {"clusterName": "demo", "oidc": OIDC}),
        lambda eks, _: len(eks.list_identity_provider_configs(clusterName="demo")["identityProviderConfigs"]),
        other={"oidc": {**OIDC, "clientId": "other"}},
    ),
}


@pytest.mark.parametrize("client", ["eksy", "boto3"])
@pytest.mark.parametrize("operation", sorted(CREATES))
def test_a_retry_after_a_lost_response_creates_exactly_one(local: LocalEKS, operation: str, client: str) -> None:
    check_lost_response_retry(local, operation, CREATES[operation], client)


@pytest.mark.parametrize("client", ["eksy", "boto3"])
@pytest.mark.parametrize("operation", sorted(CREATES))
def test_the_same_token_with_other_input_is_refused(local: LocalEKS, operation: str, client: str) -> None:
    check_other_input_is_refused(local, operation, CREATES[operation], client)
