"""The models load per module on first use (issue 16); every way of reaching them still works."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import eksy
import pytest
from eksy.testing import LocalEKS

FRESH_PROCESS = """
import pickle, sys
import eksy
eks = eksy.EKS(region="us-west-2", endpoint_url=sys.argv[1], aws_access_key_id="AKIDTESTING",
               aws_secret_access_key="testing-secret")
eks.create_cluster(name="lazy", role_arn="arn:aws:iam::123456789012:role/eks",
                   resources_vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]})
cluster = eks.describe_cluster(name="lazy").cluster
# The class a response holds is the one the public module names, whichever loaded first.
assert type(cluster) is eksy.models.Cluster, type(cluster)
assert pickle.loads(pickle.dumps(cluster)) == cluster
assert eksy.models.Nodegroup(nodegroup_name="n").nodegroup_name == "n"
namespace = {}
exec("from eksy.models import *", namespace)
missing = [n for n in eksy.models.__all__ if n not in namespace]
assert not missing, missing
exec("from eksy.models.auth import *", namespace)
assert "AssumeRoleForPodIdentityResponse" in namespace
assert set(eksy.models.__all__) <= set(dir(eksy.models))
print("ok")
"""


def test_models_reached_every_way_in_a_fresh_process(emulator: LocalEKS) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, emulator.endpoint_url], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchModel"):
        eksy.models.NoSuchModel  # noqa: B018
    with pytest.raises(AttributeError, match="NoSuchDict"):
        eksy.models.NoSuchDict  # noqa: B018
    with pytest.raises(ImportError):
        exec("from eksy.models.auth import Cluster", {})
    assert eksy.models.CreateAccessConfigRequestDict.__annotations__


def test_every_response_class_is_the_public_one(emulator: LocalEKS) -> None:
    async def main() -> Any:
        eks = eksy.AsyncEKS(
            region="us-west-2",
            endpoint_url=emulator.endpoint_url,
            aws_access_key_id="AKIDTESTING",
            aws_secret_access_key="testing-secret",
        )
        return await eks.list_clusters()

    assert type(asyncio.run(main())) is eksy.models.ListClustersResponse
