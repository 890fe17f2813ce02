"""Waiters over scripted fake clients: acceptors, timeouts, throttling, interruption, errors,
progress and cleanup, sync and async."""

from __future__ import annotations

import _thread
import asyncio
import math
import pickle
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from eksy import EksError, ServiceError, WaiterError, WaiterTimeoutError
from eksy._errors import EndpointConnectionError, NoCredentialsError, RequestTimeoutError
from eksy._generated import waiters
from eksy._generated.eks_models import Cluster, DescribeClusterResponse
from eksy._generated.errors import AccessDeniedException, ResourceNotFoundException, ThrottlingException
from eksy._wait import (
    Acceptor,
    WaiterSpec,
    _options,
    acceptor_matches,
    backoff,
    is_transient,
    search,
)
from eksy.progress import WaitProgress


def cluster(status: str) -> DescribeClusterResponse:
    return DescribeClusterResponse(cluster=Cluster(name="prod", status=status))


def not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException("No cluster found", code="ResourceNotFoundException", status_code=404)


class Script:
    """describe_cluster answering the given statuses (or raising the given errors) in turn; the
    last step repeats."""

    def __init__(self, *steps: str | BaseException) -> None:
        self.steps = list(steps)
        self.calls: list[dict[str, Any]] = []

    def answer(self, params: dict[str, Any]) -> DescribeClusterResponse:
        self.calls.append(params)
        step = self.steps[min(len(self.calls), len(self.steps)) - 1]
        if isinstance(step, BaseException):
            raise step
        return cluster(step)

    def sync(self) -> waiters.EKSWaiters:
        return waiters.EKSWaiters(SimpleNamespace(describe_cluster=lambda **p: self.answer(p)))  # type: ignore[arg-type]

    def aio(self) -> waiters.AsyncEKSWaiters:
        async def describe(**params: Any) -> DescribeClusterResponse:
            await asyncio.sleep(0)
            return self.answer(params)

        return waiters.AsyncEKSWaiters(SimpleNamespace(describe_cluster=describe))  # type: ignore[arg-type]

    def run(self, is_async: bool, waiter: str = "cluster_active", **options: Any) -> Any:
        options.setdefault("delay", 0.001)
        if is_async:
            return asyncio.run(getattr(self.aio(), waiter)(name="prod", **options))
        return getattr(self.sync(), waiter)(name="prod", **options)


MODES = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


@MODES
def test_success_after_polling(is_async: bool) -> None:
    script = Script("CREATING", "CREATING", "ACTIVE")
    events: list[WaitProgress[DescribeClusterResponse]] = []
    result = script.run(is_async, progress=events.append)
    assert result.cluster.status == "ACTIVE"
    assert script.calls == [{"name": "prod"}] * 3
    assert [(e.attempt, e.status, e.outcome) for e in events] == [
        (1, "CREATING", "retry"),
        (2, "CREATING", "retry"),
        (3, "ACTIVE", "success"),
    ]
    assert events[-1].response is result and events[-1].next_delay is None
    assert events[0].next_delay == pytest.approx(0.001)
    assert all(e.waiter == "cluster_active" and e.elapsed >= 0 for e in events)


@MODES
def test_failure_state_raises_at_once(is_async: bool) -> None:
    script = Script("CREATING", "FAILED", "ACTIVE")
    with pytest.raises(WaiterError) as info:
        script.run(is_async, delay=0.001, timeout=60)
    error = info.value
    assert type(error) is WaiterError
    assert (error.waiter, error.reason, error.status, error.attempts) == (
        "cluster_active",
        "cluster.status is FAILED",
        "FAILED",
        2,
    )
    assert error.last_response == cluster("FAILED") and error.last_error is None
    assert "cluster_active(name='prod') failed after 2 attempts" in str(error)
    assert len(script.calls) == 2


