"""One emulator and one client of each kind per module; state is reset before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import eksy
import pytest
from botocore.config import Config
from eksy.testing import LocalEKS

CREDENTIALS = {"aws_access_key_id": "AKIDTESTING", "aws_secret_access_key": "testing-secret"}


@pytest.fixture(scope="module")
def emulator() -> Iterator[LocalEKS]:
    with LocalEKS(region="us-west-2") as local:
        yield local


@pytest.fixture(autouse=True)
def _fresh_state(emulator: LocalEKS) -> None:
    emulator.reset()


def _eksy_client(emulator: LocalEKS, cls: Any) -> Any:
    return cls(region="us-west-2", endpoint_url=emulator.endpoint_url, max_attempts=1, **CREDENTIALS)


@pytest.fixture(scope="module")
def eks(emulator: LocalEKS) -> eksy.EKS:
    client: eksy.EKS = _eksy_client(emulator, eksy.EKS)
    return client


@pytest.fixture(scope="module")
def auth(emulator: LocalEKS) -> eksy.EKSAuth:
    client: eksy.EKSAuth = _eksy_client(emulator, eksy.EKSAuth)
    return client


def boto_client(emulator: LocalEKS, service: str) -> Any:
    return boto3.client(
        service,
        region_name="us-west-2",
        endpoint_url=emulator.endpoint_url,
        config=Config(retries={"total_max_attempts": 1}),
        **CREDENTIALS,
    )


@pytest.fixture(scope="module")
def boto_clients(emulator: LocalEKS) -> dict[str, Any]:
    return {"eks": boto_client(emulator, "eks"), "eks-auth": boto_client(emulator, "eks-auth")}


@pytest.fixture(scope="module")
def eksy_clients(eks: eksy.EKS, auth: eksy.EKSAuth) -> dict[str, Any]:
    return {"eks": eks, "eks-auth": auth}
