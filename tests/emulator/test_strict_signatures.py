"""Strict mode: every request's SigV4 signature is verified against the identities the emulator
knows; a correctly signed boto3, eksy or AWS CLI request passes, the rest are refused with the
codes AWS gives. The permissive default accepts any well-formed signature."""

from __future__ import annotations

import datetime
import http.server
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import botocore.exceptions
import eksy
import pytest
from eksy.testing import LocalEKS
from emulator_support import ROLE


@pytest.fixture
def local() -> Iterator[LocalEKS]:
    with LocalEKS(strict=True) as emulator:
        yield emulator


def boto(local: LocalEKS, key: str = "testing", secret: str = "testing", **extra: Any) -> Any:
    return boto3.client(
        "eks",
        endpoint_url=local.endpoint_url,
        region_name=local.region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        **extra,
    )


def boto_error(call: Any) -> tuple[str, int, str]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    error = info.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


def eksy_client(local: LocalEKS, key: str, secret: str, **extra: Any) -> eksy.EKS:
    return eksy.EKS(
        region=local.region,
        endpoint_url=local.endpoint_url,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        max_attempts=1,
        **extra,
    )


def test_correctly_signed_requests_pass(local: LocalEKS) -> None:
    assert boto(local).list_clusters()["clusters"] == []
    assert local.client().list_clusters().clusters == []
    alice = local.add_identity("arn:aws:iam::123456789012:user/alice")
    local.client(alice).create_cluster(
        name="demo", role_arn=ROLE, resources_vpc_config={"subnet_ids": ["subnet-a", "subnet-b"]}
    )
    assert boto(local, alice.access_key_id, alice.secret_access_key).describe_cluster(name="demo")["cluster"]
    # Path labels that need encoding and query strings are signed and verified too.
    assert boto(local).list_nodegroups(clusterName="demo", maxResults=5)["nodegroups"] == []


def test_wrong_secret(local: LocalEKS) -> None:
    code, status, message = boto_error(lambda: boto(local, secret="wrong").list_clusters())
    assert (code, status) == ("InvalidSignatureException", 403)
    assert "signature we calculated does not match" in message
    with pytest.raises(eksy.ServiceError) as info:
        eksy_client(local, "testing", "wrong").list_clusters()
    assert (info.value.code, info.value.status_code) == ("InvalidSignatureException", 403)
    assert "wrong" not in str(info.value)


def test_unknown_access_key(local: LocalEKS) -> None:
    code, status, message = boto_error(lambda: boto(local, key="AKIANOBODY").list_clusters())
    assert (code, status) == ("UnrecognizedClientException", 403)
    assert message == "The security token included in the request is invalid."
    with pytest.raises(eksy.ServiceError) as info:
        eksy_client(local, "AKIANOBODY", "x").list_clusters()
    assert info.value.code == "UnrecognizedClientException"


def test_tampered_body_and_header(local: LocalEKS) -> None:
    def tamper_body(request: Any, **_: Any) -> None:
        request.body = request.body.replace(b"demo", b"evil")

    client = boto(local)
    client.meta.events.register_first("before-send.eks.CreateCluster", tamper_body)
    code, status, _ = boto_error(
        lambda: client.create_cluster(
            name="demo", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-a", "subnet-b"]}
        )
    )
    assert (code, status) == ("InvalidSignatureException", 403)

    def tamper_header(request: Any, **_: Any) -> None:
        # A signed header: one second later is still within the skew, but not what was signed.
        value = request.headers["X-Amz-Date"]
        text = value.decode() if isinstance(value, bytes) else value
        signed = datetime.datetime.strptime(text, "%Y%m%dT%H%M%SZ")
        request.headers["X-Amz-Date"] = (signed + datetime.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")

    client = boto(local)
    client.meta.events.register_first("before-send.eks.ListClusters", tamper_header)
    assert boto_error(client.list_clusters)[0] == "InvalidSignatureException"
    assert local.client().list_clusters().clusters == []


class _TamperingProxy(http.server.BaseHTTPRequestHandler):
    """An HTTP proxy that changes one byte of every body on its way (for eksy's requests)."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).replace(b"demo", b"evil")
        request = urllib.request.Request(self.path, data=body, method="POST")
        for name, value in self.headers.items():
            if name.lower() not in ("content-length", "proxy-connection", "connection"):
                request.add_header(name, value)
        try:
            with urllib.request.urlopen(request) as response:
                status, payload, headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, payload, headers = error.code, error.read(), error.headers
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


EKSY_THROUGH_PROXY = """
import sys, eksy
eks = eksy.EKS(region="us-east-1", endpoint_url=sys.argv[1], aws_access_key_id="testing",
               aws_secret_access_key="testing", max_attempts=1)
try:
    eks.create_cluster(name="demo", role_arn="arn:aws:iam::123456789012:role/r",
                       resources_vpc_config={"subnet_ids": ["subnet-a", "subnet-b"]})
except eksy.ServiceError as error:
    print(error.code)
"""


def test_tampered_body_through_a_proxy_for_eksy(local: LocalEKS) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TamperingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # eksy reads proxy settings once per process, so the client runs in its own.
        env = {**os.environ, "HTTP_PROXY": f"http://127.0.0.1:{server.server_address[1]}", "NO_PROXY": ""}
        result = subprocess.run(
            [sys.executable, "-c", EKSY_THROUGH_PROXY, local.endpoint_url],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.stdout.strip() == "InvalidSignatureException", result.stderr
    finally:
        server.shutdown()
        server.server_close()
    assert local.client().list_clusters().clusters == []


def test_date_outside_the_allowed_skew(local: LocalEKS) -> None:
    late = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=10)
    with mock.patch("botocore.auth.get_current_datetime", return_value=late):
        code, status, message = boto_error(lambda: boto(local).list_clusters())
    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith("Signature expired:") and "is now earlier than" in message
    early = late + datetime.timedelta(minutes=20)
    with mock.patch("botocore.auth.get_current_datetime", return_value=early):
        code, _, message = boto_error(lambda: boto(local).list_clusters())
    assert code == "InvalidSignatureException" and "not yet current" in message


def test_sts_in_strict_mode(local: LocalEKS) -> None:
    sts = boto3.client(
        "sts",
        endpoint_url=local.endpoint_url,
        region_name=local.region,
        aws_access_key_id="testing",
        aws_secret_access_key="wrong",
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sts.get_caller_identity()
    assert info.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_aws_cli_passes_and_a_wrong_secret_fails(local: LocalEKS) -> None:
    def run(secret: str) -> subprocess.CompletedProcess[str]:
        env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_DEFAULT_REGION": local.region,
            "PATH": "/usr/bin:/bin:/usr/local/bin:" + str(shutil.which("aws")).rsplit("/", 1)[0],
            "HOME": "/tmp",
        }
        return subprocess.run(
            ["aws", "eks", "list-clusters", "--endpoint-url", local.endpoint_url],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    assert run("testing").returncode == 0
    failed = run("wrong")
    assert failed.returncode != 0 and "InvalidSignatureException" in failed.stderr


def test_permissive_by_default_and_switchable() -> None:
    with LocalEKS() as local:
        assert boto(local, key="anything", secret="at-all").list_clusters()["clusters"] == []
        assert local.set_strict(True) is True
        assert boto_error(lambda: boto(local, key="anything", secret="at-all").list_clusters())[0] == (
            "UnrecognizedClientException"
        )
        assert local.set_strict(False) is False
