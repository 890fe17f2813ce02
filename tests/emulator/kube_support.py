"""Helpers for the Kubernetes endpoint tests: tokens made by botocore's presigner (the AWS
CLI's way, independent of eksy), HTTPS calls verified against a cluster's CA, kubectl runs."""

from __future__ import annotations

import base64
import datetime
import http.client
import json
import shutil
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlparse

import botocore.session
import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-node"
SUBNETS = ["subnet-1", "subnet-2"]
KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (.ci/run installs it)")


def presigned_token(
    cluster: str | None,
    *,
    region: str = "us-east-1",
    key: str = "testing",
    secret: str = "testing",
    session_token: str | None = None,
    endpoint: str | None = None,
    expires: int = 60,
    at: datetime.datetime | None = None,
) -> str:
    """``k8s-aws-v1.`` + base64url of a presigned GetCallerIdentity URL, as ``aws eks get-token``
    builds it; ``cluster=None`` leaves the ``x-k8s-aws-id`` header out of the signature."""
    session = botocore.session.get_session()
    sts = session.create_client(
        "sts",
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=session_token,
        endpoint_url=endpoint or f"https://sts.{region}.amazonaws.com",
    )

    def inject(request: Any, **_: Any) -> None:
        if cluster is not None:
            request.headers["x-k8s-aws-id"] = cluster

    sts.meta.events.register("before-sign.sts.GetCallerIdentity", inject)
    if at is None:
        url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=expires, HttpMethod="GET")
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=at):
            url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=expires, HttpMethod="GET")
    return token_of(url)


def token_of(url: str) -> str:
    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def url_of(token: str) -> str:
    encoded = token.removeprefix("k8s-aws-v1.")
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


def make_active_cluster(local: LocalEKS, name: str = "demo", **kwargs: Any) -> dict[str, Any]:
    """Creates a cluster (unless it exists) and waits until it is ACTIVE; endpoint and CA.

    It waits in real time rather than moving the emulator clock: tokens age on that clock.
    """
    eks = local.client()
    if name not in eks.list_clusters().clusters:
        # The API's default authentication mode is CONFIG_MAP; these tests use access entries.
        kwargs.setdefault("access_config", {"authentication_mode": "API_AND_CONFIG_MAP"})
        eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS}, **kwargs)
    wait_for(lambda: getattr(eks.describe_cluster(name=name).cluster, "endpoint", None) is not None)
    cluster = eks.describe_cluster(name=name).cluster
    assert cluster is not None and cluster.status == "ACTIVE"
    return {
        "endpoint": cluster.endpoint,
        "ca": base64.b64decode(cluster.certificate_authority.data or "").decode()
        if cluster.certificate_authority
        else "",
        "ca_data": cluster.certificate_authority.data if cluster.certificate_authority else "",
    }


def call(
    endpoint: str,
    ca_pem: str,
    path: str,
    *,
    token: str | None = None,
    method: str = "GET",
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One HTTPS request verified against ``ca_pem``; (status, parsed JSON or text)."""
    parsed = urlparse(endpoint)
    context = ssl.create_default_context(cadata=ca_pem)
    connection = http.client.HTTPSConnection(parsed.hostname or "", parsed.port, context=context, timeout=30)
    all_headers = {"Accept": "application/json", **(headers or {})}
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    try:
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw.decode()


def kubeconfig(tmp_path: Path, cluster: dict[str, Any], token: str, name: str = "kubeconfig") -> Path:
    path = tmp_path / name
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "c", "cluster": {"server": cluster["endpoint"], "certificate-authority-data": cluster["ca_data"]}}
        ],
        "users": [{"name": "u", "user": {"token": token}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    path.write_text(json.dumps(config))
    return path


def kubectl(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert KUBECTL is not None
    return subprocess.run([KUBECTL, "--kubeconfig", str(config), *args], capture_output=True, text=True, timeout=60)


def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)
