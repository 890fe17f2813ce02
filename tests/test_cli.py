"""The `eksy` command: the demo (the main job) and the dispatcher."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from eksy.cli.demo import NODE_ROLE, ROLE, WAYS, talk_to_kubernetes
from eksy.testing import LocalEKS


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eksy", *args], capture_output=True, text=True, timeout=120)


def test_demo_walks_through_a_session() -> None:
    result = run("demo", "--speed", "0")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in (
        "cluster demo: ACTIVE",
        "node group general: ACTIVE",
        "add-on vpc-cni: ACTIVE",
        "13 in 3 pages of 5",
        ": Successful",
        "ResourceNotFoundException: No cluster found for name: no-such-cluster.",
        "Invalid parameter scaling_config.min_size",
        "'cost-center': '1234'",
        "cluster demo: gone",
        "requests served by the emulator",
        "== Talk to the cluster's Kubernetes API",
        "(context arn:aws:eks:us-west-2:123456789012:cluster/demo)",
        "via the official kubernetes client, running `eksy token`",
        "Kubernetes v1.33.0-eks-",
        ", 4 nodes:",
    ):
        assert expected in out, f"{expected!r} missing from:\n{out}"
    # The node group scaled to 4 just before.
    assert out.count("  Ready  node group general, m7i.large") == 4, out


def test_help_and_unknown_command() -> None:
    assert "demo" in run("--help").stdout
    unknown = run("frobnicate")
    assert unknown.returncode == 2 and "unknown command" in unknown.stderr


@pytest.mark.parametrize("way", WAYS)
def test_demo_reaches_kubernetes_every_way(way: str) -> None:
    if way == "kubectl" and shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed (.ci/run installs it)")
    with LocalEKS(region="us-west-2", timings={"cluster_create": 0, "nodegroup_create": 0}) as local:
        eks = local.client()
        subnets = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
        eks.create_cluster(name="demo", version="1.33", role_arn=ROLE, resources_vpc_config={"subnet_ids": subnets})
        eks.create_nodegroup(
            cluster_name="demo",
            nodegroup_name="general",
            node_role=NODE_ROLE,
            subnets=subnets,
            instance_types=["t3.large"],
            scaling_config={"min_size": 1, "max_size": 3, "desired_size": 3},
        )
        lines: list[str] = []
        talk_to_kubernetes(local, "demo", lines.append, way=way)
    via, version = lines[1], lines[2]
    assert (
        via.startswith("   via ") and {"kubernetes": "official", "kubectl": "kubectl", "stdlib": "urllib"}[way] in via
    )
    assert version.startswith("   Kubernetes v1.33.0-eks-") and version.endswith(", 3 nodes:")
    assert len(lines) == 6 and all(line.endswith("  Ready  node group general, t3.large") for line in lines[3:])


def test_demo_picks_the_best_way_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from eksy.cli.demo import _best_way

    assert _best_way() == "kubernetes"
    monkeypatch.setitem(sys.modules, "kubernetes", None)
    kubectl = shutil.which("kubectl")
    if kubectl is not None:
        assert _best_way() == "kubectl"
    monkeypatch.setenv("PATH", str(tmp_path))
    assert _best_way() == "stdlib"
