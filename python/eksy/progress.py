"""The progress events of waiters and paginators, for ``progress=`` callbacks.

``client.wait.<name>(..., progress=callback)`` calls ``callback`` with a :class:`WaitProgress`
after every poll; ``client.paginate.<name>(..., progress=callback)`` calls it with a
:class:`PageProgress` after every page. ``progress=True`` shows a live status line instead.

    from eksy.progress import WaitProgress

    def show(event: WaitProgress[DescribeClusterResponse]) -> None:
        print(event.attempt, event.status, event.outcome)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

__all__ = ["Outcome", "PageProgress", "ProgressOption", "WaitProgress"]

R = TypeVar("R")
E = TypeVar("E")

Outcome = Literal["success", "failure", "retry", "transient", "error"]
"""What one poll of a waiter decided (see :attr:`WaitProgress.outcome`)."""


@dataclass(frozen=True)
class WaitProgress(Generic[R]):
    """One poll of a waiter, as passed to its ``progress`` callback.

    Attributes:
        waiter: The waiter's method name, e.g. ``"cluster_active"``.
        attempt: 1 for the first poll.
        elapsed: Seconds since the wait started.
        status: The observed status (e.g. ``"CREATING"``), or the error code of a failed poll.
        outcome: ``"success"`` and ``"failure"`` end the wait; ``"retry"`` polls again after
            ``next_delay``; ``"transient"`` is a throttling or transient error that is retried
            with backoff; ``"error"`` is an unexpected error that ends the wait.
        response: The typed response of this poll, or ``None`` if it raised.
        error: The error this poll raised, or ``None``.
        next_delay: Seconds until the next poll, ``None`` when the wait ends here.
    """

    waiter: str
    attempt: int
    elapsed: float
    status: str | None
    outcome: Outcome
    response: R | None
    error: BaseException | None
    next_delay: float | None


@dataclass(frozen=True)
class PageProgress:
    """One page fetched by a paginator, as passed to its ``progress`` callback.

    Attributes:
        paginator: The paginator's method name, e.g. ``"list_clusters"``.
        page: 1 for the first page fetched.
        items: Items handed out so far, this page included (after ``max_items``).
        elapsed: Seconds since the first request.
        response: The typed response of this page.
    """

    paginator: str
    page: int
    items: int
    elapsed: float
    response: Any


ProgressOption = bool | Callable[[E], object] | None
"""The ``progress`` parameter: ``True`` for a live status line, a callback, or ``None``/``False``."""