@MODES
def test_timeout_is_a_distinct_subclass(is_async: bool) -> None:
    script = Script("CREATING")
    start = time.monotonic()
    with pytest.raises(WaiterTimeoutError) as info:
        script.run(is_async, delay=0.01, timeout=0.05)
    assert time.monotonic() - start < 0.5
    error = info.value
    assert isinstance(error, WaiterError) and isinstance(error, TimeoutError) and isinstance(error, EksError)
    assert error.status == "CREATING" and error.last_response == cluster("CREATING")
    assert "timed out" in str(error) and "timeout of 0.05s" in error.reason
    assert 1 <= error.attempts <= 7  # polls at 0, 10, 20, 30, 40 ms and a last one at the deadline


@MODES
def test_max_attempts(is_async: bool) -> None:
    script = Script("CREATING")
    with pytest.raises(WaiterTimeoutError) as info:
        script.run(is_async, max_attempts=3)
    assert info.value.attempts == 3 == len(script.calls)
    assert "max_attempts" in info.value.reason


@MODES
def test_timeout_zero_polls_once(is_async: bool) -> None:
    script = Script("CREATING")
    with pytest.raises(WaiterTimeoutError):
        script.run(is_async, timeout=0)
    assert len(script.calls) == 1


@MODES
def test_error_acceptor_success_returns_none(is_async: bool) -> None:
    script = Script("DELETING", "DELETING", not_found())
    assert script.run(is_async, "cluster_deleted") is None
    assert len(script.calls) == 3


@MODES
def test_failure_state_of_a_delete_waiter(is_async: bool) -> None:
    with pytest.raises(WaiterError, match=r"cluster\.status is ACTIVE"):
        Script("DELETING", "ACTIVE").run(is_async, "cluster_deleted")


@MODES
def test_unexpected_error_fails_the_wait(is_async: bool) -> None:
    denied = AccessDeniedException("nope", code="AccessDeniedException", status_code=403)
    with pytest.raises(WaiterError) as info:
        Script("CREATING", denied).run(is_async)
    assert type(info.value) is WaiterError
    assert info.value.last_error is denied and info.value.__cause__ is denied
    assert info.value.status == "AccessDeniedException"
    # ResourceNotFound is unexpected for cluster_active too (no such cluster).
    with pytest.raises(WaiterError, match="ResourceNotFoundException"):
        Script(not_found()).run(is_async)


TRANSIENT = [
    ThrottlingException("slow down", code="ThrottlingException", status_code=429),
    ServiceError("slow down", code="TooManyRequestsException", status_code=400),
    ServiceError("?", code="SomethingNew", status_code=429),
    ServiceError("busy", code="ServiceUnavailableException", status_code=503),
    ServiceError("oops", code="ServerException", status_code=500),
    EndpointConnectionError("connection refused"),
    RequestTimeoutError("read timeout"),
]


@MODES
def test_transient_errors_back_off_and_retry(is_async: bool) -> None:
    # Short streaks: the backoff doubles within a streak and starts over after a good answer.
    script = Script("CREATING", *TRANSIENT[:3], "CREATING", *TRANSIENT[3:5], "CREATING", *TRANSIENT[5:], "ACTIVE")
    events: list[WaitProgress[DescribeClusterResponse]] = []
    assert script.run(is_async, progress=events.append).cluster.status == "ACTIVE"
    outcomes = [e.outcome for e in events]
    assert outcomes == ["retry"] + ["transient"] * 3 + ["retry"] + ["transient"] * 2 + ["retry"] + ["transient"] * 2 + [
        "success"
    ]
    assert [e.error for e in events if e.outcome == "transient"] == TRANSIENT
    assert events[1].status == "ThrottlingException"
    delays = [e.next_delay or 0 for e in events]
    assert 0.005 <= delays[1] <= 0.01 and 0.02 <= delays[3] <= 0.04  # 10 ms floor, doubling


def test_transient_classification() -> None:
    assert all(is_transient(e) for e in TRANSIENT)
    assert not is_transient(not_found())
    assert not is_transient(AccessDeniedException("x", code="AccessDeniedException", status_code=403))
    assert not is_transient(ValueError("x"))


