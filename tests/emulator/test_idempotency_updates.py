"""clientRequestToken for every token-taking operation that changes what exists: updates,
version upgrades, encryption, identity provider disassociation, certificate authority
activation and deletion, CancelUpdate. A retry after a lost response acts once (one update, one
change) and succeeds, through eksy and boto3; the same token with other input is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eksy.testing import LocalEKS
from idempotency_support import (
    KEY,
    NODE_ROLE,
    PRINCIPAL,
    ROLE,
    SUBNETS,
    Scenario,
    check_lost_response_retry,
    check_other_input_is_refused,
    demo_emulator,
    updates,
)


@pytest.fixture
def local() -> Iterator[LocalEKS]:
    yield from demo_emulator()


def two_newest_versions(eks: Any) -> tuple[str, str]:
    offered = sorted(
        (v["clusterVersion"] for v in eks.describe_cluster_versions()["clusterVersions"]),
        key=lambda v: int(v.split(".")[1]),
    )
    return offered[-2], offered[-1]


def older_cluster(eks: Any, *, with_nodegroup: bool = False) -> str:
    """A cluster "old" one minor behind the newest offered version, optionally with node group "ng"."""
    older, _ = two_newest_versions(eks)
    eks.create_cluster(name="old", version=older, roleArn=ROLE, resourcesVpcConfig={"subnetIds": SUBNETS})
    eks.describe_cluster(name="old")
    if with_nodegroup:
        eks.create_nodegroup(clusterName="old", nodegroupName="ng", nodeRole=NODE_ROLE, subnets=SUBNETS)
        eks.describe_nodegroup(clusterName="old", nodegroupName="ng")
    return older


def setup_nodegroup_config(eks: Any, local: LocalEKS) -> dict[str, Any]:
    eks.create_nodegroup(clusterName="demo", nodegroupName="ng", nodeRole=NODE_ROLE, subnets=SUBNETS)
    eks.describe_nodegroup(clusterName="demo", nodegroupName="ng")
    return {
        "clusterName": "demo",
        "nodegroupName": "ng",
        "scalingConfig": {"minSize": 1, "maxSize": 4, "desiredSize": 3},
    }


def setup_nodegroup_version(eks: Any, local: LocalEKS) -> dict[str, Any]:
    _, newest = two_newest_versions(eks)
    older_cluster(eks, with_nodegroup=True)
    eks.update_cluster_version(name="old", version=newest)
    eks.describe_cluster(name="old")  # settles: the control plane runs the newest version
    return {"clusterName": "old", "nodegroupName": "ng"}


def setup_cluster_version(eks: Any, local: LocalEKS) -> dict[str, Any]:
    _, newest = two_newest_versions(eks)
    older_cluster(eks)
    return {"name": "old", "version": newest}


def setup_addon(eks: Any, local: LocalEKS) -> dict[str, Any]:
    eks.create_addon(clusterName="demo", addonName="kube-proxy")
    eks.describe_addon(clusterName="demo", addonName="kube-proxy")
    return {"clusterName": "demo", "addonName": "kube-proxy", "configurationValues": "{}"}


def setup_capability(eks: Any, local: LocalEKS) -> dict[str, Any]:
    eks.create_capability(
        clusterName="demo", capabilityName="ack", type="ACK", roleArn=ROLE, deletePropagationPolicy="RETAIN"
    )
    eks.describe_capability(clusterName="demo", capabilityName="ack")
    return {"clusterName": "demo", "capabilityName": "ack", "roleArn": f"{ROLE}-2"}


def setup_access_entry(eks: Any, local: LocalEKS) -> dict[str, Any]:
    eks.create_access_entry(clusterName="demo", principalArn=PRINCIPAL)
    return {"clusterName": "demo", "principalArn": PRINCIPAL, "kubernetesGroups": ["devs"]}


def setup_pod_identity(eks: Any, local: LocalEKS) -> dict[str, Any]:
    association = eks.create_pod_identity_association(
        clusterName="demo", namespace="apps", serviceAccount="sa", roleArn=ROLE
    )["association"]
    return {"clusterName": "demo", "associationId": association["associationId"], "roleArn": f"{ROLE}-2"}


def setup_subscription(eks: Any, local: LocalEKS) -> dict[str, Any]:
    subscription = eks.create_eks_anywhere_subscription(name="anywhere", term={"duration": 12, "unit": "MONTHS"})
    eks.describe_eks_anywhere_subscription(id=subscription["subscription"]["id"])  # settles: ACTIVE
    return {"id": subscription["subscription"]["id"], "autoRenew": True}


def setup_identity_provider(eks: Any, local: LocalEKS) -> dict[str, Any]:
    oidc = {"identityProviderConfigName": "corp", "issuerUrl": "https://idp.example.com", "clientId": "eks"}
    eks.associate_identity_provider_config(clusterName="demo", oidc=oidc)
    eks.describe_identity_provider_config(clusterName="demo", identityProviderConfig={"type": "oidc", "name": "corp"})
    eks.describe_cluster(name="demo")
    return {"clusterName": "demo", "identityProviderConfig": {"type": "oidc", "name": "corp"}}


def successor_authority(eks: Any, local: LocalEKS) -> str:
    """A second certificate authority, distributed and ready to activate."""
    created = eks.create_certificate_authority(clusterName="demo")["certificateAuthority"]
    local.advance(3600)
    eks.describe_cluster(name="demo")
    return str(created["id"])


def setup_activate(eks: Any, local: LocalEKS) -> dict[str, Any]:
    return {"clusterName": "demo", "certificateAuthorityId": successor_authority(eks, local)}


def setup_delete_authority(eks: Any, local: LocalEKS) -> dict[str, Any]:
    [initial] = eks.list_certificate_authorities(clusterName="demo")["certificateAuthorities"]
    successor = successor_authority(eks, local)
    eks.activate_certificate_authority(clusterName="demo", certificateAuthorityId=successor)
    local.advance(3600)
    eks.describe_cluster(name="demo")
    return {"clusterName": "demo", "certificateAuthorityId": initial["id"]}


def setup_cancel(eks: Any, local: LocalEKS) -> dict[str, Any]:
    local.set_timings(preset="realistic")
    update = eks.update_cluster_config(name="demo", logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    return {"name": "demo", "updateId": update["update"]["id"]}


def cluster_updates(name: str = "demo") -> Any:
    return lambda eks, _: updates(eks, name=name)


def cancelled(eks: Any, kwargs: dict[str, Any]) -> int:
    return sum(
        eks.describe_update(name="demo", updateId=update_id)["update"]["status"] == "Cancelled"
        for update_id in eks.list_updates(name="demo")["updateIds"]
    )


def changed(read: Any) -> Any:
    """The effect of an update that starts no update record: 1 once its change shows."""
    return lambda eks, kwargs: int(read(eks, kwargs))


UPDATES: dict[str, Scenario] = {
    "UpdateClusterConfig": Scenario(
        "update_cluster_config",
        lambda eks, local: {"name": "demo", "logging": {"clusterLogging": [{"types": ["api"], "enabled": True}]}},
        cluster_updates(),
        other={"logging": {"clusterLogging": [{"types": ["audit"], "enabled": True}]}},
    ),
    "UpdateClusterVersion": Scenario(
        "update_cluster_version", setup_cluster_version, cluster_updates("old"), other={"version": "1.99"}
    ),
    "AssociateEncryptionConfig": Scenario(
        "associate_encryption_config",
        lambda eks, local: {
            "clusterName": "demo",
            "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
        },
        cluster_updates(),
        other={"encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": f"{KEY}0"}}]},
    ),
    "UpdateNodegroupConfig": Scenario(
        "update_nodegroup_config",
        setup_nodegroup_config,
        lambda eks, _: updates(eks, name="demo", nodegroupName="ng"),
        other={"scalingConfig": {"minSize": 1, "maxSize": 4, "desiredSize": 4}},
    ),
    "UpdateNodegroupVersion": Scenario(
        "update_nodegroup_version",
        setup_nodegroup_version,
        lambda eks, _: updates(eks, name="old", nodegroupName="ng"),
        other={"force": True},
    ),
    "UpdateAddon": Scenario(
        "update_addon",
        setup_addon,
        lambda eks, _: updates(eks, name="demo", addonName="kube-proxy"),
        other={"configurationValues": '{"mode": "ipvs"}'},
    ),
    "UpdateCapability": Scenario(
        "update_capability",
        setup_capability,
        lambda eks, _: updates(eks, name="demo", capabilityName="ack"),
        other={"roleArn": f"{ROLE}-3"},
    ),
    "UpdateAccessEntry": Scenario(
        "update_access_entry",
        setup_access_entry,
        changed(
            lambda eks, kw: (
                eks.describe_access_entry(clusterName="demo", principalArn=PRINCIPAL)["accessEntry"]["kubernetesGroups"]
                == ["devs"]
            )
        ),
        other={"kubernetesGroups": ["admins"]},
        modified=lambda eks, kw: eks.describe_access_entry(clusterName="demo", principalArn=PRINCIPAL)["accessEntry"][
            "modifiedAt"
        ].timestamp(),
    ),
    "UpdatePodIdentityAssociation": Scenario(
        "update_pod_identity_association",
        setup_pod_identity,
        changed(
            lambda eks, kw: (
                eks.describe_pod_identity_association(clusterName="demo", associationId=kw["associationId"])[
                    "association"
                ]["roleArn"]
                == f"{ROLE}-2"
            )
        ),
        other={"roleArn": f"{ROLE}-3"},
        modified=lambda eks, kw: eks.describe_pod_identity_association(
            clusterName="demo", associationId=kw["associationId"]
        )["association"]["modifiedAt"].timestamp(),
    ),
    "UpdateEksAnywhereSubscription": Scenario(
        "update_eks_anywhere_subscription",
        setup_subscription,
        changed(lambda eks, kw: eks.describe_eks_anywhere_subscription(id=kw["id"])["subscription"]["autoRenew"]),
        other={"autoRenew": False},
    ),
    "DisassociateIdentityProviderConfig": Scenario(
        "disassociate_identity_provider_config",
        setup_identity_provider,
        cluster_updates(),
        other={"identityProviderConfig": {"type": "oidc", "name": "other"}},
    ),
    "ActivateCertificateAuthority": Scenario(
        "activate_certificate_authority", setup_activate, cluster_updates(), other={"certificateAuthorityId": "other"}
    ),
    "DeleteCertificateAuthority": Scenario(
        "delete_certificate_authority",
        setup_delete_authority,
        cluster_updates(),
        other={"certificateAuthorityId": "other"},
    ),
    "CancelUpdate": Scenario("cancel_update", setup_cancel, cancelled, other={"updateId": "other"}),
}


@pytest.mark.parametrize("client", ["eksy", "boto3"])
@pytest.mark.parametrize("operation", sorted(UPDATES))
def test_a_retry_after_a_lost_response_acts_once(local: LocalEKS, operation: str, client: str) -> None:
    check_lost_response_retry(local, operation, UPDATES[operation], client)


@pytest.mark.parametrize("client", ["eksy", "boto3"])
@pytest.mark.parametrize("operation", sorted(UPDATES))
def test_the_same_token_with_other_input_is_refused(local: LocalEKS, operation: str, client: str) -> None:
    check_other_input_is_refused(local, operation, UPDATES[operation], client)


def test_every_token_taking_operation_is_covered() -> None:
    import json
    from pathlib import Path

    from test_idempotency import CREATES

    model = json.loads((Path(__file__).parents[2] / "codegen/model/eks/service-2.json").read_text())
    taking_tokens = {
        name
        for name, operation in model["operations"].items()
        if "input" in operation
        and any(m.get("idempotencyToken") for m in model["shapes"][operation["input"]["shape"]]["members"].values())
    }
    assert taking_tokens == set(CREATES) | set(UPDATES)
