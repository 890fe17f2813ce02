"""Rules of docs/emulator-rules.md that every operation on a cluster's resources shares: the
cluster, and then the resource, must exist (ResourceNotFoundException naming them), and a delete of
a resource already being deleted answers it as it is. One behaviour per test, each over every
operation it concerns, through boto3 over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

PRINCIPAL = {"principalArn": ROLE}
OIDC_REF = {"identityProviderConfig": {"type": "oidc", "name": "okta"}}

# (boto3 method, arguments besides the cluster's name, the member naming the cluster)
IN_A_CLUSTER: list[tuple[str, dict[str, Any], str]] = [
    ("describe_cluster", {}, "name"),
    ("delete_cluster", {}, "name"),
    ("deregister_cluster", {}, "name"),
    ("update_cluster_config", {"deletionProtection": True}, "name"),
    ("update_cluster_version", {"version": "1.35"}, "name"),
    (
        "associate_encryption_config",
        {"encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": "alias/k"}}]},
        "clusterName",
    ),
    ("list_updates", {}, "name"),
    ("describe_update", {"updateId": "u"}, "name"),
    ("cancel_update", {"updateId": "u"}, "name"),
    ("create_nodegroup", {"nodegroupName": "ng", "subnets": ["s"], "nodeRole": ROLE}, "clusterName"),
    ("describe_nodegroup", {"nodegroupName": "ng"}, "clusterName"),
    ("list_nodegroups", {}, "clusterName"),
    ("delete_nodegroup", {"nodegroupName": "ng"}, "clusterName"),
    ("update_nodegroup_config", {"nodegroupName": "ng"}, "clusterName"),
    ("update_nodegroup_version", {"nodegroupName": "ng"}, "clusterName"),
    (
        "create_fargate_profile",
        {"fargateProfileName": "fp", "podExecutionRoleArn": ROLE, "selectors": [{"namespace": "a"}]},
        "clusterName",
    ),
    ("describe_fargate_profile", {"fargateProfileName": "fp"}, "clusterName"),
    ("list_fargate_profiles", {}, "clusterName"),
    ("delete_fargate_profile", {"fargateProfileName": "fp"}, "clusterName"),
    ("create_addon", {"addonName": "vpc-cni"}, "clusterName"),
    ("describe_addon", {"addonName": "vpc-cni"}, "clusterName"),
    ("list_addons", {}, "clusterName"),
    ("delete_addon", {"addonName": "vpc-cni"}, "clusterName"),
    ("update_addon", {"addonName": "vpc-cni"}, "clusterName"),
    ("create_access_entry", PRINCIPAL, "clusterName"),
    ("describe_access_entry", PRINCIPAL, "clusterName"),
    ("list_access_entries", {}, "clusterName"),
    ("update_access_entry", PRINCIPAL, "clusterName"),
    ("delete_access_entry", PRINCIPAL, "clusterName"),
    ("associate_access_policy", dict(PRINCIPAL, policyArn="p", accessScope={"type": "cluster"}), "clusterName"),
    ("disassociate_access_policy", dict(PRINCIPAL, policyArn="p"), "clusterName"),
    ("list_associated_access_policies", PRINCIPAL, "clusterName"),
    ("create_pod_identity_association", {"namespace": "a", "serviceAccount": "b", "roleArn": ROLE}, "clusterName"),
    ("describe_pod_identity_association", {"associationId": "a-1"}, "clusterName"),
    ("list_pod_identity_associations", {}, "clusterName"),
    ("update_pod_identity_association", {"associationId": "a-1", "roleArn": ROLE}, "clusterName"),
    ("delete_pod_identity_association", {"associationId": "a-1"}, "clusterName"),
    (
        "associate_identity_provider_config",
        {"oidc": {"identityProviderConfigName": "okta", "issuerUrl": "https://x", "clientId": "c"}},
        "clusterName",
    ),
    ("describe_identity_provider_config", OIDC_REF, "clusterName"),
    ("list_identity_provider_configs", {}, "clusterName"),
    ("disassociate_identity_provider_config", OIDC_REF, "clusterName"),
    (
        "create_capability",
        {"capabilityName": "c", "type": "KRO", "roleArn": ROLE, "deletePropagationPolicy": "RETAIN"},
        "clusterName",
    ),
    ("describe_capability", {"capabilityName": "c"}, "clusterName"),
    ("list_capabilities", {}, "clusterName"),
    ("update_capability", {"capabilityName": "c", "roleArn": ROLE}, "clusterName"),
    ("delete_capability", {"capabilityName": "c"}, "clusterName"),
    ("create_certificate_authority", {}, "clusterName"),
    ("describe_certificate_authority", {"certificateAuthorityId": "x"}, "clusterName"),
    ("list_certificate_authorities", {}, "clusterName"),
    ("activate_certificate_authority", {"certificateAuthorityId": "x"}, "clusterName"),
    ("delete_certificate_authority", {"certificateAuthorityId": "x"}, "clusterName"),
    ("list_insights", {}, "clusterName"),
    ("describe_insight", {"id": "x"}, "clusterName"),
    ("start_insights_refresh", {}, "clusterName"),
    ("describe_insights_refresh", {}, "clusterName"),
]

# (boto3 method, arguments besides clusterName="demo", message fragment) for a missing resource
# in an existing cluster.
MISSING_CHILD: list[tuple[str, dict[str, Any], str]] = [
    ("describe_nodegroup", {"nodegroupName": "ng"}, "No node group found for name: ng."),
    ("delete_nodegroup", {"nodegroupName": "ng"}, "No node group found for name: ng."),
    (
        "update_nodegroup_config",
        {"nodegroupName": "ng", "labels": {"addOrUpdateLabels": {"a": "b"}}},
        "No node group found",
    ),
    ("update_nodegroup_version", {"nodegroupName": "ng"}, "No node group found"),
    ("describe_fargate_profile", {"fargateProfileName": "fp"}, "No Fargate Profile found with name: fp."),
    ("delete_fargate_profile", {"fargateProfileName": "fp"}, "No Fargate Profile found"),
    ("describe_addon", {"addonName": "vpc-cni"}, "No addon: vpc-cni found in cluster: demo"),
    ("delete_addon", {"addonName": "vpc-cni"}, "No addon: vpc-cni found"),
    ("update_addon", {"addonName": "vpc-cni"}, "No addon: vpc-cni found"),
    ("describe_access_entry", PRINCIPAL, "principalArn could not be found"),
    ("update_access_entry", dict(PRINCIPAL, username="u"), "principalArn could not be found"),
    ("delete_access_entry", PRINCIPAL, "principalArn could not be found"),
    ("list_associated_access_policies", PRINCIPAL, "principalArn could not be found"),
    ("describe_pod_identity_association", {"associationId": "a-1"}, "Pod Identity Association a-1 not found"),
    ("delete_pod_identity_association", {"associationId": "a-1"}, "not found"),
    ("describe_identity_provider_config", OIDC_REF, "No identity provider config found with name: okta."),
    ("disassociate_identity_provider_config", OIDC_REF, "No identity provider config found"),
    ("describe_capability", {"capabilityName": "c"}, "No capability found with name: c."),
    ("delete_capability", {"capabilityName": "c"}, "No capability found"),
    ("update_capability", {"capabilityName": "c", "roleArn": ROLE}, "No capability found"),
    ("describe_certificate_authority", {"certificateAuthorityId": "x"}, "No certificate authority found with id: x."),
    ("describe_insight", {"id": "x"}, "No insight found with id: x."),
    ("describe_insights_refresh", {}, "No insights refresh has been started"),
]


@pytest.mark.parametrize(("method", "arguments", "member"), IN_A_CLUSTER, ids=[c[0] for c in IN_A_CLUSTER])
def test_missing_cluster_is_not_found(eks: Any, method: str, arguments: dict[str, Any], member: str) -> None:
    response = rejects(
        getattr(eks, method),
        "ResourceNotFoundException",
        "No cluster found for name: gone.",
        **{member: "gone"},
        **arguments,
    )
    assert response.get("clusterName", "gone") == "gone"


@pytest.mark.parametrize(("method", "arguments", "fragment"), MISSING_CHILD, ids=[c[0] for c in MISSING_CHILD])
def test_missing_resource_is_not_found(
    make_cluster: Any, eks: Any, method: str, arguments: dict[str, Any], fragment: str
) -> None:
    make_cluster("demo")
    rejects(getattr(eks, method), "ResourceNotFoundException", fragment, clusterName="demo", **arguments)


def test_deleting_twice_answers_the_resource_being_deleted(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.create_addon(clusterName="demo", addonName="vpc-cni")
    local_eks.advance(3600)
    first = eks.delete_addon(clusterName="demo", addonName="vpc-cni")["addon"]
    again = eks.delete_addon(clusterName="demo", addonName="vpc-cni")["addon"]
    assert first["status"] == again["status"] == "DELETING"
