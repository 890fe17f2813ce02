"""get_token and `eksy token` end to end on the emulator: its Kubernetes endpoints verify each
token as aws-iam-authenticator does (signature with the registered secret, host, signed
headers, age), and its STS answers AssumeRole for `role_arn`."""

from __future__ import annotations

import base64
import http.client
import json
import os
import ssl
import subprocess
import sys
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import eksy
import pytest
from eksy.kube import async_get_token, get_token
from eksy.testing import LocalEKS
from kube.conftest import EMULATOR_REGION, url_of

pytestmark = pytest.mark.usefixtures("token_env")

CLUSTER = "prod"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"
TESTING = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"


def active_cluster(local: LocalEKS, *roles: str) -> dict[str, str]:
    """An ACTIVE cluster whose endpoint lets each of ``roles`` view it; endpoint and CA PEM."""
    eks = local.client()
    eks.create_cluster(
        name=CLUSTER,
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
        resources_vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]},
        # Access entries need an API mode; the API's default is CONFIG_MAP.
        access_config={"authentication_mode": "API_AND_CONFIG_MAP"},
    )
    for role in roles:
        eks.create_access_entry(cluster_name=CLUSTER, principal_arn=role)
        eks.associate_access_policy(
            cluster_name=CLUSTER, principal_arn=role, policy_arn=VIEW, access_scope={"type": "cluster"}
        )
    described = eks.describe_cluster(name=CLUSTER).cluster
    assert described is not None and described.status == "ACTIVE" and described.endpoint
    assert described.certificate_authority is not None and described.certificate_authority.data
    return {"endpoint": described.endpoint, "ca": base64.b64decode(described.certificate_authority.data).decode()}


def who_am_i(cluster: dict[str, str], token: str) -> tuple[int, Any]:
    """POST a SelfSubjectReview over TLS verified against the cluster's CA."""
    parsed = urlparse(cluster["endpoint"])
    context = ssl.create_default_context(cadata=cluster["ca"])
    connection = http.client.HTTPSConnection(parsed.hostname or "", parsed.port, context=context, timeout=30)
    body = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}
    try:
        connection.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw.decode()


def username(cluster: dict[str, str], token: str) -> str:
    status, review = who_am_i(cluster, token)
    assert status == 201, review
    name: str = review["status"]["userInfo"]["username"]
    return name


def assume_role_calls(local: LocalEKS) -> list[dict[str, list[str]]]:
    """The AssumeRole calls the emulator's STS received, as parsed form bodies."""
    calls = []
    for request in local.requests():
        if request["operation"] is None and request["method"] == "POST" and request["path"] == "/":
            form = parse_qs(str(request["body"]))
            if form.get("Action") == ["AssumeRole"]:
                calls.append(form)
    return calls


@pytest.mark.parametrize("sts", ["regional", "emulator"])
def test_the_clusters_endpoint_accepts_the_token(token_local: LocalEKS, sts: str) -> None:
    cluster = active_cluster(token_local)
    endpoint = token_local.endpoint_url if sts == "emulator" else None
    token = get_token(CLUSTER, region=EMULATOR_REGION, endpoint_url=endpoint, **TESTING)
    expected_host = urlparse(token_local.endpoint_url).netloc if endpoint else f"sts.{EMULATOR_REGION}.amazonaws.com"
    assert urlparse(url_of(token.token)).netloc == expected_host
    assert username(cluster, token.token) == f"arn:aws:iam::{ACCOUNT}:user/testing"


def test_a_token_for_another_cluster_or_other_secret_is_refused(token_local: LocalEKS) -> None:
    cluster = active_cluster(token_local)
    other = get_token("staging", region=EMULATOR_REGION, **TESTING)
    assert who_am_i(cluster, other.token)[0] == 401
    wrong = get_token(CLUSTER, region=EMULATOR_REGION, aws_access_key_id="testing", aws_secret_access_key="nope")
    assert who_am_i(cluster, wrong.token)[0] == 401


def test_role_arn_signs_with_the_assumed_role(token_local: LocalEKS) -> None:
    cluster = active_cluster(token_local, ROLE)
    token = get_token(CLUSTER, region=EMULATOR_REGION, role_arn=ROLE, endpoint_url=token_local.endpoint_url, **TESTING)
    assert username(cluster, token.token) == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/EKSGetTokenAuth"
    [call] = assume_role_calls(token_local)
    assert call["RoleArn"] == [ROLE] and call["RoleSessionName"] == ["EKSGetTokenAuth"] and "ExternalId" not in call
    credential = parse_qs(urlparse(url_of(token.token)).query)["X-Amz-Credential"][0]
    assert not credential.startswith("testing/")  # signed with the role's keys, not the caller's


