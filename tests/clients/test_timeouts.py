"""No call hangs by default: boto3's timeouts, and waiters that cut the poll in flight at their
deadline (issue 15, item 5)."""

from __future__ import annotations

import asyncio
import math
import socket
import threading
from collections.abc import Iterator
from typing import Any

import eksy
import pytest

CREDENTIALS = {"aws_access_key_id": "AKIDTESTING", "aws_secret_access_key": "testing-secret"}


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """An HTTP endpoint that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            held.append(connection)  # kept open, never read from or written to

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def test_default_timeouts_are_boto3s() -> None:
    client = eksy.EKS(region="us-west-2", **CREDENTIALS)
    assert (client.connect_timeout, client.read_timeout, client.operation_timeout) == (60.0, 60.0, None)
    aclient = eksy.AsyncEKS(region="us-west-2", **CREDENTIALS)
    assert (aclient.connect_timeout, aclient.read_timeout) == (60.0, 60.0)


def test_explicit_timeouts_and_no_limit() -> None:
    client = eksy.EKS(
        region="us-west-2", connect_timeout=1.5, read_timeout=math.inf, operation_timeout=30, **CREDENTIALS
    )
    assert (client.connect_timeout, client.read_timeout, client.operation_timeout) == (1.5, None, 30.0)


@pytest.mark.parametrize("name", ["connect_timeout", "read_timeout", "operation_timeout"])
@pytest.mark.parametrize("value", [0, -1, -0.5, math.nan, -math.inf, 1e300])
def test_bad_timeouts_are_param_validation_errors(name: str, value: float) -> None:
    with pytest.raises(eksy.ParamValidationError) as caught:
        eksy.EKS(region="us-west-2", **{name: value}, **CREDENTIALS)  # type: ignore[arg-type]
    assert caught.value.path == name


@pytest.mark.timeout(30)
def test_a_silent_endpoint_raises_request_timeout_error(silent_endpoint: str) -> None:
    client = eksy.EKS(region="us-west-2", endpoint_url=silent_endpoint, read_timeout=0.5, max_attempts=1, **CREDENTIALS)
    with pytest.raises(eksy.RequestTimeoutError, match="timed out"):
        client.list_clusters()


@pytest.mark.timeout(30)
def test_a_silent_endpoint_raises_request_timeout_error_async(silent_endpoint: str) -> None:
    client = eksy.AsyncEKS(
        region="us-west-2", endpoint_url=silent_endpoint, read_timeout=0.5, max_attempts=1, **CREDENTIALS
    )
    with pytest.raises(eksy.RequestTimeoutError):
        asyncio.run(client.list_clusters())


def check_cut(error: eksy.WaiterTimeoutError) -> None:
    assert error.attempts == 1, "the one poll was cut at the deadline, not waited out"
    assert isinstance(error.last_error, eksy.RequestTimeoutError)
    assert "deadline" in str(error.last_error)
    assert "timeout of 2s reached" in str(error)


# The default read timeout (60 s) would hold the poll far past the test's own limit.
@pytest.mark.timeout(10)
def test_a_waiter_cuts_its_poll_at_the_deadline(silent_endpoint: str) -> None:
    client = eksy.EKS(region="us-west-2", endpoint_url=silent_endpoint, **CREDENTIALS)
    with pytest.raises(eksy.WaiterTimeoutError) as caught:
        client.wait.cluster_active(name="prod", timeout=2)
    check_cut(caught.value)


@pytest.mark.timeout(10)
def test_an_async_waiter_cuts_its_poll_at_the_deadline(silent_endpoint: str) -> None:
    client = eksy.AsyncEKS(region="us-west-2", endpoint_url=silent_endpoint, **CREDENTIALS)

    async def scenario() -> Any:
        with pytest.raises(eksy.WaiterTimeoutError) as caught:
            await client.wait.cluster_active(name="prod", timeout=2)
        return caught.value

    check_cut(asyncio.run(scenario()))


def test_a_deadline_is_taken_by_one_call_only(silent_endpoint: str) -> None:
    from eksy._eksy import ClientCore

    ClientCore._deadline_next_call(0.0)
    ClientCore._deadline_next_call(None)  # what a waiter does when its call was not eksy's
    client = eksy.EKS(region="us-west-2", endpoint_url=silent_endpoint, read_timeout=0.3, max_attempts=1, **CREDENTIALS)
    with pytest.raises(eksy.RequestTimeoutError, match="timed out"):  # the read timeout, not a deadline
        client.list_clusters()
