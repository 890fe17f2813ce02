"""The paginator runtime behind ``client.paginate.<name>(...)``.

One generator, :func:`_walk`, holds the logic (tokens, ``max_items``, skipping on resume,
the repeated-token check, progress) and does no I/O: it yields "fetch this page" or "hand
out this value", and a sync or an async runner performs the fetches.

Resume tokens: after stopping early, :attr:`Paginator.resume_token` continues right after
the last item handed out. It is the service's own ``nextToken`` when that is exact, else an
``eksy:`` token that also records how many items of that page were already handed out.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from eksy._errors import PaginationError
from eksy._progress import Reporter, format_elapsed
from eksy.progress import PageProgress, ProgressOption

__all__ = ["AsyncPaginator", "Paginator", "PaginatorSpec"]

T = TypeVar("T")
R = TypeVar("R")

_PREFIX = "eksy:"


@dataclass(frozen=True)
class PaginatorSpec:
    """A paginator of the model, with snake_case member names."""

    name: str
    operation: str
    input_token: str
    output_token: str
    limit_key: str | None
    result_key: str


def encode_token(token: str | None, skip: int) -> str:
    # The service's token when it is exact; a "from the first page" one is encoded too, so
    # that None can only mean "nothing left".
    if skip == 0 and token is not None:
        return token
    payload = json.dumps({"token": token, "skip": skip}, separators=(",", ":")).encode()
    return _PREFIX + base64.urlsafe_b64encode(payload).decode()


def decode_token(token: str | None, paginator: str) -> tuple[str | None, int]:
    """(service token, items of that page to skip); a plain service token skips nothing."""
    if token is None or not token.startswith(_PREFIX):
        return token, 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token[len(_PREFIX) :]))
        inner, skip = data["token"], data["skip"]
    except (binascii.Error, ValueError, TypeError, KeyError) as error:
        raise PaginationError(f"{paginator}: not a valid starting_token", paginator=paginator) from error
    if not (inner is None or isinstance(inner, str)) or not isinstance(skip, int) or skip < 0:
        raise PaginationError(f"{paginator}: not a valid starting_token", paginator=paginator)
    return inner, skip


class _Cursor:
    """Where a walk stands: the token of the page holding the next unread item, and how many
    items of that page were already handed out."""

    def __init__(self, starting_token: str | None, paginator: str) -> None:
        self.token, self.skip = decode_token(starting_token, paginator)
        self.finished = False

    @property
    def resume_token(self) -> str | None:
        return None if self.finished else encode_token(self.token, self.skip)

    def move(self, page: _Page, offset: int) -> None:
        """Records that the items before ``offset`` of ``page`` were handed out."""
        if offset < page.size:
            self.token, self.skip = page.token, offset
        else:
            self.token, self.skip = page.next_token, page.carry
            self.finished = page.next_token is None


@dataclass(frozen=True)
class _Page:
    token: str | None  # the token that fetched it
    size: int
    next_token: str | None
    carry: int  # a resumed skip that reaches past this page


@dataclass(frozen=True)
class _Fetch:
    params: dict[str, Any]


@dataclass(frozen=True)
class _Emit:
    value: Any


def _walk(
    spec: PaginatorSpec,
    params: Mapping[str, Any],
    cursor: _Cursor,
    *,
    max_items: int | None,
    page_size: int | None,
    whole_pages: bool,
    reporter: Reporter[PageProgress],
) -> Generator[_Fetch | _Emit, Any, None]:
    start = time.monotonic()
    requested: set[str] = set()
    handed = pages = 0
    with reporter:
        while not cursor.finished and (max_items is None or handed < max_items):
            request = dict(params)
            if cursor.token is not None:
                if cursor.token in requested:
                    raise PaginationError(
                        f"{spec.name}: the service sent the page token {cursor.token!r} twice; "
                        "stopping instead of looping forever",
                        paginator=spec.name,
                        token=cursor.token,
                    )
                requested.add(cursor.token)
                request[spec.input_token] = cursor.token
            if page_size is not None and spec.limit_key is not None:
                request[spec.limit_key] = page_size
            response = yield _Fetch(request)
            pages += 1

            items = list(getattr(response, spec.result_key) or ())
            first = min(cursor.skip, len(items))
            page = _Page(cursor.token, len(items), getattr(response, spec.output_token) or None, cursor.skip - first)
            last = len(items) if max_items is None else min(len(items), first + max_items - handed)
            chosen = items[first:last]

            handed += len(chosen)
            event = PageProgress(spec.name, pages, handed, time.monotonic() - start, response)

            def line(text: str = f"{spec.name}: page {pages}, {handed} items") -> str:
                return f"{text}, {format_elapsed(time.monotonic() - start)}"

            reporter.report(event, line, str(pages))

            if whole_pages:
                cursor.move(page, last)
                if len(chosen) != len(items):
                    response = dataclasses.replace(response, **{spec.result_key: chosen})
                if chosen or not items:
                    yield _Emit(response)
            else:
                for offset, item in enumerate(chosen, start=first + 1):
                    # Moved before handing out, so breaking right after this item resumes after it.
                    cursor.move(page, offset)
                    yield _Emit(item)
                cursor.move(page, last)


class _Base:
    def __init__(
        self,
        spec: PaginatorSpec,
        params: Mapping[str, Any],
        *,
        max_items: int | None,
        page_size: int | None,
        starting_token: str | None,
        progress: ProgressOption[PageProgress],
    ) -> None:
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must be >= 0, not {max_items!r}")
        if page_size is not None and page_size < 1:
            raise ValueError(f"page_size must be >= 1, not {page_size!r}")
        self._spec = spec
        self._params = dict(params)
        self._max_items = max_items
        self._page_size = page_size
        self._progress = progress
        self._cursor = _Cursor(starting_token, spec.name)  # validates the token up front
        self._starting_token = starting_token

    @property
    def resume_token(self) -> str | None:
        """Pass as ``starting_token`` to continue after the last item (or page) handed out.

        ``None`` once the last page was read, and only then. Resume with the same
        parameters; ``page_size`` may differ.
        """
        return self._cursor.resume_token

    def _start(self, whole_pages: bool) -> Generator[_Fetch | _Emit, Any, None]:
        # Every iteration starts afresh from starting_token; resume_token follows the latest.
        self._cursor = _Cursor(self._starting_token, self._spec.name)
        return _walk(
            self._spec,
            self._params,
            self._cursor,
            max_items=self._max_items,
            page_size=self._page_size,
            whole_pages=whole_pages,
            reporter=Reporter(self._progress),
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._spec.name} resume_token={self.resume_token!r}>"

    def _describe(self) -> list[tuple[str, object]]:
        """What the notebook forms show: the call and its limits (list parameters hold no secret)."""
        shown: list[tuple[str, object]] = [(k, v) for k, v in self._params.items() if v is not None]
        shown += [("page_size", self._page_size), ("max_items", self._max_items)]
        cursor = self._cursor
        if cursor.finished:
            shown.append(("finished", True))
        elif cursor.token is not None or cursor.skip:
            shown.append(("resume_token", self.resume_token))  # where it stopped, to continue later
        return [(k, v) for k, v in shown if v is not None]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        parts = ", ".join(f"{k}={v!r}" for k, v in self._describe())
        printer.text(f"{type(self).__name__}({self._spec.name}{', ' if parts else ''}{parts})")

    def _repr_html_(self) -> str:
        from eksy._display_html import paginator_html

        return paginator_html(type(self).__name__, self._spec.name, self._describe())


class Paginator(_Base, Generic[T, R]):
    """Iterates the items of a list operation across all its pages.

    ``for item in paginator`` yields items; :meth:`pages` yields whole typed responses.
    """

    def __init__(
        self,
        call: Callable[..., R],
        spec: PaginatorSpec,
        params: Mapping[str, Any],
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
        progress: ProgressOption[PageProgress] = None,
    ) -> None:
        super().__init__(
            spec, params, max_items=max_items, page_size=page_size, starting_token=starting_token, progress=progress
        )
        self._call = call

    def __iter__(self) -> Iterator[T]:
        return self._run(whole_pages=False)

    def pages(self) -> Iterator[R]:
        """The responses page by page (the last one cut short when ``max_items`` ends in it)."""
        return self._run(whole_pages=True)

    def _run(self, whole_pages: bool) -> Iterator[Any]:
        walk = self._start(whole_pages)
        reply: Any = None
        try:
            while True:
                try:
                    step = walk.send(reply)
                except StopIteration:
                    return
                if isinstance(step, _Fetch):
                    reply = self._call(**step.params)
                else:
                    reply = None
                    yield step.value
        finally:
            walk.close()


class AsyncPaginator(_Base, Generic[T, R]):
    """Iterates the items of a list operation across all its pages, with ``async for``.

    ``async for item in paginator`` yields items; :meth:`pages` yields whole typed responses.
    """

    def __init__(
        self,
        call: Callable[..., Awaitable[R]],
        spec: PaginatorSpec,
        params: Mapping[str, Any],
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
        progress: ProgressOption[PageProgress] = None,
    ) -> None:
        super().__init__(
            spec, params, max_items=max_items, page_size=page_size, starting_token=starting_token, progress=progress
        )
        self._call = call

    def __aiter__(self) -> AsyncIterator[T]:
        return self._run(whole_pages=False)

    def pages(self) -> AsyncIterator[R]:
        """The responses page by page (the last one cut short when ``max_items`` ends in it)."""
        return self._run(whole_pages=True)

    async def _run(self, whole_pages: bool) -> AsyncIterator[Any]:
        walk = self._start(whole_pages)
        reply: Any = None
        try:
            while True:
                try:
                    step = walk.send(reply)
                except StopIteration:
                    return
                if isinstance(step, _Fetch):
                    reply = await self._call(**step.params)
                else:
                    reply = None
                    yield step.value
        finally:
            walk.close()
