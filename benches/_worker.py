"""One measurement in a fresh interpreter, for ``benches/run.py``.

Usage: ``python benches/_worker.py '<json spec>'``; prints one JSON object on stdout.

This file only imports the standard library at module level: it runs both in the eksy
virtualenv (eksy, boto3) and in the separate aiobotocore virtualenv, and each library is
imported inside the measurement that needs it, so nothing is preloaded for another.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from statistics import median
from typing import Any

REGION = "us-west-2"
KEY = "testing"
ROLE_ARN = "arn:aws:iam::123456789012:role/eksy-bench"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
MAX_PAGES = 10_000  # bound on every pagination loop


# --------------------------------------------------------------------------- clients


def eksy_sync(endpoint: str) -> Any:
    import eksy

    return eksy.EKS(region=REGION, endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=KEY)


def eksy_async(endpoint: str) -> Any:
    import eksy

    return eksy.AsyncEKS(region=REGION, endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=KEY)


def boto3_client(endpoint: str, pool: int | None = None) -> Any:
    import boto3

    kwargs: dict[str, Any] = {}
    if pool is not None:
        from botocore.config import Config

        kwargs["config"] = Config(max_pool_connections=pool)
    return boto3.client(
        "eks", region_name=REGION, endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=KEY, **kwargs
    )


def aio_create(session: Any, endpoint: str, pool: int | None = None) -> Any:
    """The async context manager aiobotocore returns; enter it to get the client."""
    kwargs: dict[str, Any] = {}
    if pool is not None:
        from aiobotocore.config import AioConfig

        kwargs["config"] = AioConfig(max_pool_connections=pool)
    return session.create_client(
        "eks", region_name=REGION, endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=KEY, **kwargs
    )


# --------------------------------------------------------------------------- measurements


def m_construct(spec: dict[str, Any]) -> dict[str, Any]:
    """First client construction in this fresh process, its first describe_cluster call,
    then the median of later constructions."""
    lib, endpoint, repeat = spec["lib"], spec["endpoint"], spec["repeat"]
    if lib == "aiobotocore":
        import asyncio

        import aiobotocore.session  # noqa: F401  (import is not part of construction)

        async def run() -> tuple[float, list[float]]:
            from aiobotocore.session import get_session

            t = time.perf_counter()
            session = get_session()
            cm = aio_create(session, endpoint)
            client = await cm.__aenter__()
            first = time.perf_counter() - t
            t = time.perf_counter()
            await client.describe_cluster(name=spec["cluster"])
            first_call = time.perf_counter() - t
            later = []
            keep = [cm]
            for _ in range(repeat):
                t = time.perf_counter()
                cm = aio_create(session, endpoint)
                await cm.__aenter__()
                later.append(time.perf_counter() - t)
                keep.append(cm)
            for cm in keep:
                await cm.__aexit__(None, None, None)
            return first, first_call, later

        first, first_call, later = asyncio.run(run())
    else:
        if lib == "eksy":
            import eksy  # noqa: F401

            make: Callable[[], Any] = lambda: eksy_sync(endpoint)  # noqa: E731
        elif lib == "boto3":
            import boto3  # noqa: F401

            make = lambda: boto3_client(endpoint)  # noqa: E731
        else:
            raise ValueError(lib)
        keep = []
        t = time.perf_counter()
        keep.append(make())
        first = time.perf_counter() - t
        t = time.perf_counter()
        keep[0].describe_cluster(name=spec["cluster"])
        first_call = time.perf_counter() - t
        later = []
        for _ in range(repeat):
            t = time.perf_counter()
            keep.append(make())
            later.append(time.perf_counter() - t)
    return {"first_s": first, "first_call_s": first_call, "subsequent_s": median(later) if later else None}


def m_rss(spec: dict[str, Any]) -> dict[str, Any]:
    """Peak RSS of this process after importing the library and creating one client."""
    import resource

    lib, endpoint = spec["lib"], spec["endpoint"]
    if lib == "eksy":
        client = eksy_sync(endpoint)
    elif lib == "boto3":
        client = boto3_client(endpoint)
    elif lib == "aiobotocore":
        import asyncio

        from aiobotocore.session import get_session

        async def run() -> None:
            async with aio_create(get_session(), endpoint):
                pass

        asyncio.run(run())
        client = None
    else:
        raise ValueError(lib)
    del client
    return {"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def m_sequential(spec: dict[str, Any]) -> dict[str, Any]:
    """N describe_cluster calls one after another on one client (after a warm-up)."""
    lib, endpoint, name, n = spec["lib"], spec["endpoint"], spec["cluster"], spec["n"]
    if lib == "eksy":
        c = eksy_sync(endpoint)
    elif lib == "eksy-logged":
        import logging
        import os

        # One DEBUG line per call, formatted and written, as an application that logs would.
        logging.basicConfig(level=logging.DEBUG, filename=os.devnull)
        c = eksy_sync(endpoint)
    elif lib == "boto3":
        c = boto3_client(endpoint)
    else:
        raise ValueError(lib)
    call = c.describe_cluster
    for _ in range(min(n, 50)):
        call(name=name)
    per = []
    cpu0 = time.process_time()  # every thread of this process: eksy's runtime threads too
    t0 = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        call(name=name)
        per.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    cpu_us = (time.process_time() - cpu0) / n * 1e6
    return {
        "calls": n,
        "total_s": total,
        "calls_per_s": n / total,
        "median_us": median(per) * 1e6,
        "cpu_us_per_call": cpu_us,
    }


def m_concurrent(spec: dict[str, Any]) -> dict[str, Any]:
    """N describe_cluster calls with INFLIGHT in flight."""
    lib, endpoint, name, n, inflight = spec["lib"], spec["endpoint"], spec["cluster"], spec["n"], spec["inflight"]
    if lib == "boto3-threads":
        from concurrent.futures import ThreadPoolExecutor

        c = boto3_client(endpoint, pool=inflight)
        with ThreadPoolExecutor(max_workers=inflight) as pool:
            list(pool.map(lambda _: c.describe_cluster(name=name), range(inflight)))  # warm every connection
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            list(pool.map(lambda _: c.describe_cluster(name=name), range(n)))
            total = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
        return {
            "calls": n,
            "inflight": inflight,
            "total_s": total,
            "calls_per_s": n / total,
            "cpu_us_per_call": cpu / n * 1e6,
        }

    import asyncio

    async def gather(call: Callable[[], Any], count: int) -> None:
        sem = asyncio.Semaphore(inflight)

        async def one() -> None:
            async with sem:
                await call()

        await asyncio.gather(*(one() for _ in range(count)))

    async def timed(call: Callable[[], Any]) -> tuple[float, float]:
        await gather(call, inflight)  # warm: opens the pooled connections
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        await gather(call, n)
        return time.perf_counter() - t0, time.process_time() - cpu0

    async def run() -> tuple[float, float]:
        if lib == "eksy-async":
            c = eksy_async(endpoint)
            return await timed(lambda: c.describe_cluster(name=name))
        if lib == "aiobotocore":
            from aiobotocore.session import get_session

            async with aio_create(get_session(), endpoint, pool=inflight) as c:
                return await timed(lambda: c.describe_cluster(name=name))
        raise ValueError(lib)

    total, cpu = asyncio.run(run())
    return {
        "calls": n,
        "inflight": inflight,
        "total_s": total,
        "calls_per_s": n / total,
        "cpu_us_per_call": cpu / n * 1e6,
    }


def m_threads(spec: dict[str, Any]) -> dict[str, Any]:
    """N describe_cluster calls on ONE shared sync eksy client, split across T threads."""
    import threading

    endpoint, name, n, threads = spec["endpoint"], spec["cluster"], spec["n"], spec["threads"]
    c = eksy_sync(endpoint)
    for _ in range(min(n, 50)):
        c.describe_cluster(name=name)
    share = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    start = threading.Barrier(threads + 1)

    def work(k: int) -> None:
        start.wait()
        for _ in range(k):
            c.describe_cluster(name=name)

    workers = [threading.Thread(target=work, args=(k,)) for k in share]
    for w in workers:
        w.start()
    start.wait()
    t0 = time.perf_counter()
    for w in workers:
        w.join()
    total = time.perf_counter() - t0
    return {"calls": n, "threads": threads, "total_s": total, "calls_per_s": n / total}


def _list_all(list_page: Callable[[str | None], tuple[list[str], str | None]]) -> tuple[int, int]:
    token: str | None = None
    clusters = pages = 0
    for _ in range(MAX_PAGES):
        names, token = list_page(token)
        pages += 1
        clusters += len(names)
        if not token:
            break
    return clusters, pages


def m_list(spec: dict[str, Any]) -> dict[str, Any]:
    """list_clusters, every page (page size 100), REPEAT times; median per full listing."""
    lib, endpoint, repeat, size = spec["lib"], spec["endpoint"], spec["repeat"], spec["page_size"]
    if lib == "eksy":
        c = eksy_sync(endpoint)

        def page(token: str | None) -> tuple[list[str], str | None]:
            out = c.list_clusters(max_results=size, next_token=token)
            return list(out.clusters or []), out.next_token

    elif lib == "boto3":
        c = boto3_client(endpoint)

        def page(token: str | None) -> tuple[list[str], str | None]:
            kw: dict[str, Any] = {"maxResults": size}
            if token:
                kw["nextToken"] = token
            out = c.list_clusters(**kw)
            return out["clusters"], out.get("nextToken")

    else:
        raise ValueError(lib)
    clusters, pages = _list_all(page)  # warm
    per = []
    for _ in range(repeat):
        t = time.perf_counter()
        got, _ = _list_all(page)
        per.append(time.perf_counter() - t)
        assert got == clusters, (got, clusters)
    return {"clusters": clusters, "pages": pages, "median_us": median(per) * 1e6}


def m_addons(spec: dict[str, Any]) -> dict[str, Any]:
    """describe_addon_versions with no filter (the largest response), REPEAT times; median per call."""
    lib, endpoint, repeat = spec["lib"], spec["endpoint"], spec["repeat"]
    if lib == "eksy":
        c = eksy_sync(endpoint)

        def call() -> int:
            return len(c.describe_addon_versions().addons or [])

    elif lib == "boto3":
        c = boto3_client(endpoint)

        def call() -> int:
            return len(c.describe_addon_versions()["addons"])

    else:
        raise ValueError(lib)
    addons = call()
    per = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        per.append(time.perf_counter() - t)
    return {"addons": addons, "median_us": median(per) * 1e6}


def m_seed(spec: dict[str, Any]) -> dict[str, Any]:
    """Create the describe target and fill the account up to COUNT clusters (with boto3:
    every server under test speaks its wire protocol)."""
    endpoint, name, count = spec["endpoint"], spec["cluster"], spec["count"]
    c = boto3_client(endpoint)
    have = set(_existing(c))
    names = [name] + [f"{name}-{i:04d}" for i in range(1, count)]
    vpc = {"subnetIds": SUBNETS}
    from concurrent.futures import ThreadPoolExecutor

    # A few threads: moto's server takes ~0.1 s per create_cluster. (boto3 clients are thread-safe.)
    with ThreadPoolExecutor(max_workers=8) as pool:
        todo = [n for n in names if n not in have]
        list(pool.map(lambda n: c.create_cluster(name=n, roleArn=ROLE_ARN, resourcesVpcConfig=vpc), todo))
    return {"clusters": len(set(_existing(c)))}


def _existing(c: Any) -> list[str]:
    out: list[str] = []
    token = None
    for _ in range(MAX_PAGES):
        kw: dict[str, Any] = {"maxResults": 100}
        if token:
            kw["nextToken"] = token
        page = c.list_clusters(**kw)
        out.extend(page["clusters"])
        token = page.get("nextToken")
        if not token:
            break
    return out


MODES = {
    "construct": m_construct,
    "rss": m_rss,
    "sequential": m_sequential,
    "concurrent": m_concurrent,
    "threads": m_threads,
    "list": m_list,
    "addons": m_addons,
    "seed": m_seed,
}

if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    print(json.dumps(MODES[spec["mode"]](spec)))
