"""Paginators over fake clients that serve pages like EKS does: every one of the 16 paginators,
sync and async, with page_size, max_items, resume tokens and a misbehaving server."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import math
import pickle
from types import SimpleNamespace
from typing import Any

import pytest
from eksy import EksError, PaginationError
from eksy._generated import eks_models, paginators
from eksy._paginate import AsyncPaginator, Paginator, PaginatorSpec
from eksy.progress import PageProgress

SPECS: list[PaginatorSpec] = sorted(
    (v for v in vars(paginators).values() if isinstance(v, PaginatorSpec)), key=lambda s: s.name
)


def response_class(spec: PaginatorSpec) -> Any:
    return getattr(eks_models, spec.operation + "Response")


class FakeLister:
    """One list operation: opaque tokens, ``max_results`` (default 100), recorded calls."""

    def __init__(self, spec: PaginatorSpec, items: list[Any], *, stuck_after: int | None = None) -> None:
        self.spec = spec
        self.items = items
        self.calls: list[dict[str, Any]] = []
        self.stuck_after = stuck_after  # from this page on, always answer the same token

    def __call__(self, **params: Any) -> Any:
        self.calls.append(params)
        token = params.get(self.spec.input_token)
        start = int(base64.b64decode(token)) if token else 0
        size = params.get(self.spec.limit_key or "") or 100
        end = start + size
        if self.stuck_after is not None and len(self.calls) > self.stuck_after:
            end = start
        more = end < len(self.items)
        next_token = base64.b64encode(str(end).encode()).decode() if more else None
        page = self.items[start:end]
        return response_class(self.spec)(**{self.spec.result_key: page, self.spec.output_token: next_token})


def fake_clients(lister: FakeLister) -> tuple[Any, Any]:
    async def call(**params: Any) -> Any:
        await asyncio.sleep(0)
        return lister(**params)

    sync = paginators.EKSPaginators(SimpleNamespace(**{lister.spec.name: lister}))  # type: ignore[arg-type]
    aio = paginators.AsyncEKSPaginators(SimpleNamespace(**{lister.spec.name: call}))  # type: ignore[arg-type]
    return sync, aio


def required_args(spec: PaginatorSpec) -> dict[str, Any]:
    """Dummy values for the operation's required parameters (e.g. ``cluster_name``)."""
    import inspect

    method = getattr(paginators.EKSPaginators, spec.name)
    return {
        p.name: "x"
        for p in inspect.signature(method).parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty
    }


def drain(paginator: Paginator[Any, Any] | AsyncPaginator[Any, Any], pages: bool = False) -> list[Any]:
    if isinstance(paginator, Paginator):
        return list(paginator.pages() if pages else paginator)

    async def collect() -> list[Any]:
        source = paginator.pages() if pages else paginator
        return [x async for x in source]

    return asyncio.run(collect())


def make(spec: PaginatorSpec, count: int, is_async: bool, **options: Any) -> tuple[Any, FakeLister]:
    items = [f"{spec.name}-{i:04d}" for i in range(count)]
    lister = FakeLister(spec, items)
    sync, aio = fake_clients(lister)
    client = aio if is_async else sync
    return getattr(client, spec.name)(**required_args(spec), **options), lister


MODES = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


def test_all_sixteen_paginators_are_generated() -> None:
    assert len(SPECS) == 16


@MODES
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_paginator_walks_every_page(spec: PaginatorSpec, is_async: bool) -> None:
    paginator, lister = make(spec, 120, is_async, page_size=7)
    assert drain(paginator) == lister.items
    assert len(lister.calls) == math.ceil(120 / 7)
    assert all(call[spec.limit_key or ""] == 7 for call in lister.calls)
    assert spec.input_token not in lister.calls[0]
    assert paginator.resume_token is None

    pages = drain(paginator, pages=True)
    assert all(isinstance(p, response_class(spec)) for p in pages)
    assert [len(getattr(p, spec.result_key)) for p in pages] == [7] * 17 + [1]


@MODES
def test_required_parameters_are_passed_on(is_async: bool) -> None:
    spec = paginators._LIST_NODEGROUPS
    lister = FakeLister(spec, ["a", "b", "c"])
    client = fake_clients(lister)[is_async]
    assert drain(client.list_nodegroups(cluster_name="prod", page_size=2)) == ["a", "b", "c"]
    assert [c["cluster_name"] for c in lister.calls] == ["prod", "prod"]


@MODES
@pytest.mark.parametrize("max_items", [0, 1, 6, 7, 8, 14, 119, 120, 500])
def test_max_items_and_resume_token(max_items: int, is_async: bool) -> None:
    spec = paginators._LIST_CLUSTERS
    paginator, lister = make(spec, 120, is_async, page_size=7, max_items=max_items)
    first = drain(paginator)
    assert first == lister.items[:max_items]
    token = paginator.resume_token
    if max_items >= 120:
        assert token is None
        return
    assert token is not None
    # Resuming (here with another page size) continues right after the last item.
    rest, _ = make(spec, 120, is_async, page_size=5, starting_token=token)
    assert first + drain(rest) == lister.items


