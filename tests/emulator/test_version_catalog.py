"""A test replaces the Kubernetes version catalog (LocalEKS.set_version_catalog, or POST
/_eksy/control/set_version_catalog) to pin its own dates: describe_cluster_versions, the
versions CreateCluster accepts and the default version follow it; builtin=True restores it."""

from __future__ import annotations

import datetime
import http.client
import json
from collections.abc import Iterator
from typing import Any

import boto3
import eksy
import pytest
from eksy.testing import CatalogVersion, LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"
VPC = {"subnet_ids": ["subnet-a", "subnet-b"]}
DAY = 86_400.0


@pytest.fixture
def local() -> Iterator[LocalEKS]:
    with LocalEKS() as emulator:
        yield emulator


def pinned(now: float) -> list[CatalogVersion]:
    """1.40 in extended support, 1.41 and 1.42 in standard support, 1.43 not released yet."""
    today = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date()
    return [
        {
            "version": "1.40",
            "release_date": today - datetime.timedelta(days=400),
            "end_of_standard_support": today - datetime.timedelta(days=30),
            "end_of_extended_support": today + datetime.timedelta(days=300),
            "platform_version": "eks.9",
        },
        {
            "version": "1.42",
            "release_date": now - 100 * DAY,
            "end_of_standard_support": now + 300 * DAY,
            "end_of_extended_support": now + 600 * DAY,
            "kubernetes_patch_version": "1.42.3",
        },
        {
            "version": "1.41",
            "release_date": (today - datetime.timedelta(days=200)).isoformat(),
            "end_of_standard_support": datetime.datetime.fromtimestamp(now + 200 * DAY),  # naive: UTC
            "end_of_extended_support": now + 500 * DAY,
        },
        {
            "version": "1.43",
            "release_date": now + 30 * DAY,
            "end_of_standard_support": now + 450 * DAY,
            "end_of_extended_support": now + 800 * DAY,
        },
    ]


def offered(eks: eksy.EKS) -> dict[str, tuple[str | None, bool | None]]:
    return {
        str(v.cluster_version): (v.version_status, v.default_version)
        for v in eks.describe_cluster_versions().cluster_versions or []
    }


def test_a_pinned_catalog_decides_versions_support_and_the_default(local: LocalEKS) -> None:
    catalog = local.set_version_catalog(pinned(local.now()))
    assert [v["version"] for v in catalog] == ["1.40", "1.41", "1.42", "1.43"]
    assert local.version_catalog() == catalog
    eks = local.client()
    assert offered(eks) == {
        "1.42": ("STANDARD_SUPPORT", False),
        "1.41": ("STANDARD_SUPPORT", True),
        "1.40": ("EXTENDED_SUPPORT", False),
    }
    eks.create_cluster(name="default", role_arn=ROLE, resources_vpc_config=VPC)
    cluster = eks.describe_cluster(name="default").cluster
    assert cluster is not None and cluster.version == "1.41"
    old = eks.create_cluster(name="old", version="1.40", role_arn=ROLE, resources_vpc_config=VPC).cluster
    assert old is not None and old.platform_version == "eks.9"
    for version in ["1.43", "1.35", "1.39"]:  # not yet released; only in the built-in catalog; unknown
        with pytest.raises(eksy.InvalidParameterException, match=version):
            eks.create_cluster(name="refused", version=version, role_arn=ROLE, resources_vpc_config=VPC)
    local.advance(31 * DAY)  # 1.43 is released: the clock moves the catalog's support with it
    assert offered(eks)["1.43"] == ("STANDARD_SUPPORT", False)
    assert offered(eks)["1.42"] == ("STANDARD_SUPPORT", True)


def test_builtin_restores_the_shipped_catalog(local: LocalEKS) -> None:
    shipped = local.version_catalog()
    before = offered(local.client())
    local.set_version_catalog(pinned(local.now()))
    local.client().create_cluster(name="pinned", role_arn=ROLE, resources_vpc_config=VPC)
    assert local.set_version_catalog(builtin=True) == shipped
    assert offered(local.client()) == before
    assert "1.35" in [v["version"] for v in shipped]
    # A cluster on a version the catalog no longer holds stays readable.
    assert local.client().describe_cluster(name="pinned").cluster is not None


def test_the_catalog_is_per_region(local: LocalEKS) -> None:
    local.set_version_catalog(pinned(local.now()), region="eu-west-1")
    assert "1.41" not in offered(local.client())
    west = boto3.client(
        "eks",
        endpoint_url=local.endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    versions = [v["clusterVersion"] for v in west.describe_cluster_versions()["clusterVersions"]]
    assert versions == ["1.42", "1.41", "1.40"]


def one(version: str = "1.40", **dates: Any) -> dict[str, Any]:
    return {
        "version": version,
        "release_date": "2030-01-01",
        "end_of_standard_support": "2031-03-01",
        "end_of_extended_support": "2032-03-01",
        **dates,
    }


INVALID: dict[str, Any] = {
    "over 100 versions": [one(f"1.{n}") for n in range(101)],
    "no version": [],
    "not a calendar day": [one(release_date="2030-02-30")],
    "not YYYY-MM-DD": [one(release_date="01/02/2030")],
    "dates out of order": [one(end_of_standard_support="2029-12-31")],
    "a version not 1.NN": [one("v1.40")],
    "a version spelled twice": [one("1.040")],
    "the same version twice": [one(), one()],
    "a bad platform version": [one(platform_version="1")],
    "an unknown field": [one(support="standard")],
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_catalog_is_refused_and_changes_nothing(local: LocalEKS, case: str) -> None:
    shipped = local.version_catalog()
    with pytest.raises(ValueError):
        local.set_version_catalog(INVALID[case])
    status, answer = post(local, "set_version_catalog", {"versions": INVALID[case]})
    assert (status, answer["error_type"]) == (400, "InvalidControlException") and answer["message"]
    assert local.version_catalog() == shipped


def test_versions_or_builtin_but_not_both(local: LocalEKS) -> None:
    with pytest.raises(ValueError):
        local.set_version_catalog()
    with pytest.raises(ValueError):
        local.set_version_catalog([one()], builtin=True)


def post(local: LocalEKS, command: str, args: dict[str, Any]) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if local.control_token:
        headers["x-eksy-control-token"] = local.control_token
    try:
        connection.request("POST", f"/_eksy/control/{command}", body=json.dumps(args).encode(), headers=headers)
        response = connection.getresponse()
        answer = json.loads(response.read() or b"{}")
        if response.status != 200:
            answer["error_type"] = response.getheader("x-amzn-errortype")
        return response.status, answer
    finally:
        connection.close()


def test_the_control_api_replaces_and_reads_the_catalog(local: LocalEKS) -> None:
    status, answer = post(local, "set_version_catalog", {"versions": [one("1.50", release_date=0)]})
    assert status == 200 and [v["version"] for v in answer["versions"]] == ["1.50"]
    assert answer["versions"][0]["release_date"] == 0
    status, read = post(local, "version_catalog", {})
    assert (status, read) == (200, answer)
    assert local.version_catalog() == answer["versions"]
    status, answer = post(local, "set_version_catalog", {"builtin": True})
    assert status == 200 and "1.35" in [v["version"] for v in answer["versions"]]
