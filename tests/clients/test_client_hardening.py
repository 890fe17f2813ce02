"""The smaller client-side items of issue 15 (item 8): odd responses, credentials errors that say
why, and configuration refused at construction with the argument named."""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import eksy
import pytest
from eksy.testing import LocalEKS

CREDENTIALS = {"aws_access_key_id": "AKIDTESTING", "aws_secret_access_key": "testing-secret"}
UTC = timezone.utc


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (3e11, datetime.max.replace(tzinfo=UTC)),  # year 11476
        (-1e12, datetime.min.replace(tzinfo=UTC)),
        (253_402_300_799.5, datetime.max.replace(tzinfo=UTC)),  # the last second of year 9999
        (1_700_000_000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
    ],
)
def test_timestamps_outside_pythons_range_are_clamped(
    emulator: LocalEKS, eks: eksy.EKS, seconds: float, expected: datetime
) -> None:
    emulator.queue_response("DescribeCluster", body={"cluster": {"name": "c", "createdAt": seconds}})
    cluster = eks.describe_cluster(name="c").cluster
    assert cluster is not None and cluster.created_at == expected


def test_a_success_that_cannot_be_parsed_says_so(emulator: LocalEKS, eks: eksy.EKS) -> None:
    emulator.queue_response("DescribeCluster", body={"cluster": "not an object"})
    with pytest.raises(eksy.ResponseParseError) as caught:
        eks.describe_cluster(name="c")
    error = caught.value
    assert not isinstance(error, eksy.ServiceError) and isinstance(error, eksy.ClientSideError)
    assert (error.operation, error.status_code) == ("DescribeCluster", 200)
    assert error.request_id
    assert "answered HTTP 200 but its body could not be read" in str(error)
    restored = pickle.loads(pickle.dumps(error))
    assert (type(restored), restored.status_code, str(restored)) == (type(error), 200, str(error))


@pytest.fixture
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path / "config"


def credentials_error(profile: str) -> str:
    client = eksy.EKS(region="us-west-2", profile=profile, endpoint_url="http://127.0.0.1:1", max_attempts=1)
    with pytest.raises(eksy.NoCredentialsError) as caught:
        client.list_clusters()
    return str(caught.value)


def test_no_credentials_error_keeps_the_providers_reason(no_ambient_credentials: Path) -> None:
    no_ambient_credentials.write_text(
        "[profile broken]\ncredential_process = sh -c 'echo sso-session-expired >&2; exit 3'\n"
    )
    failing = credentials_error("broken")
    missing = credentials_error("missing")
    assert "AWS_ACCESS_KEY_ID" in failing and "AWS_ACCESS_KEY_ID" in missing, "both still say what to do"
    assert "external process exited" in failing and "sso-session-expired" in failing
    assert "profile `missing` was not defined" in missing
    assert "dispatch failure" not in failing + missing


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://example.com", "http://", "http://exa mple.com", "127.0.0.1:9566", ""]
)
def test_an_invalid_endpoint_url_is_refused_at_construction(url: str) -> None:
    with pytest.raises(eksy.ParamValidationError) as caught:
        eksy.EKS(region="us-west-2", endpoint_url=url, **CREDENTIALS)
    assert caught.value.path == "endpoint_url"
    assert "must be an http:// or https:// URL" in str(caught.value)
    assert "Uri" not in str(caught.value) and "{" not in str(caught.value), "no Rust debug dump"


def test_a_password_in_the_endpoint_url_never_shows(emulator: LocalEKS) -> None:
    password = "pw-Secret-123"
    url = emulator.endpoint_url.replace("http://", f"http://user:{password}@")
    client = eksy.EKS(region="us-west-2", endpoint_url=url, **CREDENTIALS)
    assert client.list_clusters().clusters == [], "the endpoint still works"
    assert client.endpoint_url == emulator.endpoint_url.replace("http://", "http://user:***@")
    assert password not in repr(client)
    with socket.socket() as probe:  # a port nothing listens on, for a connection error
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = eksy.EKS(
        region="us-west-2", endpoint_url=f"http://user:{password}@127.0.0.1:{port}", max_attempts=1, **CREDENTIALS
    )
    with pytest.raises(eksy.EndpointConnectionError) as caught:
        closed.list_clusters()
    assert password not in str(caught.value) and password not in repr(closed)


@pytest.mark.parametrize("value", [-1, 0, 2**32, 2**70])
def test_max_attempts_out_of_range_is_param_validation_error(value: int) -> None:
    with pytest.raises(eksy.ParamValidationError) as caught:
        eksy.EKS(region="us-west-2", max_attempts=value, **CREDENTIALS)
    assert caught.value.path == "max_attempts"


@pytest.mark.parametrize("value", ["3", 2.0, True])
def test_max_attempts_of_another_type_is_type_error(value: Any) -> None:
    with pytest.raises(TypeError, match="max_attempts must be an int"):
        eksy.EKS(region="us-west-2", max_attempts=value, **CREDENTIALS)


def test_other_bad_configuration_names_the_argument() -> None:
    with pytest.raises(eksy.ParamValidationError) as caught:
        eksy.EKS(region="us-west-2", retry_mode="sometimes")  # type: ignore[arg-type]
    assert caught.value.path == "retry_mode"
    with pytest.raises(eksy.ParamValidationError) as caught:
        eksy.EKS(region="us-west-2", aws_access_key_id="only-the-key")
    assert caught.value.path == "aws_secret_access_key"
    with pytest.raises(eksy.ParamValidationError) as caught:
        eksy.EKS(region="us-west-2", aws_secret_access_key="only-the-secret")
    assert caught.value.path == "aws_access_key_id"


LOOP_CLOSED_WITH_CALLS_IN_FLIGHT = """
import asyncio, time
from eksy.testing import LocalEKS
with LocalEKS() as local:
    local.set_latency(0.3)
    client = local.async_client()
    loop = asyncio.new_event_loop()
    async def start():
        return [asyncio.ensure_future(client.list_clusters()) for _ in range(20)]
    tasks = loop.run_until_complete(start())
    loop.run_until_complete(asyncio.sleep(0.05))
    loop.close()  # with the 20 calls still pending (asyncio itself warns that tasks were destroyed)
    time.sleep(1.0)  # the calls finish in Rust after their loop is gone
print("exited cleanly")
"""


def test_closing_a_loop_with_calls_in_flight_prints_no_traceback() -> None:
    run = subprocess.run(
        [sys.executable, "-c", LOOP_CLOSED_WITH_CALLS_IN_FLIGHT], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and "exited cleanly" in run.stdout, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "Event loop is closed" not in run.stderr, run.stderr[-2000:]
