"""The waiter runtime behind ``client.wait.<name>(...)``.

All decisions (which acceptor matched, retry or back off, time left, progress) live in one
generator, :func:`_poll_loop`, that does no I/O: it yields "call now" or "sleep N seconds"
and is driven by a sync or an async runner. The acceptors come from the model's
``waiters-2.json``, translated to snake_case attribute paths at generation time.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from eksy._acceptors import (
    Acceptor,
    WaiterSpec,
    acceptor_matches,
    backoff,
    first_match,
    is_transient,
    observed_status,
    search,
)
from eksy._errors import (
    EksError,
    EndpointConnectionError,
    RequestTimeoutError,
    ServiceError,
    WaiterError,
    WaiterTimeoutError,
)
from eksy._progress import Reporter, format_elapsed
from eksy.progress import Outcome, ProgressOption, WaitProgress

# The acceptor logic is re-exported: generated waiters and tests import it from here.
__all__ = [
    "Acceptor",
    "WaiterSpec",
    "acceptor_matches",
    "async_wait",
    "backoff",
    "first_match",
    "is_transient",
    "observed_status",
    "search",
    "wait",
]

R = TypeVar("R")

# Sleeps are cut into slices so Ctrl-C lands promptly on every platform and the progress
# line keeps ticking.
_SLICE = 0.25
# The least time the first poll of a wait is given before it is cut.
_FIRST_POLL_MIN = 1.0


# -- the polling loop (no I/O) -------------------------------------------------------------


@dataclass(frozen=True)
class _Sleep:
    seconds: float


@dataclass(frozen=True)
class _Call:
    # Seconds left before the wait's deadline: the poll is cut then (math.inf: never).
    time_left: float


@dataclass(frozen=True)
class _Result:
    response: Any
    error: EksError | None
    cut: bool = False  # the poll was cut at the wait's deadline


@dataclass(frozen=True)
class _Options:
    timeout: float
    delay: float
    first_delay: float
    max_attempts: int | None


def _options(
    spec: WaiterSpec, timeout: float | None, delay: float | None, first_delay: float, max_attempts: int | None
) -> _Options:
    delay = spec.delay if delay is None else delay
    # The model's budget (delay x maxAttempts) is the default; as a timeout it stays right
    # when the caller shortens the delay.
    timeout = spec.delay * spec.max_attempts if timeout is None else timeout
    for name, value in (("timeout", timeout), ("delay", delay), ("first_delay", first_delay)):
        if not value >= 0:
            raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
    if max_attempts is not None and max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, not {max_attempts!r}")
    return _Options(timeout, delay, first_delay, max_attempts)


def _label(spec: WaiterSpec, params: Mapping[str, object]) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in params.items() if v is not None)
    return f"{spec.name}({args})"


def _poll_loop(
    spec: WaiterSpec,
    params: Mapping[str, object],
    options: _Options,
    reporter: Reporter[WaitProgress[Any]],
    clock: Callable[[], float] = time.monotonic,
) -> Generator[_Sleep | _Call, _Result | None, Any]:
    start = clock()
    deadline = start + options.timeout
    label = _label(spec, params)
    attempt = 0
    streak = 0  # transient errors in a row

    def fail(cls: type[WaiterError], reason: str, status: str | None, result: _Result) -> WaiterError:
        elapsed = clock() - start
        tries = "attempt" if attempt == 1 else "attempts"
        verb = "timed out" if cls is WaiterTimeoutError else "failed"
        message = f"Waiter {label} {verb} after {attempt} {tries} ({elapsed:.1f}s): {reason}"
        return cls(
            message,
            waiter=spec.name,
            reason=reason,
            status=status,
            last_response=result.response,
            last_error=result.error,
            attempts=attempt,
            elapsed=elapsed,
        )

    def timed_out(status: str | None) -> str:
        return f"timeout of {options.timeout:g}s reached; last status {status or 'unknown'}"

    with reporter:
        if options.first_delay > 0:
            yield _Sleep(min(options.first_delay, options.timeout))
        result: _Result | None = None
        status: str | None = None
        while True:
            time_left = deadline - clock()
            if result is not None and time_left <= 0:
                # The sleep ran to the deadline: no time is left for a poll that could finish.
                raise fail(WaiterTimeoutError, timed_out(status), status, result) from result.error
            # Each poll is cut at the deadline, but the first one always gets a moment to read
            # the state, even with timeout=0 or on a busy machine.
            budget = time_left if attempt else max(time_left, _FIRST_POLL_MIN)
            attempt += 1
            previous, previous_status = result, status
            result = yield _Call(budget)
            assert result is not None
            if result.cut and previous is not None:
                # The last poll that finished tells the state, not the one the deadline cut.
                last = _Result(previous.response, result.error)
                raise fail(WaiterTimeoutError, timed_out(previous_status), previous_status, last) from result.error
            acceptor = first_match(spec, result.response, result.error)
            status = observed_status(spec, result.response, result.error)
            outcome: Outcome
            if acceptor is not None:
                outcome, streak = acceptor.state, 0
            elif result.error is not None:
                outcome = "transient" if is_transient(result.error) else "error"
                streak = streak + 1 if outcome == "transient" else 0
            else:
                outcome, streak = "retry", 0

            remaining = deadline - clock()
            exhausted = options.max_attempts is not None and attempt >= options.max_attempts
            next_delay: float | None = None
            if outcome in ("retry", "transient") and remaining > 0 and not exhausted:
                wanted = options.delay if outcome == "retry" else backoff(options.delay, streak)
                next_delay = min(wanted, remaining)

            event = WaitProgress(
                spec.name, attempt, clock() - start, status, outcome, result.response, result.error, next_delay
            )

            def line(attempt: int = attempt, status: str | None = status) -> str:
                shown = status or "waiting"
                return f"{label}: {shown}, attempt {attempt}, {format_elapsed(clock() - start)}"

            reporter.report(event, line, key=status or "")

            if outcome == "success":
                return result.response
            if outcome == "failure":
                assert acceptor is not None
                raise fail(WaiterError, acceptor.describe(), status, result) from result.error
            if outcome == "error":
                assert result.error is not None
                reason = f"unexpected error {result.error}"
                raise fail(WaiterError, reason, status, result) from result.error
            if next_delay is None:
                reason = f"max_attempts reached; last status {status or 'unknown'}" if exhausted else timed_out(status)
                raise fail(WaiterTimeoutError, reason, status, result) from result.error
            yield _Sleep(next_delay)


def _slices(seconds: float) -> Iterator[float]:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        yield min(left, _SLICE)


# The runners only perform what the loop asks for; errors the acceptors may judge are fed
# back into it, anything else (bad parameters, no credentials, Ctrl-C) propagates as is.
_JUDGED = (ServiceError, EndpointConnectionError, RequestTimeoutError)


def _call_within(call: Callable[..., R], params: Mapping[str, object], time_left: float) -> R:
    """``call(**params)``, cut after ``time_left`` seconds if it is an eksy call (see ClientCore)."""
    if time_left == math.inf:
        return call(**params)
    from eksy._eksy import ClientCore

    ClientCore._deadline_next_call(time_left)
    try:
        return call(**params)
    finally:
        ClientCore._deadline_next_call(None)  # a call that was not eksy's leaves none behind


def wait(
    spec: WaiterSpec,
    call: Callable[..., R],
    params: Mapping[str, object],
    *,
    timeout: float | None = None,
    delay: float | None = None,
    first_delay: float = 0.0,
    max_attempts: int | None = None,
    progress: ProgressOption[WaitProgress[R]] = None,
) -> R | None:
    """Polls ``call(**params)`` until an acceptor says success (returns the last response,
    ``None`` when success is an error) or failure (raises)."""
    reporter: Reporter[WaitProgress[Any]] = Reporter(progress)
    loop = _poll_loop(spec, params, _options(spec, timeout, delay, first_delay, max_attempts), reporter)
    try:
        step = next(loop)
        while True:
            if isinstance(step, _Sleep):
                for piece in _slices(step.seconds):
                    time.sleep(piece)
                    reporter.tick()
                step = loop.send(None)
                continue
            called = time.monotonic()
            try:
                result = _Result(_call_within(call, params, step.time_left), None)
            except _JUDGED as error:
                cut = isinstance(error, RequestTimeoutError) and time.monotonic() - called >= step.time_left
                result = _Result(None, error, cut)
            step = loop.send(result)
    except StopIteration as done:
        value: R | None = done.value
        return value
    finally:
        loop.close()


async def async_wait(
    spec: WaiterSpec,
    call: Callable[..., Awaitable[R]],
    params: Mapping[str, object],
    *,
    timeout: float | None = None,
    delay: float | None = None,
    first_delay: float = 0.0,
    max_attempts: int | None = None,
    progress: ProgressOption[WaitProgress[R]] = None,
) -> R | None:
    """The coroutine form of :func:`wait`; cancelling the task stops the wait."""
    reporter: Reporter[WaitProgress[Any]] = Reporter(progress)
    loop = _poll_loop(spec, params, _options(spec, timeout, delay, first_delay, max_attempts), reporter)
    try:
        step = next(loop)
        while True:
            if isinstance(step, _Sleep):
                for piece in _slices(step.seconds):
                    await asyncio.sleep(piece)
                    reporter.tick()
                step = loop.send(None)
                continue
            try:
                if step.time_left == math.inf:
                    response = await call(**params)
                else:
                    # Cancelling the poll at the deadline drops its request.
                    response = await asyncio.wait_for(call(**params), step.time_left)
                result = _Result(response, None)
            except _JUDGED as error:
                result = _Result(None, error)
            except asyncio.TimeoutError:
                late = RequestTimeoutError(f"{spec.operation}: the wait's deadline passed while the call was in flight")
                result = _Result(None, late, cut=True)
            step = loop.send(result)
    except StopIteration as done:
        value: R | None = done.value
        return value
    finally:
        loop.close()
