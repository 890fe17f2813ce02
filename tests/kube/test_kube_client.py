"""kubernetes_client: the official client, configured from describe_cluster, with eksy's tokens
renewed in-process.

The API server here is a small HTTPS server with its own CA (made with the openssl command) that
checks each bearer token's age from the X-Amz-Date signed into it, as EKS does. Tokens are minted
on a test clock that the server shares, so expiry is reached by moving the clock, not by waiting.
The emulator's own Kubernetes endpoint is used in test_kube_end_to_end.py.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import ssl
import stat
import subprocess
import sys
import threading
import types
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import eksy.kube._client as client_module
import eksy.kube._token as token_module
import kubernetes.client
import pytest
from eksy.kube import KubeconfigError, kubernetes_client
from eksy.testing import LocalEKS
from kube._fixtures import CLUSTER, REGION, emulator, isolated, local
from kubernetes.client.exceptions import ApiException

__all__ = ["emulator", "isolated", "local"]  # fixtures

pytestmark = [
    pytest.mark.usefixtures("isolated"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a test CA"),
]

START = 1_800_000_000.0
ARN = f"arn:aws:eks:{REGION}:123456789012:cluster/{CLUSTER}"


# -- a CA, an API server that checks token age, and a shared clock ------------------------------


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(directory: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, server.pem, server.key)."""
    directory.mkdir()
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", f"/CN={name}",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=directory)  # fmt: skip
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=directory)
    (directory / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
    )
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf", cwd=directory)  # fmt: skip
    return directory / "ca.pem", directory / "server.pem", directory / "server.key"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def advance(self, seconds: float) -> None:
        self.now += seconds


def token_signed_at(token: str) -> float:
    """The X-Amz-Date of the presigned STS URL inside an EKS token, as epoch seconds."""
    assert token.startswith("k8s-aws-v1.")
    payload = token[len("k8s-aws-v1.") :]
    url = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    query = parse_qs(urlsplit(url).query)
    assert query["Action"] == ["GetCallerIdentity"] and query["X-Amz-SignedHeaders"] == ["host;x-k8s-aws-id"]
    signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    return signed.timestamp()


class ApiServer(ThreadingHTTPServer):
    """Answers /version and /api/v1/nodes to tokens at most ``max_token_age`` seconds old, else 401."""

    daemon_threads = True

    def __init__(self, clock: Clock, cert: Path, key: Path) -> None:
        super().__init__(("127.0.0.1", 0), ApiHandler)
        self.clock = clock
        self.max_token_age = 15 * 60.0
        self.seen: list[tuple[str, str | None, int]] = []  # (path, token, status)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)

    @property
    def endpoint(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}"

    def statuses(self) -> list[int]:
        return [status for _, _, status in self.seen]

    def tokens(self) -> list[str | None]:
        return [token for _, token, _ in self.seen]


class ApiHandler(BaseHTTPRequestHandler):
    server: ApiServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        header = self.headers.get("Authorization", "")
        token = header[len("Bearer ") :] if header.startswith("Bearer ") else None
        fresh = token is not None and self.server.clock.now - token_signed_at(token) <= self.server.max_token_age
        status = 200 if fresh else 401
        self.server.seen.append((self.path, token, status))
        if not fresh:
            body: Any = {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "reason": "Unauthorized",
                "code": 401,
            }
        elif self.path.rstrip("/") == "/version":
            body = {
                "major": "1",
                "minor": "33",
                "gitVersion": "v1.33.0-eks",
                "gitCommit": "0" * 40,
                "gitTreeState": "clean",
                "buildDate": "2026-01-01T00:00:00Z",
                "goVersion": "go1.24",
                "compiler": "gc",
                "platform": "linux/amd64",
            }
        else:
            body = {"kind": "NodeList", "apiVersion": "v1", "metadata": {}, "items": [{"metadata": {"name": "node-1"}}]}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Path]]:
    root = tmp_path_factory.mktemp("pki")
    return {"cluster": make_ca(root / "cluster", "cluster-ca"), "other": make_ca(root / "other", "other-ca")}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    real_get_token = token_module.get_token
    minted: list[float] = []

    def get_token_on_the_clock(*args: Any, **kwargs: Any) -> token_module.Token:
        minted.append(clock.now)
        return real_get_token(*args, **kwargs, _now=clock.now)

    monkeypatch.setattr(token_module, "get_token", get_token_on_the_clock)
    monkeypatch.setattr(client_module, "_now", lambda: datetime.fromtimestamp(clock.now, tz=timezone.utc))
    clock.minted = minted  # type: ignore[attr-defined]
    return clock