@MODES
def test_throttling_until_the_timeout_is_a_timeout(is_async: bool) -> None:
    with pytest.raises(WaiterTimeoutError) as info:
        Script(TRANSIENT[0]).run(is_async, timeout=0.05)
    assert info.value.status == "ThrottlingException" and info.value.last_error is TRANSIENT[0]


@MODES
def test_errors_no_acceptor_judges_propagate_unchanged(is_async: bool) -> None:
    error = NoCredentialsError("no credentials")
    with pytest.raises(NoCredentialsError) as info:
        Script(error).run(is_async)
    assert info.value is error


@MODES
def test_first_delay(is_async: bool) -> None:
    start = time.monotonic()
    Script("ACTIVE").run(is_async, first_delay=0.05)
    assert 0.05 <= time.monotonic() - start < 0.5


def test_option_defaults_and_validation() -> None:
    spec = waiters._CLUSTER_ACTIVE
    options = _options(spec, None, None, 0.0, None)
    assert (options.timeout, options.delay, options.max_attempts) == (1200, 30, None)
    assert _options(spec, math.inf, 5, 1, 2).timeout == math.inf
    for bad in ({"timeout": -1}, {"delay": -0.5}, {"first_delay": math.nan}):
        with pytest.raises(ValueError):
            _options(spec, bad.get("timeout"), bad.get("delay"), bad.get("first_delay", 0.0), None)
    with pytest.raises(ValueError):
        _options(spec, None, None, 0.0, 0)


def test_backoff_grows_and_is_capped() -> None:
    assert 0.01 <= backoff(0.02, 1) <= 0.02
    assert 0.04 <= backoff(0.02, 3) <= 0.08
    assert backoff(30, 10) <= 60
    assert backoff(120, 10) <= 120


