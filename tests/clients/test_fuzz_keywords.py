"""Fuzzing the clients' keyword values (issue 15, acceptance 2, client half): random types and sizes,
long strings included, for a sample of operations, sync and async. Whatever the values, a call
either works or raises an eksy error or a TypeError: never a panic, never another exception.

Bounded: a fixed seed per case, a fixed number of calls, and the test's own timeout.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import random
from datetime import datetime, timezone
from typing import Any

import eksy
import pytest
from eksy.models import NodegroupScalingConfig, Taint
from eksy.testing import LocalEKS

OPERATIONS = [
    "describe_cluster",
    "list_clusters",
    "create_cluster",
    "update_cluster_config",
    "create_nodegroup",
    "update_nodegroup_config",
    "describe_nodegroup",
    "list_updates",
    "list_tags_for_resource",
    "tag_resource",
    "untag_resource",
    "describe_addon_versions",
    "create_access_entry",
    "list_insights",
    "describe_cluster_versions",
    "list_eks_anywhere_subscriptions",
    "create_pod_identity_association",
    "associate_identity_provider_config",
]
CALLS_PER_OPERATION = 40


class Weird:
    def __str__(self) -> str:
        raise RuntimeError("str() of this object fails")


def scalar(rng: random.Random) -> Any:
    choices: list[Any] = [
        None,
        True,
        0,
        -1,
        rng.randint(-(2**40), 2**40),
        2**31,
        2**63,
        -(2**64),
        2**100,
        0.5,
        math.nan,
        math.inf,
        -math.inf,
        1e308,
        "",
        "a",
        "x" * rng.choice([1, 100, 1025, 70_000, 200_000]),
        "é/€?#&=%",
        "\x00\x01\x7f",
        "\ud800",  # a lone surrogate: not UTF-8
        "ACTIVE",
        "arn:aws:eks:us-west-2:123456789012:cluster/c",
        b"bytes",
        bytearray(b"x"),
        object(),
        Weird(),
        datetime.now(timezone.utc),
        datetime(1, 1, 1),
        NodegroupScalingConfig(min_size=1, max_size=2, desired_size=1),
        Taint(key="k", effect="NO_SCHEDULE"),
        ...,
        1 + 2j,
    ]
    return rng.choice(choices)


def value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.random()
    if depth < 3 and kind < 0.15:
        return [value(rng, depth + 1) for _ in range(rng.choice([0, 1, 3, 60]))]
    if depth < 3 and kind < 0.3:
        keys = [scalar(rng) if rng.random() < 0.2 else rng.choice(["min_size", "key", "name", "k", ""]) for _ in "abc"]
        try:
            return {k: value(rng, depth + 1) for k in keys}
        except TypeError:  # an unhashable key
            return {}
    if depth < 3 and kind < 0.35:
        return tuple(value(rng, depth + 1) for _ in range(2))
    return scalar(rng)


def text(rng: random.Random) -> str:
    alphabet = "aZ09-_.~ /:?#&=%+é€\U0001f600\x00\n"
    size = rng.choice([0, 1, 5, 100, 2_000, 20_000, 70_000])
    return "".join(rng.choice(alphabet) for _ in range(size)) if size < 3_000 else rng.choice(alphabet) * size


def typed(rng: random.Random, annotation: str) -> Any:
    """A value of the parameter's own type (sizes and contents still random), to get past the
    type checks to the length checks, the URI and the wire."""
    if annotation.startswith("str"):
        return text(rng)
    if annotation.startswith("int"):
        return rng.choice([0, 1, -1, 100, 2**31 - 1, 2**31, rng.randint(-(10**6), 10**6)])
    if annotation.startswith("bool"):
        return rng.random() < 0.5
    if annotation.startswith("Sequence[str]"):
        return [text(rng) for _ in range(rng.choice([0, 1, 3, 500]))]
    if annotation.startswith("Mapping[str, str]"):
        return {text(rng)[:200]: text(rng) for _ in range(rng.choice([0, 1, 60]))}
    return value(rng)


def arguments(rng: random.Random, method: Any) -> dict[str, Any]:
    params = [p for p in inspect.signature(method).parameters.values() if p.kind is p.KEYWORD_ONLY]
    chosen = {}
    for param in params:
        required = param.default is inspect.Parameter.empty
        if required or rng.random() < 0.5:
            # Annotations are strings here (postponed evaluation), e.g. "str | None".
            annotation = str(param.annotation)
            chosen[param.name] = typed(rng, annotation) if rng.random() < 0.6 else value(rng)
    if rng.random() < 0.05:
        chosen["not_a_parameter"] = 1
    return chosen


def judge(operation: str, kwargs: dict[str, Any], error: BaseException | None) -> None:
    if error is None or isinstance(error, (eksy.EksError, TypeError)):
        assert not isinstance(error, eksy.InternalError), f"{operation}: a caught panic: {error}"
        return
    shown = {k: (repr(v)[:80]) for k, v in kwargs.items()}
    raise AssertionError(f"{operation}({shown}) raised {type(error).__module__}.{type(error).__name__}: {error}")


@pytest.fixture(scope="module")
def fuzz_emulator() -> Any:
    with LocalEKS(region="us-west-2") as local:
        yield local


def client_options(local: LocalEKS) -> dict[str, Any]:
    return {
        "region": "us-west-2",
        "endpoint_url": local.endpoint_url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "max_attempts": 1,
        "read_timeout": 10,
    }


@pytest.mark.timeout(300)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_sync_calls_with_random_keyword_values(fuzz_emulator: LocalEKS, operation: str) -> None:
    rng = random.Random(f"sync-{operation}")
    client = eksy.EKS(**client_options(fuzz_emulator))
    method = getattr(client, operation)
    for _ in range(CALLS_PER_OPERATION):
        kwargs = arguments(rng, method)
        try:
            method(**kwargs)
        except BaseException as error:
            judge(operation, kwargs, error)


@pytest.mark.timeout(300)
def test_async_calls_with_random_keyword_values(fuzz_emulator: LocalEKS) -> None:
    rng = random.Random("async")
    client = eksy.AsyncEKS(**client_options(fuzz_emulator))
    auth = eksy.AsyncEKSAuth(**client_options(fuzz_emulator))

    async def run() -> None:
        for operation in [*OPERATIONS[:6], "assume_role_for_pod_identity"]:
            method = getattr(auth if operation.startswith("assume") else client, operation)
            for _ in range(CALLS_PER_OPERATION // 2):
                kwargs = arguments(rng, method)
                try:
                    await method(**kwargs)
                except BaseException as error:
                    judge(operation, kwargs, error)

    asyncio.run(run())


@pytest.mark.timeout(120)
def test_client_construction_with_random_values() -> None:
    rng = random.Random("construction")
    names = [p.name for p in inspect.signature(eksy.EKS.__init__).parameters.values() if p.kind is p.KEYWORD_ONLY]
    for _ in range(300):
        kwargs = {name: value(rng) for name in rng.sample(names, rng.randint(1, 4))}
        kwargs.setdefault("region", "us-west-2")
        try:
            eksy.EKS(**kwargs)
        except BaseException as error:
            judge("EKS()", kwargs, error)
