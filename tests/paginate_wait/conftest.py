"""Fixtures: one emulator per module (state reset before every test) and clients that do not
retry on their own, so the waiters' own handling of throttling is what the tests see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import eksy
import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"


@pytest.fixture(scope="module")
def emulator() -> Iterator[LocalEKS]:
    with LocalEKS() as local:
        yield local


@pytest.fixture
def local(emulator: LocalEKS) -> LocalEKS:
    emulator.reset()
    return emulator


def _kwargs(local: LocalEKS) -> dict[str, Any]:
    return {
        "region": local.region,
        "endpoint_url": local.endpoint_url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "max_attempts": 1,
    }


@pytest.fixture
def eks(local: LocalEKS) -> eksy.EKS:
    return eksy.EKS(**_kwargs(local))


@pytest.fixture
def aeks(local: LocalEKS) -> eksy.AsyncEKS:
    return eksy.AsyncEKS(**_kwargs(local))
