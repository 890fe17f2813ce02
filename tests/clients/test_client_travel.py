"""Clients that travel: a client pickles as its configuration, so multiprocessing workers rebuild
it; explicit credentials travel only when the user opts in (issue 15)."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
from typing import Any

import eksy
import pytest
from eksy.testing import LocalEKS

SECRET = "travel-secret-key-1234"


def options(emulator: LocalEKS, **more: Any) -> dict[str, Any]:
    return {"region": "us-west-2", "endpoint_url": emulator.endpoint_url, **more}


def describe_in_worker(client: eksy.EKS, name: str) -> tuple[str | None, str | None]:
    cluster = client.describe_cluster(name=name).cluster
    return (cluster.name if cluster else None), client.region


def list_in_worker_async(client: eksy.AsyncEKS) -> list[str]:
    return list(asyncio.run(client.list_clusters()).clusters or [])


@pytest.mark.timeout(120)
def test_a_pool_of_spawned_workers_rebuilds_the_client(emulator: LocalEKS, eks: eksy.EKS) -> None:
    for name in ("a", "b"):
        eks.create_cluster(
            name=name,
            role_arn="arn:aws:iam::123456789012:role/eks",
            resources_vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]},
        )
    creds = {"aws_access_key_id": "AKIDTRAVEL", "aws_secret_access_key": SECRET}
    client = eksy.EKS(**options(emulator, **creds, max_attempts=2, read_timeout=5, picklable_credentials=True))
    aclient = eksy.AsyncEKS(**options(emulator, **creds, picklable_credentials=True))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        described = pool.starmap(describe_in_worker, [(client, "a"), (client, "b")])
        listed = pool.map(list_in_worker_async, [aclient])
    assert described == [("a", "us-west-2"), ("b", "us-west-2")]
    assert listed == [["a", "b"]]
    # The workers signed with the credentials that travelled.
    keys = {r["headers"]["authorization"].split("Credential=")[1].split("/")[0] for r in emulator.requests()}
    assert "AKIDTRAVEL" in keys


def test_the_configuration_survives_the_round_trip(emulator: LocalEKS) -> None:
    client = eksy.EKS(**options(emulator, connect_timeout=7, operation_timeout=30, retry_mode="adaptive"))
    copy = pickle.loads(pickle.dumps(client))
    assert type(copy) is eksy.EKS and copy is not client
    assert (copy.region, copy.endpoint_url, repr(copy)) == (client.region, client.endpoint_url, repr(client))
    assert (copy.connect_timeout, copy.read_timeout, copy.operation_timeout) == (7.0, 60.0, 30.0)
    auth = pickle.loads(pickle.dumps(eksy.AsyncEKSAuth(**options(emulator))))
    assert type(auth) is eksy.AsyncEKSAuth and auth.region == "us-west-2"


def test_credentials_from_the_environment_are_resolved_by_the_worker(
    emulator: LocalEKS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    client = eksy.EKS(**options(emulator))
    blob = pickle.dumps(client)
    assert SECRET.encode() not in blob
    assert pickle.loads(blob).list_clusters().clusters == []


@pytest.mark.parametrize(
    "secret", [{"aws_access_key_id": "AKID", "aws_secret_access_key": SECRET}, {"endpoint_url": "password"}]
)
def test_explicit_secrets_do_not_travel_unless_asked(
    emulator: LocalEKS, monkeypatch: pytest.MonkeyPatch, secret: dict[str, str]
) -> None:
    if "endpoint_url" in secret:
        secret = {"endpoint_url": emulator.endpoint_url.replace("http://", f"http://user:{SECRET}@")}
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-env")
    client = eksy.EKS(**{**options(emulator), **secret})
    with pytest.raises(TypeError, match="picklable_credentials=True") as caught:
        pickle.dumps(client)
    assert SECRET not in str(caught.value)
    travelling = eksy.EKS(**{**options(emulator), **secret}, picklable_credentials=True)
    assert SECRET.encode() in pickle.dumps(travelling), "asked for: the secret travels"
    assert pickle.loads(pickle.dumps(travelling)).list_clusters().clusters == []