@MODES
def test_resume_in_chunks_across_pages(is_async: bool) -> None:
    spec = paginators._LIST_CLUSTERS
    seen: list[str] = []
    token: str | None = None
    rounds = 0
    while rounds == 0 or token is not None:
        paginator, lister = make(spec, 120, is_async, page_size=7, max_items=11, starting_token=token)
        seen += drain(paginator)
        token = paginator.resume_token
        rounds += 1
    assert seen == lister.items
    assert rounds == math.ceil(120 / 11)


@MODES
def test_pages_are_cut_to_max_items(is_async: bool) -> None:
    spec = paginators._LIST_CLUSTERS
    paginator, lister = make(spec, 30, is_async, page_size=7, max_items=10)
    pages = drain(paginator, pages=True)
    assert [p.clusters for p in pages] == [lister.items[:7], lister.items[7:10]]
    rest, _ = make(spec, 30, is_async, page_size=7, starting_token=paginator.resume_token)
    assert [c for p in drain(rest, pages=True) for c in p.clusters] == lister.items[10:]


def test_breaking_out_early_leaves_a_resume_token() -> None:
    spec = paginators._LIST_CLUSTERS
    paginator, lister = make(spec, 50, False, page_size=7)
    taken = []
    for name in paginator:
        taken.append(name)
        if len(taken) == 9:
            break
    rest, _ = make(spec, 50, False, page_size=7, starting_token=paginator.resume_token)
    assert taken + list(rest) == lister.items


async def test_breaking_out_early_async() -> None:
    spec = paginators._LIST_CLUSTERS
    paginator, lister = make(spec, 50, True, page_size=7)
    taken = []
    async for name in paginator:
        taken.append(name)
        if len(taken) == 7:
            break
    # A page boundary: the token is the service's own.
    assert paginator.resume_token == base64.b64encode(b"7").decode()
    rest, _ = make(spec, 50, True, page_size=7, starting_token=paginator.resume_token)
    assert taken + [x async for x in rest] == lister.items


@MODES
def test_a_repeated_token_raises_instead_of_looping(is_async: bool) -> None:
    spec = paginators._LIST_CLUSTERS
    lister = FakeLister(spec, [f"c{i}" for i in range(50)], stuck_after=2)
    client = fake_clients(lister)[is_async]
    received: list[str] = []

    async def collect_async() -> None:
        async for name in client.list_clusters(page_size=5):
            received.append(name)

    with pytest.raises(PaginationError) as info:
        if is_async:
            asyncio.run(collect_async())
        else:
            received.extend(client.list_clusters(page_size=5))
    assert received == lister.items[:10]  # pages before the loop are still handed out
    assert "twice" in str(info.value) and info.value.paginator == "list_clusters"
    assert len(lister.calls) == 3  # the third page answers its own token again
    assert isinstance(info.value, EksError)
    assert pickle.loads(pickle.dumps(info.value)).token == info.value.token


def test_bad_starting_tokens_are_rejected_up_front() -> None:
    spec = paginators._LIST_CLUSTERS
    with pytest.raises(PaginationError):
        make(spec, 5, False, starting_token="eksy:not-base64!")
    with pytest.raises(ValueError):
        make(spec, 5, False, page_size=0)
    with pytest.raises(ValueError):
        make(spec, 5, False, max_items=-1)


def test_a_service_token_works_as_starting_token() -> None:
    spec = paginators._LIST_CLUSTERS
    paginator, lister = make(spec, 20, False, starting_token=base64.b64encode(b"15").decode())
    assert list(paginator) == lister.items[15:]


def test_iterating_twice_starts_over() -> None:
    paginator, lister = make(paginators._LIST_CLUSTERS, 20, False, page_size=6, max_items=8)
    assert list(paginator) == list(paginator) == lister.items[:8]
    assert paginator.resume_token is not None


@MODES
def test_progress_callback_sees_every_page(is_async: bool) -> None:
    events: list[PageProgress] = []
    paginator, _ = make(paginators._LIST_CLUSTERS, 20, is_async, page_size=6, progress=events.append)
    drain(paginator)
    assert [(e.paginator, e.page, e.items) for e in events] == [
        ("list_clusters", 1, 6),
        ("list_clusters", 2, 12),
        ("list_clusters", 3, 18),
        ("list_clusters", 4, 20),
    ]
    assert all(isinstance(e.response, eks_models.ListClustersResponse) for e in events)


def test_pages_keep_non_aggregate_members() -> None:
    spec = paginators._LIST_ASSOCIATED_ACCESS_POLICIES
    lister = FakeLister(spec, list(range(9)))
    original = lister.__call__

    def with_keys(**params: Any) -> Any:
        return dataclasses.replace(original(**params), cluster_name="prod", principal_arn="arn:p")

    client = paginators.EKSPaginators(SimpleNamespace(list_associated_access_policies=with_keys))  # type: ignore[arg-type]
    paginator = client.list_associated_access_policies(cluster_name="prod", principal_arn="arn:p", page_size=4)
    pages = list(paginator.pages())
    assert [p.cluster_name for p in pages] == ["prod"] * 3
