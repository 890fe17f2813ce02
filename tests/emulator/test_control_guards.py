"""The controls cannot be driven by a web page: only POST with a JSON content type, no browser
Origin, and a Host header that names the emulator (against DNS rebinding)."""

from __future__ import annotations

import http.client
import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"


@pytest.fixture
def local() -> Iterator[LocalEKS]:
    with LocalEKS() as emulator:
        emulator.client().create_cluster(
            name="demo", role_arn=ROLE, resources_vpc_config={"subnet_ids": ["subnet-a", "subnet-b"]}
        )
        yield emulator


def raw(local: LocalEKS, method: str, path: str, headers: dict[str, str] | None = None, body: str = "") -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)
    try:
        connection.request(method, path, body=body.encode() or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


JSON = {"Content-Type": "application/json"}


def test_a_plain_get_cannot_reset(local: LocalEKS) -> None:
    status, body = raw(local, "GET", "/_eksy/control/reset")
    assert status == 405 and "only POST" in json.loads(body)["message"]
    assert local.client().list_clusters().clusters == ["demo"]


def test_a_form_post_cannot_reset(local: LocalEKS) -> None:
    status, _ = raw(local, "POST", "/_eksy/control/reset", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415
    assert local.client().list_clusters().clusters == ["demo"]


def test_a_request_with_a_browser_origin_is_refused(local: LocalEKS) -> None:
    status, body = raw(local, "POST", "/_eksy/control/reset", {**JSON, "Origin": "https://evil.example.com"})
    assert status == 403 and "Origin" in json.loads(body)["message"]
    assert local.client().list_clusters().clusters == ["demo"]


@pytest.mark.parametrize("path", ["/_eksy/control/reset", "/_eksy/", "/_eksy/health"])
def test_a_foreign_host_header_is_refused(local: LocalEKS, path: str) -> None:
    method = "POST" if "control" in path else "GET"
    status, _ = raw(local, method, path, {**JSON, "Host": f"rebound.example.com:{local.port}"})
    assert status == 403
    assert local.client().list_clusters().clusters == ["demo"]


def test_a_proper_control_and_the_page_pass(local: LocalEKS) -> None:
    status, body = raw(local, "POST", "/_eksy/control/now", JSON, "{}")
    assert status == 200 and "now" in json.loads(body)
    status, page = raw(local, "GET", "/", {"Accept": "text/html"})
    assert status == 200 and "demo" in page
    # An SDK's GET / is still an unknown route, answered in JSON as AWS does.
    status, body = raw(local, "GET", "/", {"Accept": "application/json"})
    assert status == 404 and json.loads(body)["message"] == "No operation matches GET /"


def test_binding_beyond_loopback_warns_and_needs_a_token() -> None:
    with pytest.warns(UserWarning, match="beyond loopback"):
        local = LocalEKS(host="0.0.0.0")
    try:
        assert local.control_token and len(local.control_token) == 32
        # From loopback the controls still work without it.
        assert local.now() > 0
    finally:
        local.stop()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with LocalEKS() as quiet:
            assert quiet.control_token is None
