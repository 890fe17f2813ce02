"""Response metadata (request id, status, attempts, duration) and eksy's user agent (issue 18)."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any

import eksy
import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"
VPC = {"subnet_ids": ["subnet-1", "subnet-2"]}


def options(emulator: LocalEKS, **extra: Any) -> dict[str, Any]:
    return {
        "region": "us-west-2",
        "endpoint_url": emulator.endpoint_url,
        "aws_access_key_id": "AKIDTESTING",
        "aws_secret_access_key": "testing-secret",
        **extra,
    }


def test_a_response_carries_its_calls_metadata(emulator: LocalEKS, eks: eksy.EKS) -> None:
    response = eks.list_clusters()
    metadata = response.metadata
    assert isinstance(metadata, eksy.ResponseMetadata)
    assert (metadata.service, metadata.operation) == ("eks", "ListClusters")
    assert metadata.http_status == 200
    assert (metadata.attempts, metadata.retry_attempts, metadata.retries) == (1, 0, ())
    assert metadata.duration > 0
    assert metadata.request_id and len(emulator.requests(operation="ListClusters")) == 1
    assert pickle.loads(pickle.dumps(metadata)) == metadata
    assert f"request_id='{metadata.request_id}'" in repr(metadata)


def test_metadata_stays_out_of_the_modeled_members(eks: eksy.EKS) -> None:
    first, second = eks.list_clusters(), eks.list_clusters()
    assert first.metadata is not None and second.metadata is not None
    assert first.metadata.request_id != second.metadata.request_id
    assert first == second
    assert repr(first) == "ListClustersResponse(clusters=[], next_token=None)"
    assert first.to_dict(exclude_none=False) == {"clusters": [], "next_token": None}
    import dataclasses

    assert [f.name for f in dataclasses.fields(first)] == ["clusters", "next_token"]
    # A model the call did not return whole has none.
    assert dataclasses.replace(first).metadata is None
    assert eksy.models.ListClustersResponse(clusters=[]).metadata is None


def test_a_retried_success_counts_its_attempts_and_says_why(emulator: LocalEKS) -> None:
    eks = eksy.EKS(**options(emulator, max_attempts=3))
    emulator.queue_error("ListClusters", "ThrottlingException", count=2)
    metadata = eks.list_clusters().metadata
    assert metadata is not None
    assert len(emulator.requests(operation="ListClusters")) == 3
    assert (metadata.attempts, metadata.retry_attempts, metadata.http_status) == (3, 2, 200)
    assert metadata.retries == ("ThrottlingException (HTTP 429)",) * 2


def test_async_responses_carry_metadata_too(emulator: LocalEKS) -> None:
    async def main() -> eksy.ResponseMetadata | None:
        eks = eksy.AsyncEKS(**options(emulator, max_attempts=2))
        emulator.queue_error("ListClusters", "ServiceUnavailableException")
        return (await eks.list_clusters()).metadata

    metadata = asyncio.run(main())
    assert metadata is not None and metadata.operation == "ListClusters"
    assert (metadata.attempts, metadata.http_status) == (2, 200)
    assert metadata.retries == ("ServiceUnavailableException (HTTP 503)",)


def test_each_page_has_its_own_metadata(emulator: LocalEKS, eks: eksy.EKS) -> None:
    for name in ("a", "b", "c"):
        eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config=VPC)
    emulator.clear_requests()
    pages = list(eks.paginate.list_clusters(page_size=1).pages())
    assert [page.clusters for page in pages] == [["a"], ["b"], ["c"]]
    metadata = [page.metadata for page in pages]
    assert all(m is not None and m.http_status == 200 and m.attempts == 1 for m in metadata)
    assert len({m.request_id for m in metadata if m is not None}) == 3
    assert len(emulator.requests(operation="ListClusters")) == 3


def test_async_pages_have_their_own_metadata(emulator: LocalEKS) -> None:
    async def main() -> list[eksy.ResponseMetadata | None]:
        eks = eksy.AsyncEKS(**options(emulator))
        for name in ("a", "b"):
            await eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config=VPC)
        return [page.metadata async for page in eks.paginate.list_clusters(page_size=1).pages()]

    metadata = asyncio.run(main())
    assert len(metadata) == 2 and all(m is not None and m.operation == "ListClusters" for m in metadata)


def test_a_failed_call_puts_its_metadata_on_the_exception(emulator: LocalEKS) -> None:
    eks = eksy.EKS(**options(emulator, max_attempts=2))
    emulator.queue_error("DescribeCluster", "ServiceUnavailableException", count=2)
    with pytest.raises(eksy.ServiceError) as caught:
        eks.describe_cluster(name="missing")
    metadata = caught.value.metadata
    assert metadata is not None
    assert metadata.request_id == caught.value.request_id
    assert (metadata.http_status, metadata.attempts) == (503, 2)
    assert metadata.retries == ("ServiceUnavailableException (HTTP 503)",)
    # It travels with the exception.
    copied = pickle.loads(pickle.dumps(caught.value))
    assert copied.metadata == metadata


def test_a_dropped_connection_has_no_status(emulator: LocalEKS, eks: eksy.EKS) -> None:
    emulator.queue_drop("ListClusters")
    with pytest.raises(eksy.EndpointConnectionError) as caught:
        eks.list_clusters()
    metadata = caught.value.metadata
    assert metadata is not None
    assert (metadata.http_status, metadata.request_id, metadata.attempts) == (None, None, 1)


def test_requests_identify_eksy_in_the_user_agent(emulator: LocalEKS, eks: eksy.EKS) -> None:
    eks.list_clusters()
    agent = emulator.requests(operation="ListClusters")[0]["headers"]["user-agent"]
    assert agent.startswith("aws-sdk-rust/"), "the SDK's own part comes first"
    assert agent.endswith(f" eksy/{eksy.__version__}")


def test_user_agent_extra_is_appended(emulator: LocalEKS) -> None:
    async def call() -> None:
        await eksy.AsyncEKS(**options(emulator, user_agent_extra="my-pipeline/2.1")).list_clusters()

    eksy.EKS(**options(emulator, user_agent_extra="my-pipeline/2.1")).list_clusters()
    asyncio.run(call())
    agents = [r["headers"]["user-agent"] for r in emulator.requests(operation="ListClusters")]
    assert len(agents) == 2
    assert all(a.endswith(f" eksy/{eksy.__version__} my-pipeline/2.1") for a in agents)
    # It is configuration, so a pickled client keeps it.
    copy = pickle.loads(pickle.dumps(eksy.EKS(**options(emulator, user_agent_extra="x/1"), picklable_credentials=True)))
    copy.list_clusters()
    assert emulator.requests(operation="ListClusters")[-1]["headers"]["user-agent"].endswith(" x/1")


def test_user_agent_extra_must_be_printable_ascii(emulator: LocalEKS) -> None:
    with pytest.raises(eksy.ParamValidationError, match="user_agent_extra"):
        eksy.EKS(**options(emulator, user_agent_extra="tool\r\nX-Injected: 1"))
    with pytest.raises(eksy.ParamValidationError, match="user_agent_extra"):
        eksy.EKS(**options(emulator, user_agent_extra="outil/é"))