@pytest.fixture
def server(clock: Clock, certificates: dict[str, tuple[Path, Path, Path]]) -> Iterator[ApiServer]:
    _, cert, key = certificates["cluster"]
    api_server = ApiServer(clock, cert, key)
    thread = threading.Thread(target=api_server.serve_forever, daemon=True)
    thread.start()
    yield api_server
    api_server.shutdown()
    api_server.server_close()


def describe_as(local: LocalEKS, server: ApiServer, ca: Path, status: str = "ACTIVE") -> None:
    """The emulator answers the next describe_cluster with this cluster, served by ``server``."""
    cluster = {
        "name": CLUSTER,
        "arn": ARN,
        "status": status,
        "endpoint": server.endpoint,
        "certificateAuthority": {"data": base64.b64encode(ca.read_bytes()).decode()},
    }
    local.queue_response("DescribeCluster", {"cluster": cluster})


def new_client(local: LocalEKS) -> Any:
    return kubernetes_client(CLUSTER, region=REGION, endpoint_url=local.endpoint_url)


def git_version(api: Any) -> str:
    return str(kubernetes.client.VersionApi(api).get_code().git_version)


# -- behaviour ---------------------------------------------------------------------------------


def test_calls_the_api_over_verified_tls_with_an_eks_token(
    local: LocalEKS, server: ApiServer, certificates: dict[str, tuple[Path, Path, Path]]
) -> None:
    describe_as(local, server, certificates["cluster"][0])
    api = new_client(local)
    assert isinstance(api, kubernetes.client.ApiClient)
    assert git_version(api) == "v1.33.0-eks"
    nodes = kubernetes.client.CoreV1Api(api).list_node()
    assert [node.metadata.name for node in nodes.items] == ["node-1"]
    assert server.statuses() == [200, 200]
    assert server.tokens()[0] == server.tokens()[1] and token_signed_at(server.tokens()[0] or "") == START
    assert [request["operation"] for request in local.requests()] == ["DescribeCluster"]


def test_token_is_renewed_before_it_expires_with_no_new_client(
    local: LocalEKS, server: ApiServer, clock: Clock, certificates: dict[str, tuple[Path, Path, Path]]
) -> None:
    describe_as(local, server, certificates["cluster"][0])
    api = new_client(local)
    git_version(api)
    clock.advance(12 * 60)  # 2 minutes before expires_at: still the same token
    git_version(api)
    clock.advance(61)  # within a minute of expires_at: renewed before sending
    git_version(api)
    clock.advance(14 * 60)  # and again, one lifetime later
    git_version(api)

    assert server.statuses() == [200, 200, 200, 200]  # never a 401: renewed ahead of expiry
    signed = [token_signed_at(token or "") for token in server.tokens()]
    assert signed == [START, START, START + 12 * 60 + 61, START + 26 * 60 + 61]
    assert clock.minted == [START, START + 12 * 60 + 61, START + 26 * 60 + 61]  # type: ignore[attr-defined]


