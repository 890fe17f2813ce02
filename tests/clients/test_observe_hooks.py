"""``on_call`` hooks and the ``eksy`` loggers (issue 18)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import subprocess
import sys
import threading
import warnings
from typing import Any

import eksy
import pytest
from eksy.testing import LocalEKS

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN/abc+def=="


def options(emulator: LocalEKS, **extra: Any) -> dict[str, Any]:
    return {
        "region": "us-west-2",
        "endpoint_url": emulator.endpoint_url,
        "aws_access_key_id": "AKIDTESTING",
        "aws_secret_access_key": SECRET,
        "aws_session_token": SESSION_TOKEN,
        **extra,
    }


def test_a_hook_sees_each_finished_call(emulator: LocalEKS) -> None:
    records: list[eksy.CallRecord] = []
    eks = eksy.EKS(**options(emulator, on_call=records.append, max_attempts=1))
    response = eks.list_clusters(max_results=5)
    with pytest.raises(eksy.ServiceError):
        eks.describe_cluster(name="secret-looking-name")
    assert len(records) == 2
    ok, failed = records
    assert response.metadata is not None
    assert (ok.service, ok.operation, ok.parameters) == ("eks", "ListClusters", ("max_results",))
    assert (ok.status, ok.attempts, ok.request_id) == (200, 1, response.metadata.request_id)
    assert ok.succeeded and ok.error is None and ok.error_code is None and ok.duration > 0
    assert (failed.operation, failed.parameters, failed.status) == ("DescribeCluster", ("name",), 404)
    assert (failed.error, failed.error_code) == ("ResourceNotFoundException", "ResourceNotFoundException")
    assert not failed.succeeded
    assert "secret-looking-name" not in repr(failed), "parameter names, never their values"
    with pytest.raises(AttributeError):
        ok.status = 500  # type: ignore[misc]


def test_several_hooks_run_in_order_and_a_retried_call_counts_attempts(emulator: LocalEKS) -> None:
    seen: list[tuple[str, int]] = []
    hooks = [lambda r: seen.append(("first", r.attempts)), lambda r: seen.append(("second", r.attempts))]
    eks = eksy.EKS(**options(emulator, on_call=hooks, max_attempts=3))
    emulator.queue_error("ListClusters", "ThrottlingException")
    eks.list_clusters()
    assert seen == [("first", 2), ("second", 2)]


def test_a_raising_hook_is_reported_and_never_breaks_the_call(emulator: LocalEKS) -> None:
    after: list[str] = []

    def broken(record: eksy.CallRecord) -> None:
        raise ValueError("hook bug")

    eks = eksy.EKS(**options(emulator, on_call=[broken, lambda r: after.append(r.operation)]))
    with pytest.warns(RuntimeWarning, match=r"on_call hook .*broken raised.*ValueError: hook bug"):
        assert eks.list_clusters().clusters == []
    assert after == ["ListClusters"], "the hooks after it still run"
    # A failed call still raises its own error, not the hook's.
    with pytest.warns(RuntimeWarning), pytest.raises(eksy.ResourceNotFoundException):
        eks.describe_cluster(name="missing")


def test_async_hooks_run_in_the_awaiting_task(emulator: LocalEKS) -> None:
    request: contextvars.ContextVar[str] = contextvars.ContextVar("request")
    seen: list[tuple[str, str, bool]] = []

    def hook(record: eksy.CallRecord) -> None:
        seen.append((record.operation, request.get("unset"), threading.get_ident() == loop_thread))

    def broken(record: eksy.CallRecord) -> None:
        raise RuntimeError("async hook bug")

    async def one(eks: eksy.AsyncEKS, tag: str) -> None:
        request.set(tag)
        await eks.list_clusters()

    async def main() -> None:
        eks = eksy.AsyncEKS(**options(emulator, on_call=[hook, broken]))
        await asyncio.gather(one(eks, "a"), one(eks, "b"))
        with pytest.raises(eksy.ResourceNotFoundException):
            await eks.describe_cluster(name="missing")

    loop_thread = threading.get_ident()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(main())
    assert sorted(seen) == [
        ("DescribeCluster", "unset", True),
        ("ListClusters", "a", True),
        ("ListClusters", "b", True),
    ]
    assert len([w for w in caught if "async hook bug" in str(w.message)]) == 3


def test_on_call_must_be_callable(emulator: LocalEKS) -> None:
    with pytest.raises(TypeError, match="on_call"):
        eksy.EKS(**options(emulator, on_call=42))
    with pytest.raises(TypeError, match="on_call hooks must be callable"):
        eksy.EKS(**options(emulator, on_call=[print, "not a function"]))


def test_debug_and_retry_lines_hold_no_secret(emulator: LocalEKS, caplog: pytest.LogCaptureFixture) -> None:
    eks = eksy.EKS(**options(emulator, max_attempts=3))
    emulator.queue_error("ListClusters", "ThrottlingException")
    with caplog.at_level(logging.DEBUG, logger="eksy"):
        response = eks.list_clusters()
        with pytest.raises(eksy.ResourceNotFoundException):
            eks.describe_cluster(name="missing")
    ours = [r for r in caplog.records if r.name.startswith("eksy")]
    assert response.metadata is not None
    lines = [(r.name, r.levelno, r.getMessage()) for r in ours]
    assert lines[0] == (
        "eksy.eks",
        logging.INFO,
        "ListClusters: attempt 1 failed with ThrottlingException (HTTP 429); retrying",
    )
    name, level, message = lines[1]
    assert (name, level) == ("eksy.eks", logging.DEBUG)
    assert message.startswith("ListClusters: HTTP 200 in ")
    assert message.endswith(f" ms, 2 attempts, request id {response.metadata.request_id}")
    name, level, message = lines[2]
    assert message.startswith("DescribeCluster: failed with ResourceNotFoundException (HTTP 404) in ")
    assert len(lines) == 3
    everything = caplog.text + "".join(repr(r.__dict__) for r in ours)
    for secret in (SECRET, SESSION_TOKEN, "missing"):
        assert secret not in everything


def test_info_level_logs_retries_only(emulator: LocalEKS, caplog: pytest.LogCaptureFixture) -> None:
    eks = eksy.EKS(**options(emulator, max_attempts=2))
    emulator.queue_error("ListClusters", "ServiceUnavailableException")
    with caplog.at_level(logging.INFO, logger="eksy"):
        eks.list_clusters()
        eks.list_clusters()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("eksy")] == [
        "ListClusters: attempt 1 failed with ServiceUnavailableException (HTTP 503); retrying"
    ]


UNCONFIGURED = """
import logging, sys
import eksy
eks = eksy.EKS(region="us-west-2", endpoint_url=sys.argv[1], aws_access_key_id="AKIDTESTING",
               aws_secret_access_key="testing-secret", max_attempts=3)
eks.list_clusters()
try:
    eks.describe_cluster(name="missing")
except eksy.ResourceNotFoundException:
    pass
assert "eksy._observe" not in sys.modules, "nothing observed the calls"
print("ok")
"""


def test_nothing_is_emitted_when_logging_is_unconfigured(emulator: LocalEKS) -> None:
    emulator.queue_error("ListClusters", "ThrottlingException")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", UNCONFIGURED, emulator.endpoint_url],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")
    assert len(emulator.requests(operation="ListClusters")) == 2, "the call was retried"
