"""EKS Auth through boto3: AssumeRoleForPodIdentity against pod identity associations."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from emulator_support import ROLE, boto_client, error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


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