def test_session_name_and_external_id(token_local: LocalEKS, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = active_cluster(token_local, ROLE)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", token_local.endpoint_url)  # as mock_eks and users point at it
    token = get_token(
        CLUSTER, region=EMULATOR_REGION, role_arn=ROLE, role_session_name="ci-run", external_id="ext-42", **TESTING
    )
    assert username(cluster, token.token) == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci-run"
    [call] = assume_role_calls(token_local)
    assert call["RoleSessionName"] == ["ci-run"] and call["ExternalId"] == ["ext-42"]


def test_assumed_credentials_are_reused_until_15_minutes_before_they_expire(token_local: LocalEKS) -> None:
    active_cluster(token_local, ROLE)
    role = {"role_arn": ROLE, "endpoint_url": token_local.endpoint_url, **TESTING}
    start = time.time()
    first = get_token(CLUSTER, region=EMULATOR_REGION, _now=start, **role)
    assert len(assume_role_calls(token_local)) == 1
    # The emulator's sessions last 3600 s from its clock (which is the real one here).
    expires = token_local.now() + 3600
    reused = get_token(CLUSTER, region=EMULATOR_REGION, _now=expires - 15 * 60 - 30, **role)
    assert len(assume_role_calls(token_local)) == 1
    assert _credential(reused.token) == _credential(first.token)
    renewed = get_token(CLUSTER, region=EMULATOR_REGION, _now=expires - 15 * 60 + 30, **role)
    assert len(assume_role_calls(token_local)) == 2
    assert _credential(renewed.token) != _credential(first.token)
    # Another session name, or other caller credentials, is another role session.
    get_token(CLUSTER, region=EMULATOR_REGION, role_session_name="other", **role)
    other_caller = {**role, "aws_access_key_id": "AKIDOTHER", "aws_secret_access_key": "other"}
    get_token(CLUSTER, region=EMULATOR_REGION, **other_caller)
    assert len(assume_role_calls(token_local)) == 4


def _credential(token: str) -> str:
    return parse_qs(urlparse(url_of(token)).query)["X-Amz-Credential"][0].split("/")[0]


async def test_async_role_arn(token_local: LocalEKS) -> None:
    cluster = active_cluster(token_local, ROLE)
    token = await async_get_token(
        CLUSTER,
        region=EMULATOR_REGION,
        role_arn=ROLE,
        role_session_name="async",
        endpoint_url=token_local.endpoint_url,
        **TESTING,
    )
    assert username(cluster, token.token) == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/async"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"role_arn": f"arn:aws:iam::{ACCOUNT}:user/not-a-role"}, "not a valid IAM role ARN"),
        ({"role_arn": ROLE, "role_session_name": "x"}, "roleSessionName"),
    ],
)
def test_sts_refusals_are_service_errors_without_secrets(
    token_local: LocalEKS, kwargs: dict[str, str], words: str
) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    with pytest.raises(eksy.ServiceError) as caught:
        get_token(
            CLUSTER,
            region=EMULATOR_REGION,
            endpoint_url=token_local.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key=secret,
            **kwargs,
        )
    error = caught.value
    assert error.code == "ValidationError" and error.operation == "AssumeRole" and error.status_code == 400
    assert words in str(error)
    assert secret not in str(error) + repr(error)


def test_eksy_token_with_a_role_through_the_emulator(token_local: LocalEKS, token_env: Any) -> None:
    cluster = active_cluster(token_local, ROLE)
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL_STS": token_local.endpoint_url,
    }
    args = ["--cluster-name", CLUSTER, "--region", EMULATOR_REGION, "--role-arn", ROLE, "--session-name", "kubectl"]

    def run() -> dict[str, Any]:
        result = subprocess.run(
            [sys.executable, "-m", "eksy", "token", *args], capture_output=True, text=True, timeout=120, env=env
        )
        assert result.returncode == 0, result.stderr
        parsed: dict[str, Any] = json.loads(result.stdout)
        return parsed

    first = run()
    token = first["status"]["token"]
    assert username(cluster, token) == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/kubectl"
    assert run() == first  # from the disk cache: no second AssumeRole, no new signature
    assert len(assume_role_calls(token_local)) == 1
