"""Shared by the kubeconfig and Kubernetes-client tests: an emulator with a cluster, and an
environment that reads none of the user's own AWS or kube configuration."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eksy.testing import LocalEKS

REGION = "us-west-2"
ROLE = "arn:aws:iam::123456789012:role/eks-cluster-role"
SUBNETS = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
CLUSTER = "prod"


@pytest.fixture(scope="module")
def emulator() -> Iterator[LocalEKS]:
    with LocalEKS(region=REGION) as local:
        yield local


@pytest.fixture
def local(emulator: LocalEKS) -> LocalEKS:
    emulator.reset()
    emulator.set_timings(cluster_create=0, cluster_update=0)
    return emulator


def create_cluster(local: LocalEKS, name: str = CLUSTER, **extra: Any) -> dict[str, Any]:
    """Creates an ACTIVE cluster; returns its description (wire names)."""
    eks = local.client()
    eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS}, **extra)
    cluster = eks.describe_cluster(name=name).cluster
    assert cluster is not None and cluster.status == "ACTIVE"
    assert cluster.certificate_authority is not None
    return {
        "arn": cluster.arn,
        "endpoint": cluster.endpoint,
        "ca": cluster.certificate_authority.data,
        "status": cluster.status,
    }


@pytest.fixture
def cluster(local: LocalEKS) -> dict[str, Any]:
    return create_cluster(local)


@pytest.fixture
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME (and the cache directory) fresh; credentials are the emulator's test keys; no
    KUBECONFIG, no other AWS_* variable, config file or instance metadata. Returns HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith("AWS_") or name in ("KUBECONFIG", "KUBERNETES_EXEC_INFO"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))  # `eksy token`'s cache
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    return home
