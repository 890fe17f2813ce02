"""The acceptors of ``waiters-2.json`` and the pure decisions made on each poll's result: which
acceptor matches, whether an error is worth another poll, the status shown, the backoff."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from eksy._errors import EndpointConnectionError, RequestTimeoutError, ServiceError

__all__ = [
    "Acceptor",
    "WaiterSpec",
    "acceptor_matches",
    "backoff",
    "first_match",
    "is_transient",
    "observed_status",
    "search",
]

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