def test_a_401_gets_a_fresh_token_and_one_retry(
    local: LocalEKS, server: ApiServer, clock: Clock, certificates: dict[str, tuple[Path, Path, Path]]
) -> None:
    describe_as(local, server, certificates["cluster"][0])
    api = new_client(local)
    server.max_token_age = 5  # the server accepts much younger tokens than the client assumes
    clock.advance(10)

    assert git_version(api) == "v1.33.0-eks"

    assert server.statuses() == [401, 200]
    first, retried = server.tokens()
    assert first != retried and token_signed_at(retried or "") == START + 10
    git_version(api)  # the fresh token is kept
    assert server.statuses() == [401, 200, 200] and server.tokens()[2] == retried


def test_a_second_401_is_raised_not_retried_again(
    local: LocalEKS, server: ApiServer, clock: Clock, certificates: dict[str, tuple[Path, Path, Path]]
) -> None:
    describe_as(local, server, certificates["cluster"][0])
    api = new_client(local)
    server.max_token_age = -1  # nothing is accepted
    with pytest.raises(ApiException) as caught:
        git_version(api)
    assert caught.value.status == 401
    assert server.statuses() == [401, 401]


def test_threads_renew_an_expired_token_once(
    local: LocalEKS, server: ApiServer, clock: Clock, certificates: dict[str, tuple[Path, Path, Path]]
) -> None:
    describe_as(local, server, certificates["cluster"][0])
    api = new_client(local)
    clock.advance(14 * 60)
    with ThreadPoolExecutor(max_workers=8) as pool:
        versions = list(pool.map(lambda _: git_version(api), range(16)))
    assert versions == ["v1.33.0-eks"] * 16
    assert clock.minted == [START, START + 14 * 60]  # type: ignore[attr-defined]
    assert set(server.statuses()) == {200}


def test_the_server_must_present_a_certificate_of_the_clusters_ca(
    local: LocalEKS, server: ApiServer, certificates: dict[str, tuple[Path, Path, Path]]
) -> None:
    describe_as(local, server, certificates["other"][0])
    api = new_client(local)
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        git_version(api)
    assert server.seen == []  # the token never reached a server that failed verification


def test_uses_no_subprocess_and_no_kubeconfig(
    local: LocalEKS,
    server: ApiServer,
    certificates: dict[str, tuple[Path, Path, Path]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    def no_subprocess(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"started a process: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-such-kubeconfig"))
    describe_as(local, server, certificates["cluster"][0])
    assert git_version(new_client(local)) == "v1.33.0-eks"
    assert not (tmp_path / "no-such-kubeconfig").exists()


def test_cluster_that_is_not_active_is_refused(
    local: LocalEKS, server: ApiServer, certificates: dict[str, tuple[Path, Path, Path]]
) -> None:
    describe_as(local, server, certificates["cluster"][0], status="CREATING")
    with pytest.raises(KubeconfigError, match="is CREATING"):
        new_client(local)


def test_missing_kubernetes_package_names_the_extra(local: LocalEKS, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "kubernetes", None)
    monkeypatch.setitem(sys.modules, "kubernetes.client", None)
    with pytest.raises(ImportError, match=r"pip install 'eksy\[kubernetes\]'"):
        new_client(local)
    assert local.requests() == []  # nothing is asked of AWS first


def test_ca_goes_to_a_private_file_for_clients_without_ca_cert_data(
    certificates: dict[str, tuple[Path, Path, Path]],
) -> None:
    older_configuration = types.SimpleNamespace(ssl_ca_cert=None)
    pem = certificates["cluster"][0].read_text()
    path = client_module._trust(older_configuration, pem)
    assert path is not None and older_configuration.ssl_ca_cert == path
    try:
        assert Path(path).read_text() == pem
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        client_module._remove(path)
    assert not os.path.exists(path)


def test_token_source_repr_shows_no_token(clock: Clock) -> None:
    source = client_module.TokenSource(
        lambda: token_module.get_token(CLUSTER, region=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    )
    token = source.current()
    assert token.startswith("k8s-aws-v1.") and token not in repr(source) and "expires_at" in repr(source)