@pytest.mark.parametrize("cls", [WaiterError, WaiterTimeoutError])
def test_waiter_errors_pickle(cls: type[WaiterError]) -> None:
    error = cls(
        "Waiter x failed",
        waiter="cluster_active",
        reason="cluster.status is FAILED",
        status="FAILED",
        last_response=cluster("FAILED"),
        last_error=TRANSIENT[0],
        attempts=3,
        elapsed=1.5,
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls and str(copy) == str(error)
    assert copy.__dict__.keys() == error.__dict__.keys()
    assert (copy.waiter, copy.reason, copy.status, copy.attempts, copy.elapsed) == (
        "cluster_active",
        "cluster.status is FAILED",
        "FAILED",
        3,
        1.5,
    )
    assert copy.last_response == cluster("FAILED")
    assert isinstance(copy.last_error, ThrottlingException) and copy.last_error.code == "ThrottlingException"


def test_search_and_matchers() -> None:
    data = SimpleNamespace(
        groups=[SimpleNamespace(nodes=[{"state": "ok"}, {"state": "ok"}]), SimpleNamespace(nodes=[{"state": "bad"}])],
        top=SimpleNamespace(status="ACTIVE"),
    )
    assert search(("top", "status"), data) == "ACTIVE"
    assert search(("missing", "status"), data) is None
    assert search(("groups[]", "nodes[]", "state"), data) == ["ok", "ok", "bad"]
    assert acceptor_matches(Acceptor("success", "pathAny", "bad", ("groups[]", "nodes[]", "state")), data, None)
    assert not acceptor_matches(Acceptor("success", "pathAll", "ok", ("groups[]", "nodes[]", "state")), data, None)
    assert not acceptor_matches(Acceptor("success", "pathAll", "ok", ("missing[]", "state")), data, None)
    assert acceptor_matches(Acceptor("success", "status", 200), data, None)
    assert acceptor_matches(Acceptor("success", "status", 404), None, not_found())
    assert acceptor_matches(Acceptor("failure", "error", True), None, not_found())
    assert acceptor_matches(Acceptor("success", "error", False), data, None)
    assert not acceptor_matches(Acceptor("success", "path", "ACTIVE", ("top", "status")), None, not_found())


class RecordingDisplay:
    def __init__(self) -> None:
        self.shown: list[str] = []
        self.closed = False

    def show(self, text: str, key: str) -> None:
        self.shown.append(text)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def display(monkeypatch: pytest.MonkeyPatch) -> RecordingDisplay:
    recorder = RecordingDisplay()
    monkeypatch.setattr("eksy._progress.open_display", lambda stream=None: recorder)
    return recorder


@MODES
@pytest.mark.parametrize("steps", [("CREATING", "ACTIVE"), ("CREATING", "FAILED"), ("CREATING",)])
def test_live_display_is_closed_however_the_wait_ends(
    display: RecordingDisplay, steps: tuple[str, ...], is_async: bool
) -> None:
    try:
        Script(*steps).run(is_async, progress=True, timeout=0.02)
    except WaiterError:
        pass
    assert display.shown[0] == "cluster_active(name='prod'): CREATING, attempt 1, 0s"
    assert display.closed


def test_ctrl_c_interrupts_a_sync_wait_promptly(display: RecordingDisplay) -> None:
    timer = threading.Timer(0.1, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            Script("CREATING").sync().cluster_active(name="prod", delay=30, progress=True)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 1.0
    assert display.closed


async def test_cancelling_an_async_wait(display: RecordingDisplay) -> None:
    script = Script("CREATING")
    task = asyncio.create_task(script.aio().cluster_active(name="prod", delay=30, progress=True))
    await asyncio.sleep(0.05)
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < 0.5
    assert len(script.calls) == 1 and display.closed


async def test_concurrent_async_waits() -> None:
    a, b = Script("CREATING", "ACTIVE"), Script("CREATING", "CREATING", "ACTIVE")
    results = await asyncio.gather(
        a.aio().cluster_active(name="prod", delay=0.01), b.aio().cluster_active(name="prod", delay=0.01)
    )
    assert [r.cluster.status for r in results] == ["ACTIVE", "ACTIVE"]


def test_a_spec_without_status_path() -> None:
    spec = WaiterSpec("custom", "DescribeCluster", 1, 3, (Acceptor("success", "status", 200),))
    from eksy._wait import wait

    assert wait(spec, lambda **p: cluster("X"), {"name": "n"}) == cluster("X")


@pytest.mark.timeout(20)
async def test_an_async_poll_in_flight_is_cut_at_the_deadline_and_the_last_finished_one_tells_the_state() -> None:
    calls: list[float] = []

    async def describe(**params: Any) -> DescribeClusterResponse:
        calls.append(time.monotonic())
        if len(calls) > 1:
            await asyncio.sleep(60)  # a poll that would hold the wait far past its timeout
        return cluster("CREATING")

    waiter = waiters.AsyncEKSWaiters(SimpleNamespace(describe_cluster=describe))  # type: ignore[arg-type]
    with pytest.raises(WaiterTimeoutError) as info:
        await waiter.cluster_active(name="prod", delay=0.01, timeout=1.5)
    error = info.value
    assert error.attempts == 2 and len(calls) == 2
    assert error.status == "CREATING" and error.last_response == cluster("CREATING")
    assert isinstance(error.last_error, RequestTimeoutError) and "deadline" in str(error.last_error)


@pytest.mark.timeout(20)
async def test_the_first_poll_gets_a_moment_even_with_timeout_zero() -> None:
    async def describe(**params: Any) -> DescribeClusterResponse:
        await asyncio.sleep(0.05)  # slower than the timeout, faster than the first poll's minimum
        return cluster("ACTIVE")

    waiter = waiters.AsyncEKSWaiters(SimpleNamespace(describe_cluster=describe))  # type: ignore[arg-type]
    result = await waiter.cluster_active(name="prod", timeout=0)
    assert result.cluster is not None and result.cluster.status == "ACTIVE"
