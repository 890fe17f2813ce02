"""The waiter runtime behind ``client.wait.<name>(...)``.

All decisions (which acceptor matched, retry or back off, time left, progress) live in one
generator, :func:`_poll_loop`, that does no I/O: it yields "call now" or "sleep N seconds"
and is driven by a sync or an async runner. The acceptors come from the model's
``waiters-2.json``, translated to snake_case attribute paths at generation time.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

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

__all__ = ["Acceptor", "WaiterSpec", "async_wait", "wait"]

R = TypeVar("R")

# Sleeps are cut into slices so Ctrl-C lands promptly on every platform and the progress
# line keeps ticking.
_SLICE = 0.25
# Cap of the throttling backoff, unless the polling delay itself is longer.
_MAX_BACKOFF = 60.0

_THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "Throttling",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)


@dataclass(frozen=True)
class Acceptor:
    """One acceptor of ``waiters-2.json``.

    ``path`` holds snake_case attribute names; a name ending in ``[]`` flattens a list, as
    in JMESPath (``reservations[].instances[].state``).
    """

    state: Literal["success", "failure", "retry"]
    matcher: Literal["path", "pathAll", "pathAny", "status", "error"]
    expected: object
    path: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.matcher == "error":
            return f"error {self.expected}"
        if self.matcher == "status":
            return f"HTTP status {self.expected}"
        quantifier = {"pathAll": "all of ", "pathAny": "any of "}.get(self.matcher, "")
        return f"{quantifier}{'.'.join(self.path)} is {self.expected}"


@dataclass(frozen=True)
class WaiterSpec:
    """A waiter of the model: its polling operation, defaults and acceptors."""

    name: str
    operation: str
    delay: float
    max_attempts: int
    acceptors: tuple[Acceptor, ...]
    status_path: tuple[str, ...] = ()


# -- acceptor logic (pure) -----------------------------------------------------------------


def search(path: tuple[str, ...], root: object) -> Any:
    """The value at ``path`` (a list once a ``[]`` step has projected), ``None`` if absent."""
    current: Any = root
    projected = False
    for step in path:
        name, flatten = (step[:-2], True) if step.endswith("[]") else (step, False)
        if projected:
            current = [v for v in (_field(item, name) for item in current) if v is not None]
            if flatten:
                current = [x for v in current if isinstance(v, list) for x in v]
            continue
        current = _field(current, name)
        if current is None:
            return None
        if flatten:
            if not isinstance(current, list):
                return None
            current, projected = list(current), True
    return current


def _field(value: object, name: str) -> Any:
    if not name:
        return value
    if isinstance(value, Mapping):
        return value.get(name)
    return getattr(value, name, None)


def acceptor_matches(acceptor: Acceptor, response: object, error: BaseException | None) -> bool:
    expected = acceptor.expected
    if acceptor.matcher == "error":
        if isinstance(expected, bool):
            return (error is not None) is expected
        return isinstance(error, ServiceError) and error.code == expected
    if acceptor.matcher == "status":
        if error is None:
            return expected == 200
        return isinstance(error, ServiceError) and error.status_code == expected
    if error is not None:
        return False
    value = search(acceptor.path, response)
    if acceptor.matcher == "path":
        return bool(value == expected)
    if not isinstance(value, list) or not value:
        return False
    if acceptor.matcher == "pathAll":
        return all(v == expected for v in value)
    return any(v == expected for v in value)


def first_match(spec: WaiterSpec, response: object, error: BaseException | None) -> Acceptor | None:
    return next((a for a in spec.acceptors if acceptor_matches(a, response, error)), None)


def is_transient(error: BaseException) -> bool:
    """Throttling, server-side (5xx) and connection errors: worth another poll after backoff."""
    if isinstance(error, (EndpointConnectionError, RequestTimeoutError)):
        return True
    if isinstance(error, ServiceError):
        status = error.status_code or 0
        return error.code in _THROTTLING_CODES or status == 429 or status >= 500
    return False


def observed_status(spec: WaiterSpec, response: object, error: BaseException | None) -> str | None:
    if error is not None:
        return error.code if isinstance(error, ServiceError) else type(error).__name__
    value = search(spec.status_path, response) if spec.status_path else None
    return None if value is None else str(value)


def backoff(delay: float, streak: int) -> float:
    """Exponential backoff with jitter after ``streak`` (>= 1) transient errors in a row."""
    ceiling = max(delay, _MAX_BACKOFF)
    base = min(max(delay, 0.01) * 2.0 ** (streak - 1), ceiling)
    return random.uniform(base / 2, base)


# -- the polling loop (no I/O) -------------------------------------------------------------


@dataclass(frozen=True)
class _Sleep:
    seconds: float


class _Call:
    pass


_CALL = _Call()


@dataclass(frozen=True)
class _Result:
    response: Any
    error: EksError | None


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

    with reporter:
        if options.first_delay > 0:
            yield _Sleep(min(options.first_delay, options.timeout))
        while True:
            attempt += 1
            result = yield _CALL
            assert result is not None
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
                limit = "max_attempts" if exhausted else f"timeout of {options.timeout:g}s"
                reason = f"{limit} reached; last status {status or 'unknown'}"
                raise fail(WaiterTimeoutError, reason, status, result) from result.error
            yield _Sleep(next_delay)


def _slices(seconds: float) -> Iterator[float]:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        yield min(left, _SLICE)


# The runners only perform what the loop asks for; errors the acceptors may judge are fed
# back into it, anything else (bad parameters, no credentials, Ctrl-C) propagates as is.
_JUDGED = (ServiceError, EndpointConnectionError, RequestTimeoutError)


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
            try:
                result = _Result(call(**params), None)
            except _JUDGED as error:
                result = _Result(None, error)
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
                result = _Result(await call(**params), None)
            except _JUDGED as error:
                result = _Result(None, error)
            step = loop.send(result)
    except StopIteration as done:
        value: R | None = done.value
        return value
    finally:
        loop.close()
