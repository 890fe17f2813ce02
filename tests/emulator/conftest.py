"""Fixtures for the emulator tests.

``local_eks`` is :class:`eksy.testing.LocalEKS` backed by the extension when it is built
(``eksy._eksy.Emulator``). Until then the same ``LocalEKS`` code (loaded from the source
tree) is backed by the binary of crates/eksy-emulator driven over its HTTP control API
(see :func:`emulator_binary`).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from emulator_support import HAVE_EXTENSION, ROLE, SIGV4, VPC, boto_client, emulator_binary

ROOT = Path(__file__).resolve().parents[2]


class SubprocessEmulator:
    """The ``eksy._eksy.Emulator`` interface over the dev binary."""

    def __init__(self, host: str, port: int, region: str, account_id: str | None, timings: dict[str, float] | None):
        binary = emulator_binary()
        assert binary is not None, "neither the extension nor cargo to build the emulator binary"
        cmd = [binary, "--host", host, "--port", str(port), "--region", region]
        if account_id:
            cmd += ["--account-id", account_id]
        for name, seconds in (timings or {}).items():
            cmd += ["--timing", f"{name}={seconds}"]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        assert match, line
        self.endpoint_url = match.group(1)
        self.port = int(self.endpoint_url.rsplit(":", 1)[-1])

    def control(self, command: str, args_json: str) -> str:
        req = urllib.request.Request(
            f"{self.endpoint_url}/_eksy/control/{command}",
            data=args_json.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req) as resp:
                return resp.read().decode()
        except urllib.error.HTTPError as e:
            raise ValueError(json.loads(e.read())["message"]) from None

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(10)


def _load_testing_module() -> Any:
    if HAVE_EXTENSION:
        import eksy.testing

        return eksy.testing
    spec = importlib.util.spec_from_file_location("_eksy_testing_src", ROOT / "python/eksy/testing/_local.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module._start_emulator = SubprocessEmulator
    return module


testing = _load_testing_module()
LocalEKS = testing.LocalEKS


@pytest.fixture
def local_eks() -> Iterator[Any]:
    with LocalEKS() as emulator:
        yield emulator


@pytest.fixture
def eks(local_eks: Any) -> Iterator[Any]:
    """A boto3 client whose every successful response is checked for the output shape's
    required members, recursively: what botocore parses must be complete."""
    client = boto_client(local_eks)
    missing: list[str] = []

    def check(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if http_response.status_code < 300 and model.output_shape is not None:
            missing.extend(f"{model.name}: {m}" for m in missing_required(model.output_shape, parsed, ""))

    client.meta.events.register("after-call.eks", check)
    yield client
    assert not missing, f"responses lacked required members: {missing}"


def missing_required(shape: Any, value: Any, path: str) -> list[str]:
    """Paths of required structure members absent from a parsed value."""
    found: list[str] = []
    if shape.type_name == "structure" and isinstance(value, dict):
        found += [f"{path}{name}" for name in shape.required_members if name not in value]
        for name, member in shape.members.items():
            if name in value:
                found += missing_required(member, value[name], f"{path}{name}.")
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            found += missing_required(shape.member, item, f"{path}[{index}].")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            found += missing_required(shape.value, item, f"{path}{key}.")
    return found


@pytest.fixture
def slow_lifecycles(local_eks: Any) -> None:
    """Every lifecycle transition takes ten minutes, so intermediate states are stable under any
    load; the tests that use it move the clock explicitly."""
    local_eks.set_timings(all=600)


@pytest.fixture
def make_cluster(local_eks: Any, eks: Any) -> Callable[..., dict[str, Any]]:
    """Creates a cluster and advances the clock past its creation; the ACTIVE cluster."""

    def make(name: str = "demo", **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("roleArn", ROLE)
        kwargs.setdefault("resourcesVpcConfig", VPC)
        # The API's default authentication mode is CONFIG_MAP; most tests use access entries.
        kwargs.setdefault("accessConfig", {"authenticationMode": "API_AND_CONFIG_MAP"})
        eks.create_cluster(name=name, **kwargs)
        local_eks.advance(3600)
        return dict(eks.describe_cluster(name=name)["cluster"])

    return make


@pytest.fixture
def active(local_eks: Any) -> Callable[[], None]:
    """Settles every pending lifecycle transition by advancing the clock an hour."""
    return lambda: local_eks.advance(3600) and None


@pytest.fixture
def raw(local_eks: Any) -> Callable[..., tuple[int, dict[str, str], bytes]]:
    """Sends a raw HTTP request to the emulator: (method, path, body, headers) -> (status, headers, body)."""
    import http.client

    def send(method: str, path: str, body: bytes | str = b"", headers: dict[str, str] | None = None, auth: bool = True):
        conn = http.client.HTTPConnection("127.0.0.1", local_eks.port, timeout=10)
        hdrs = dict(headers or {})
        if auth:
            hdrs.setdefault("Authorization", SIGV4)
            hdrs.setdefault("X-Amz-Date", "20250101T000000Z")
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        result = (resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        conn.close()
        return result

    return send
