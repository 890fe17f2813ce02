"""How async results reach the event loop (issue 16): a wake-up descriptor per loop, or, for a
loop that cannot watch one, pyo3-async-runtimes' hand-over."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import eksy
from eksy.testing import LocalEKS


def client(emulator: LocalEKS, **extra: Any) -> eksy.AsyncEKS:
    return eksy.AsyncEKS(
        region="us-west-2",
        endpoint_url=emulator.endpoint_url,
        aws_access_key_id="AKIDTESTING",
        aws_secret_access_key="testing-secret",
        **extra,
    )


class NoReaderLoop(asyncio.SelectorEventLoop):
    """A loop without add_reader, as the proactor loop on Windows."""

    def add_reader(self, *args: Any) -> None:
        raise NotImplementedError


async def many(eks: eksy.AsyncEKS, count: int) -> list[Any]:
    return await asyncio.gather(*(eks.list_clusters() for _ in range(count)))


def test_a_loop_without_add_reader_still_gets_results(emulator: LocalEKS) -> None:
    loop = NoReaderLoop()
    try:
        eks = client(emulator)
        results = loop.run_until_complete(many(eks, 20))
        assert all(r.clusters == [] for r in results)
        emulator.queue_error("ListClusters", "AccessDeniedException")

        async def failing() -> BaseException | None:
            try:
                await eks.list_clusters()
            except eksy.ServiceError as error:
                return error
            return None

        failed = loop.run_until_complete(failing())
        assert isinstance(failed, eksy.ServiceError) and failed.code == "AccessDeniedException"
    finally:
        loop.close()


def test_loops_in_several_threads_each_get_their_own_results(emulator: LocalEKS) -> None:
    eks = client(emulator)
    outcomes: dict[int, list[Any]] = {}

    def run(index: int) -> None:
        outcomes[index] = asyncio.run(many(eks, 50))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == [0, 1, 2, 3]
    assert all(len(r) == 50 and all(x.clusters == [] for x in r) for r in outcomes.values())
    assert len(emulator.requests(operation="ListClusters")) == 200


def test_a_closed_loop_leaves_the_next_one_working(emulator: LocalEKS) -> None:
    eks = client(emulator)
    emulator.set_latency(0.5, "ListClusters")

    abandoned: list[asyncio.Future[Any]] = []

    async def abandon() -> None:
        # Started, then its loop goes away while it is in flight.
        abandoned.append(asyncio.ensure_future(eks.list_clusters()))
        await asyncio.sleep(0.05)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(abandon())
    abandoned[0].cancel()
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    emulator.set_latency(0)
    assert [r.clusters for r in asyncio.run(many(eks, 3))] == [[], [], []]
