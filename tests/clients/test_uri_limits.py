"""Members sent in the request URI: too long or empty is a ParamValidationError before sending, and no
panic of the Rust core ever reaches Python (issue 15, item 2)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import eksy
import pytest
from eksy.testing import LocalEKS

# The http crate's limit on a request's path and query, which the SDK would panic on.
URI_MAX = 65_534
# Plain, reserved and non-ASCII characters: each encodes to a different length.
MIXED = "ab/:é€ c~"


def encoded(text: str) -> int:
    # Python's encoder as the reference: everything but RFC 3986's unreserved characters.
    return len(quote(text, safe=""))


def fill(budget: int) -> str:
    """A string of MIXED characters that percent-encodes to exactly ``budget`` bytes."""
    text = ""
    while encoded(text + MIXED) <= budget:
        text += MIXED
    while encoded(text) < budget:
        text += "x"
    assert encoded(text) == budget
    return text


@pytest.mark.parametrize(
    ("call", "member"),
    [
        (lambda c, v: c.describe_cluster(name=v), "name"),
        (lambda c, v: c.list_clusters(next_token=v), "next_token"),
        (lambda c, v: c.list_tags_for_resource(resource_arn=v), "resource_arn"),
        (lambda c, v: c.describe_nodegroup(cluster_name="c", nodegroup_name=v), "nodegroup_name"),
        (lambda c, v: c.list_updates(name="c", addon_name=v), "addon_name"),
    ],
)
def test_long_uri_members_raise_param_validation_error(
    emulator: LocalEKS, eks: eksy.EKS, call: Any, member: str
) -> None:
    with pytest.raises(eksy.ParamValidationError) as caught:
        call(eks, "a" * 70_000)
    assert caught.value.path == member
    assert "too long for the request URI" in str(caught.value) and "URL may hold at most 65534" in str(caught.value)
    assert emulator.requests() == []


def test_many_short_query_items_are_measured_together(emulator: LocalEKS, eks: eksy.EKS) -> None:
    with pytest.raises(eksy.ParamValidationError) as caught:
        eks.untag_resource(resource_arn="arn:aws:eks:us-west-2:123456789012:cluster/c", tag_keys=["k" * 100] * 700)
    assert caught.value.path == "tag_keys"
    assert emulator.requests() == []


def test_the_limit_is_exactly_the_sdks(emulator: LocalEKS, eks: eksy.EKS) -> None:
    # The whole URL counts (the SDK signs and sends a parsed http::Uri): endpoint, path, query.
    base = len(emulator.endpoint_url)
    name = fill(URI_MAX - base - len("/clusters/"))
    with pytest.raises(eksy.ResourceNotFoundException):
        eks.describe_cluster(name=name)
    (sent,) = emulator.requests(operation="DescribeCluster")
    assert base + len(sent["path"]) == URI_MAX, "the recorded path is the encoded one"
    with pytest.raises(eksy.ParamValidationError, match="too long"):
        eks.describe_cluster(name=name + "x")
    token = fill(URI_MAX - base - len("/clusters?nextToken="))
    with pytest.raises(eksy.InvalidParameterException, match="nextToken"):  # sent; the emulator judges it
        eks.list_clusters(next_token=token)
    with pytest.raises(eksy.ParamValidationError, match="too long"):
        eks.list_clusters(next_token=token + "x")
    assert len(emulator.requests(operation="ListClusters")) == 1


@pytest.mark.parametrize(
    ("call", "member"),
    [
        (lambda c: c.describe_cluster(name=""), "name"),
        (lambda c: c.describe_nodegroup(cluster_name="c", nodegroup_name=""), "nodegroup_name"),
        (lambda c: c.describe_update(name="c", update_id=""), "update_id"),
    ],
)
def test_empty_uri_labels_name_the_parameter(emulator: LocalEKS, eks: eksy.EKS, call: Any, member: str) -> None:
    with pytest.raises(eksy.ParamValidationError) as caught:
        call(eks)
    assert caught.value.path == member
    assert "must not be empty" in str(caught.value)
    assert emulator.requests() == []


def test_async_long_and_empty_members(emulator: LocalEKS) -> None:
    client = emulator.async_client()

    async def scenario() -> list[str]:
        paths = []
        for value in ("a" * 70_000, ""):
            try:
                await client.describe_cluster(name=value)
            except eksy.ParamValidationError as error:
                paths.append(error.path)
        return paths

    assert asyncio.run(scenario()) == ["name", "name"]
    assert emulator.requests() == []


@pytest.mark.parametrize("stage", ["prepare", "poll"])
def test_a_panic_becomes_internal_error_sync(emulator: LocalEKS, stage: str) -> None:
    # _force_panic is a test-only hook of the Rust core: the next call panics at that stage.
    client = emulator.client()
    client._core._force_panic(stage)
    with pytest.raises(eksy.InternalError, match=r"ListClusters: eksy failed unexpectedly.*forced") as caught:
        client.list_clusters()
    assert isinstance(caught.value, eksy.EksError) and isinstance(caught.value, Exception)
    assert client.list_clusters().clusters == [], "the client stays usable"


@pytest.mark.parametrize("stage", ["prepare", "poll"])
def test_a_panic_becomes_internal_error_async(emulator: LocalEKS, stage: str) -> None:
    client = emulator.async_client()

    async def scenario() -> list[str]:
        client._core._force_panic(stage)
        with pytest.raises(eksy.InternalError, match="forced"):
            await client.list_clusters()
        return list((await client.list_clusters()).clusters or [])

    assert asyncio.run(scenario()) == []
