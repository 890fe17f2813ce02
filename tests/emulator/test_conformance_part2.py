"""Conformance of part-2 operations (access entries, pod identity, identity providers, EKS
Anywhere subscriptions, insights, cluster versions, capabilities, certificate authorities,
connected clusters, EKS Auth), driven by boto3: successes parse with their required members,
modeled errors carry their code, status and fields."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from conftest import boto_client, error_of

ROLE = "arn:aws:iam::123456789012:role/eks"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"


@pytest.fixture(autouse=True)
def slow_lifecycles(local_eks: Any) -> None:
    """Transitions take ten minutes; the tests move the clock explicitly."""
    local_eks.set_timings(all=600)


def drain(eks: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    return [item for page in eks.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def test_every_operation_is_implemented() -> None:
    """No operation of either model is left answering NotImplementedException."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    dispatch = (root / "crates/eksy-emulator/src/service/mod.rs").read_text()
    for service in ("eks", "eks-auth"):
        model = json.loads((root / f"codegen/model/{service}/service-2.json").read_text())
        for name in model["operations"]:
            assert f'"{name}" =>' in dispatch, name


# ---- access entries --------------------------------------------------------------------------


def test_access_entry_lifecycle(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    entry = eks.create_access_entry(
        clusterName="demo", principalArn=ROLE, kubernetesGroups=["devs"], tags={"team": "a"}
    )["accessEntry"]
    assert entry["type"] == "STANDARD" and entry["kubernetesGroups"] == ["devs"]
    assert entry["username"] == "arn:aws:sts::123456789012:assumed-role/eks/{{SessionName}}"
    assert entry["accessEntryArn"].startswith(
        f"arn:aws:eks:{local_eks.region}:123456789012:access-entry/demo/role/123456789012/eks/"
    )
    assert eks.describe_access_entry(clusterName="demo", principalArn=ROLE)["accessEntry"] == entry
    updated = eks.update_access_entry(clusterName="demo", principalArn=ROLE, username="dev")["accessEntry"]
    assert updated["username"] == "dev" and updated["kubernetesGroups"] == ["devs"]
    assert eks.list_tags_for_resource(resourceArn=entry["accessEntryArn"])["tags"] == {"team": "a"}
    eks.tag_resource(resourceArn=entry["accessEntryArn"], tags={"b": "2"})
    assert eks.describe_access_entry(clusterName="demo", principalArn=ROLE)["accessEntry"]["tags"] == {
        "team": "a",
        "b": "2",
    }
    node = eks.create_access_entry(
        clusterName="demo", principalArn="arn:aws:iam::123456789012:role/node", type="EC2_LINUX"
    )["accessEntry"]
    assert node["kubernetesGroups"] == ["system:nodes"] and node["username"].startswith("system:node:")
    eks.delete_access_entry(clusterName="demo", principalArn=ROLE)
    code, status, response = error_of(eks.describe_access_entry, clusterName="demo", principalArn=ROLE)
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")


def test_access_entry_errors(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    code, status, response = error_of(eks.create_access_entry, clusterName="nope", principalArn=ROLE)
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "nope")
    make_cluster("demo")
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    code, status, response = error_of(eks.create_access_entry, clusterName="demo", principalArn=ROLE)
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    for kwargs in [
        {"principalArn": "not-an-arn"},
        {"principalArn": "arn:aws:sts::123456789012:assumed-role/r/s"},
        {"principalArn": "arn:aws:iam::123456789012:user/u", "type": "EC2_LINUX"},
        {"principalArn": "arn:aws:iam::123456789012:role/n", "type": "EC2_LINUX", "kubernetesGroups": ["g"]},
        {"principalArn": "arn:aws:iam::123456789012:role/n", "type": "BOGUS"},
    ]:
        code, status, _ = error_of(eks.create_access_entry, clusterName="demo", **kwargs)
        assert (code, status) == ("InvalidParameterException", 400), kwargs
    make_cluster("legacy", accessConfig={"authenticationMode": "CONFIG_MAP"})
    code, status, _ = error_of(eks.create_access_entry, clusterName="legacy", principalArn=ROLE)
    assert (code, status) == ("InvalidRequestException", 400)


def test_access_policies(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    other = "arn:aws:iam::123456789012:user/alice"
    eks.create_access_entry(clusterName="demo", principalArn=other)
    associated = eks.associate_access_policy(
        clusterName="demo", principalArn=ROLE, policyArn=ADMIN, accessScope={"type": "cluster"}
    )
    assert (associated["clusterName"], associated["principalArn"]) == ("demo", ROLE)
    assert associated["associatedAccessPolicy"]["policyArn"] == ADMIN
    eks.associate_access_policy(
        clusterName="demo", principalArn=ROLE, policyArn=VIEW, accessScope={"type": "namespace", "namespaces": ["a"]}
    )
    listed = eks.list_associated_access_policies(clusterName="demo", principalArn=ROLE)
    assert [p["policyArn"] for p in listed["associatedAccessPolicies"]] == [ADMIN, VIEW]
    assert eks.list_access_entries(clusterName="demo")["accessEntries"] == [ROLE, other]
    assert eks.list_access_entries(clusterName="demo", associatedPolicyArn=VIEW)["accessEntries"] == [ROLE]
    eks.disassociate_access_policy(clusterName="demo", principalArn=ROLE, policyArn=VIEW)
    code, status, _ = error_of(eks.disassociate_access_policy, clusterName="demo", principalArn=ROLE, policyArn=VIEW)
    assert (code, status) == ("ResourceNotFoundException", 404)
    for scope, policy in [
        ({"type": "namespace"}, ADMIN),
        ({"type": "cluster", "namespaces": ["a"]}, ADMIN),
        ({"type": "cluster"}, "arn:aws:eks::aws:cluster-access-policy/Nope"),
    ]:
        code, _, _ = error_of(
            eks.associate_access_policy, clusterName="demo", principalArn=ROLE, policyArn=policy, accessScope=scope
        )
        assert code == "InvalidParameterException"
    policies = drain(eks, "list_access_policies", "accessPolicies", PaginationConfig={"PageSize": 5})
    names = [p["name"] for p in policies]
    assert names == sorted(names) and len(names) > 10
    assert {"AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy"} <= set(names)
    assert all(p["arn"] == f"arn:aws:eks::aws:cluster-access-policy/{p['name']}" for p in policies)
    code, status, _ = error_of(eks.list_access_policies, nextToken="garbage")
    assert (code, status) == ("InvalidParameterException", 400)


# ---- pod identity associations ---------------------------------------------------------------


def test_pod_identity_associations(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    created = eks.create_pod_identity_association(
        clusterName="demo", namespace="ns", serviceAccount="sa", roleArn=ROLE, tags={"k": "v"}
    )["association"]
    assoc_id = created["associationId"]
    assert assoc_id.startswith("a-") and len(assoc_id) == 19
    assert created["associationArn"] == (
        f"arn:aws:eks:{local_eks.region}:123456789012:podidentityassociation/demo/{assoc_id}"
    )
    assert created["disableSessionTags"] is False
    code, status, response = error_of(
        eks.create_pod_identity_association, clusterName="demo", namespace="ns", serviceAccount="sa", roleArn=ROLE
    )
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    eks.create_pod_identity_association(clusterName="demo", namespace="other", serviceAccount="sa", roleArn=ROLE)
    summaries = eks.list_pod_identity_associations(clusterName="demo", namespace="ns")["associations"]
    assert [s["associationId"] for s in summaries] == [assoc_id] and "roleArn" not in summaries[0]
    assert len(eks.list_pod_identity_associations(clusterName="demo", serviceAccount="sa")["associations"]) == 2
    target = "arn:aws:iam::210987654321:role/target"
    updated = eks.update_pod_identity_association(clusterName="demo", associationId=assoc_id, targetRoleArn=target)[
        "association"
    ]
    assert updated["targetRoleArn"] == target and updated["externalId"]
    code, _, _ = error_of(eks.update_pod_identity_association, clusterName="demo", associationId=assoc_id)
    assert code == "InvalidParameterException"
    assert eks.list_tags_for_resource(resourceArn=created["associationArn"])["tags"] == {"k": "v"}
    deleted = eks.delete_pod_identity_association(clusterName="demo", associationId=assoc_id)["association"]
    assert deleted["associationId"] == assoc_id
    code, status, _ = error_of(eks.describe_pod_identity_association, clusterName="demo", associationId=assoc_id)
    assert (code, status) == ("ResourceNotFoundException", 404)


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


def test_assume_role_for_pod_identity(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    auth = boto_client(local_eks, "eks-auth")
    make_cluster("demo")
    assoc = eks.create_pod_identity_association(clusterName="demo", namespace="ns", serviceAccount="sa", roleArn=ROLE)[
        "association"
    ]
    claims = {
        "sub": "system:serviceaccount:ns:sa",
        "aud": ["pods.eks.amazonaws.com"],
        "kubernetes.io": {"pod": {"name": "web-1"}},
    }
    out = auth.assume_role_for_pod_identity(clusterName="demo", token=jwt(claims))
    assert out["subject"] == {"namespace": "ns", "serviceAccount": "sa"}
    assert out["audience"] == "pods.eks.amazonaws.com"
    assert out["podIdentityAssociation"]["associationId"] == assoc["associationId"]
    assert out["assumedRoleUser"]["arn"].startswith("arn:aws:sts::123456789012:assumed-role/eks/eks-demo-web-1-")
    creds = out["credentials"]
    assert creds["accessKeyId"].startswith("ASIA") and len(creds["accessKeyId"]) == 20
    assert len(creds["secretAccessKey"]) == 40 and creds["sessionToken"] and creds["expiration"]
    for token, expected in [
        (jwt({"sub": "system:serviceaccount:ns:other"}), "ResourceNotFoundException"),
        (jwt({"sub": "alice"}), "InvalidTokenException"),
        (jwt({"sub": "system:serviceaccount:ns:sa", "aud": "sts.amazonaws.com"}), "InvalidTokenException"),
        (jwt({"sub": "system:serviceaccount:ns:sa", "exp": 1}), "ExpiredTokenException"),
        ("a.bm90IGpzb24.c", "InvalidTokenException"),
    ]:
        code, _, _ = error_of(auth.assume_role_for_pod_identity, clusterName="demo", token=token)
        assert code == expected, token
    code, status, _ = error_of(auth.assume_role_for_pod_identity, clusterName="nope", token=jwt(claims))
    assert (code, status) == ("ResourceNotFoundException", 404)


# ---- identity provider configs -----------------------------------------------------------------


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


# ---- EKS Anywhere subscriptions ---------------------------------------------------------------


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


# ---- insights, cluster versions ----------------------------------------------------------------


def test_insights(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo", version="1.31")
    eks.create_nodegroup(clusterName="demo", nodegroupName="old", subnets=["s"], nodeRole=ROLE, amiType="AL2_x86_64")
    local_eks.advance(3600)
    insights = eks.list_insights(clusterName="demo")["insights"]
    by_name = {i["name"]: i for i in insights}
    deprecated = by_name["Deprecated APIs removed in Kubernetes v1.32"]
    assert deprecated["category"] == "UPGRADE_READINESS" and deprecated["kubernetesVersion"] == "1.32"
    assert deprecated["insightStatus"]["status"] == "ERROR"
    detail = eks.describe_insight(clusterName="demo", id=deprecated["id"])["insight"]
    usage = detail["categorySpecificSummary"]["deprecationDetails"]
    assert usage and usage[0]["stopServingVersion"] == "1.32"
    assert by_name["Kubelet version skew"]["insightStatus"]["status"] == "PASSING"
    assert eks.list_insights(clusterName="demo")["insights"] == insights  # ids are stable
    passing = eks.list_insights(clusterName="demo", filter={"statuses": ["PASSING"]})["insights"]
    assert passing and all(i["insightStatus"]["status"] == "PASSING" for i in passing)
    assert eks.list_insights(clusterName="demo", filter={"categories": ["MISCONFIGURATION"]})["insights"] == []
    assert eks.list_insights(clusterName="demo", filter={"kubernetesVersions": ["1.99"]})["insights"] == []
    code, status, response = error_of(eks.describe_insight, clusterName="demo", id="nope")
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")
    code, _, _ = error_of(eks.describe_insights_refresh, clusterName="demo")
    assert code == "ResourceNotFoundException"
    assert eks.start_insights_refresh(clusterName="demo")["status"] == "IN_PROGRESS"
    assert eks.describe_insights_refresh(clusterName="demo")["status"] == "IN_PROGRESS"
    local_eks.advance(3600)
    refresh = eks.describe_insights_refresh(clusterName="demo")
    assert refresh["status"] == "COMPLETED" and refresh["endedAt"] >= refresh["startedAt"]
    code, status, _ = error_of(eks.list_insights, clusterName="nope")
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_describe_cluster_versions(eks: Any) -> None:
    versions = eks.describe_cluster_versions(includeAll=True)["clusterVersions"]
    assert [v["clusterVersion"] for v in versions] == ["1.34", "1.33", "1.32", "1.31", "1.30", "1.29"]
    assert all(v["clusterType"] == "eks" and v["defaultPlatformVersion"].startswith("eks.") for v in versions)
    assert all(v["endOfStandardSupportDate"] < v["endOfExtendedSupportDate"] for v in versions)
    default = eks.describe_cluster_versions(defaultOnly=True)["clusterVersions"]
    assert [v["clusterVersion"] for v in default] == ["1.33"] and default[0]["defaultVersion"] is True
    picked = eks.describe_cluster_versions(clusterVersions=["1.30", "1.32"])["clusterVersions"]
    assert [v["clusterVersion"] for v in picked] == ["1.32", "1.30"]
    for v in versions:
        same = eks.describe_cluster_versions(versionStatus=v["versionStatus"])["clusterVersions"]
        assert v["clusterVersion"] in [s["clusterVersion"] for s in same]
    assert eks.describe_cluster_versions(clusterType="eks-local-outposts")["clusterVersions"] == []


# ---- capabilities ------------------------------------------------------------------------------


ARGO = {"argoCd": {"awsIdc": {"idcInstanceArn": "arn:aws:sso:::instance/ssoins-1234"}}}


def test_capabilities(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    argo = eks.create_capability(
        clusterName="demo",
        capabilityName="argo",
        type="ARGOCD",
        roleArn=ROLE,
        configuration=ARGO,
        deletePropagationPolicy="RETAIN",
        tags={"a": "1"},
    )["capability"]
    assert argo["status"] == "CREATING" and argo["configuration"]["argoCd"]["serverUrl"].startswith("https://")
    code, status, response = error_of(
        eks.create_capability,
        clusterName="demo",
        capabilityName="argo",
        type="KRO",
        roleArn=ROLE,
        deletePropagationPolicy="RETAIN",
    )
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    code, _, _ = error_of(
        eks.create_capability,
        clusterName="demo",
        capabilityName="argo2",
        type="ARGOCD",
        roleArn=ROLE,
        configuration=ARGO,
        deletePropagationPolicy="RETAIN",
    )
    assert code == "ResourceLimitExceededException"
    code, _, _ = error_of(
        eks.create_capability,
        clusterName="demo",
        capabilityName="nocfg",
        type="ARGOCD",
        roleArn=ROLE,
        deletePropagationPolicy="RETAIN",
    )
    assert code == "InvalidParameterException"
    eks.create_capability(
        clusterName="demo", capabilityName="ack", type="ACK", roleArn=ROLE, deletePropagationPolicy="RETAIN"
    )
    local_eks.advance(3600)
    summaries = eks.list_capabilities(clusterName="demo")["capabilities"]
    assert [(s["capabilityName"], s["status"]) for s in summaries] == [("ack", "ACTIVE"), ("argo", "ACTIVE")]
    update = eks.update_capability(
        clusterName="demo",
        capabilityName="ack",
        configuration={"ack": {"enableCrossNamespace": True, "disabledServices": ["s3"]}},
    )["update"]
    assert update["type"] == "CapabilityUpdate" and update["status"] == "InProgress"
    assert eks.describe_capability(clusterName="demo", capabilityName="ack")["capability"]["status"] == "UPDATING"
    assert eks.list_updates(name="demo", capabilityName="ack")["updateIds"] == [update["id"]]
    local_eks.advance(3600)
    assert eks.describe_update(name="demo", updateId=update["id"], capabilityName="ack")["update"]["status"] == (
        "Successful"
    )
    ack = eks.describe_capability(clusterName="demo", capabilityName="ack")["capability"]
    assert ack["configuration"]["ack"] == {"enableCrossNamespace": True, "disabledServices": ["s3"]}
    assert eks.list_tags_for_resource(resourceArn=argo["arn"])["tags"] == {"a": "1"}
    assert eks.delete_capability(clusterName="demo", capabilityName="argo")["capability"]["status"] == "DELETING"
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_capability, clusterName="demo", capabilityName="argo")
    assert (code, status, response["clusterName"]) == ("ResourceNotFoundException", 404, "demo")
    code, _, _ = error_of(eks.update_capability, clusterName="demo", capabilityName="ack")
    assert code == "InvalidParameterException"


# ---- certificate authorities ---------------------------------------------------------------------


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


# ---- connected clusters --------------------------------------------------------------------------


def test_register_and_deregister(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("real")
    connected = eks.register_cluster(
        name="onprem", connectorConfig={"roleArn": ROLE, "provider": "EKS_ANYWHERE"}, tags={"a": "1"}
    )["cluster"]
    assert connected["status"] == "PENDING"
    assert connected["connectorConfig"]["provider"] == "EKS_ANYWHERE" and connected["connectorConfig"]["activationId"]
    code, status, response = error_of(
        eks.register_cluster, name="real", connectorConfig={"roleArn": ROLE, "provider": "OTHER"}
    )
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "real")
    assert eks.list_clusters()["clusters"] == ["real"]
    assert eks.list_clusters(include=["all"])["clusters"] == ["onprem", "real"]
    assert eks.describe_cluster(name="onprem")["cluster"]["status"] == "PENDING"
    code, _, _ = error_of(eks.delete_cluster, name="onprem")
    assert code == "InvalidRequestException"
    code, _, _ = error_of(eks.deregister_cluster, name="real")
    assert code == "ClientException"
    assert eks.deregister_cluster(name="onprem")["cluster"]["status"] == "DELETING"
    local_eks.advance(3600)
    code, status, _ = error_of(eks.deregister_cluster, name="onprem")
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_reset_forgets_part2_resources(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    eks.create_access_entry(clusterName="demo", principalArn=ROLE)
    eks.create_eks_anywhere_subscription(name="s", term={"duration": 12, "unit": "MONTHS"})
    local_eks.reset()
    assert eks.list_eks_anywhere_subscriptions()["subscriptions"] == []
    code, _, _ = error_of(eks.list_access_entries, clusterName="demo")
    assert code == "ResourceNotFoundException"


def test_other_accounts_do_not_see_part2_resources(local_eks: Any, eks: Any) -> None:
    eks.create_eks_anywhere_subscription(name="s", term={"duration": 12, "unit": "MONTHS"})
    other = boto3.client(
        "eks",
        endpoint_url=local_eks.endpoint_url,
        region_name=local_eks.region,
        aws_access_key_id="210987654321",
        aws_secret_access_key="x",
    )
    assert other.list_eks_anywhere_subscriptions()["subscriptions"] == []
