"""Pod identity association and EKS Auth rules of docs/emulator-rules.md
(CreatePodIdentityAssociation, UpdatePodIdentityAssociation, AssumeRoleForPodIdentity), one rule per
test, through boto3 over HTTP."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from emulator_support import ROLE, VPC, boto_client
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"
SUBJECT = {"sub": "system:serviceaccount:ns:sa", "aud": ["pods.eks.amazonaws.com"]}


@pytest.fixture
def cluster(make_cluster: Any) -> dict[str, Any]:
    return dict(make_cluster("demo"))


def create(eks: Any, code: str, fragment: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("namespace", "ns")
    kwargs.setdefault("serviceAccount", "sa")
    kwargs.setdefault("roleArn", ROLE)
    return rejects(eks.create_pod_identity_association, code, fragment, clusterName="demo", **kwargs)


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


def assume(local_eks: Any, code: str, fragment: str, token: str) -> dict[str, Any]:
    auth = boto_client(local_eks, "eks-auth")
    return rejects(auth.assume_role_for_pod_identity, code, fragment, clusterName="demo", token=token)


def test_association_role_must_be_an_iam_role_arn(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "The roleArn nope is not a valid IAM role ARN", roleArn="nope")


def test_association_target_role_must_be_an_iam_role_arn(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "The targetRoleArn", targetRoleArn="arn:aws:iam::123456789012:user/u")


def test_association_policy_is_a_json_document(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "must be a JSON IAM policy document", policy="Allow everything")


def test_association_namespace_is_a_dns_label(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "The namespace Bad_NS is invalid", namespace="Bad_NS")


def test_association_service_account_is_a_dns_subdomain(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "The service account SA! is invalid", serviceAccount="SA!")


def test_association_tags_may_not_use_the_aws_prefix(eks: Any, cluster: Any) -> None:
    create(eks, INVALID, "reserved for AWS use", tags={"aws:x": "1"})


def test_one_association_per_service_account(eks: Any, cluster: Any) -> None:
    eks.create_pod_identity_association(clusterName="demo", namespace="ns", serviceAccount="sa", roleArn=ROLE)
    create(eks, "ResourceInUseException", "Association already exists for namespace ns and service account sa")


def test_associations_need_a_live_cluster(eks: Any) -> None:
    eks.create_cluster(name="demo", roleArn=ROLE, resourcesVpcConfig=VPC)
    create(eks, "InvalidRequestException", "is in CREATING status")


def test_association_update_changes_something(eks: Any, cluster: Any) -> None:
    association_id = eks.create_pod_identity_association(
        clusterName="demo", namespace="ns", serviceAccount="sa", roleArn=ROLE
    )["association"]["associationId"]
    rejects(
        eks.update_pod_identity_association,
        INVALID,
        "At least one of roleArn",
        clusterName="demo",
        associationId=association_id,
    )


def test_missing_association_is_not_found(eks: Any, cluster: Any) -> None:
    rejects(
        eks.describe_pod_identity_association,
        "ResourceNotFoundException",
        "Pod Identity Association a-nope not found",
        clusterName="demo",
        associationId="a-nope",
    )


def test_pod_identity_token_payload_is_json(local_eks: Any, cluster: Any) -> None:
    assume(local_eks, "InvalidTokenException", "payload is not valid JSON", "aGVhZA.bm90IGpzb24.c2ln")


def test_pod_identity_token_names_a_service_account(local_eks: Any, cluster: Any) -> None:
    assume(local_eks, "InvalidTokenException", "token subject must be", jwt(dict(SUBJECT, sub="alice")))


def test_pod_identity_token_is_for_pods_eks(local_eks: Any, cluster: Any) -> None:
    assume(local_eks, "InvalidTokenException", "audience must include", jwt(dict(SUBJECT, aud=["sts.amazonaws.com"])))


def test_pod_identity_token_has_not_expired(local_eks: Any, cluster: Any) -> None:
    assume(local_eks, "ExpiredTokenException", "has expired", jwt(dict(SUBJECT, exp=1)))


def test_pod_identity_needs_an_association(local_eks: Any, cluster: Any) -> None:
    assume(local_eks, "ResourceNotFoundException", "No Pod Identity Association found", jwt(SUBJECT))


def test_updated_association_role_must_be_an_iam_role_arn(eks: Any, cluster: Any) -> None:
    association_id = eks.create_pod_identity_association(
        clusterName="demo", namespace="ns", serviceAccount="sa", roleArn=ROLE
    )["association"]["associationId"]
    rejects(
        eks.update_pod_identity_association,
        INVALID,
        "The roleArn role/x is not a valid IAM role ARN",
        clusterName="demo",
        associationId=association_id,
        roleArn="role/x",
    )
