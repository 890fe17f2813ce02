"""Each client has its own retry budget, as each boto3 client has (issue 15, item 7)."""

from __future__ import annotations

import asyncio
from typing import Any

import eksy
import pytest
from eksy.testing import LocalEKS


def options(emulator: LocalEKS) -> dict[str, Any]:
    return {
        "region": "us-west-2",
        "endpoint_url": emulator.endpoint_url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


def exhaust_the_budget(client: eksy.AsyncEKS) -> None:
    async def one() -> None:
        try:
            await client.list_clusters()
        except eksy.ServiceError:
            pass

    async def many() -> None:
        # The budget holds 500 tokens and a retry costs 5: 80 calls of 3 attempts ask for 800.
        # Concurrent, so the backoff between attempts is waited once rather than 80 times.
        await asyncio.gather(*(one() for _ in range(80)))

    asyncio.run(many())


@pytest.mark.timeout(120)
def test_a_new_client_retries_after_another_exhausted_its_budget(emulator: LocalEKS) -> None:
    a = eksy.AsyncEKS(**options(emulator))
    emulator.set_error_rate(1.0, code="ServiceUnavailableException")
    exhaust_the_budget(a)
    attempts = len(emulator.requests(operation="ListClusters"))
    assert 80 < attempts < 240, "some calls were retried, until the budget stopped the retries"
    emulator.set_error_rate(0)

    # Client A has no budget left: one dropped connection fails its call.
    emulator.queue_drop("ListClusters")
    with pytest.raises(eksy.EndpointConnectionError):
        asyncio.run(a.list_clusters())

    # Client B starts with a full budget: the dropped connection is retried and the call succeeds.
    b = eksy.EKS(**options(emulator))
    emulator.clear_requests()
    emulator.queue_drop("ListClusters")
    assert b.list_clusters().clusters == []
    assert len(emulator.requests(operation="ListClusters")) == 2
