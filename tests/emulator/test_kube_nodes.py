"""Nodes follow managed node groups: desiredSize Ready nodes with the node group's labels and
taints, EKS's labels, capacity from the instance type, the kubelet of the node group's version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eksy.testing import LocalEKS
from kube_support import (
    NODE_ROLE,
    SUBNETS,
    call,
    kubeconfig,
    kubectl,
    make_active_cluster,
    needs_kubectl,
    presigned_token,
    wait_for,
)


@pytest.fixture
def local() -> Any:
    with LocalEKS(timings={"all": 0}) as emulator:
        yield emulator


def _nodes(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    status, body = call(cluster["endpoint"], cluster["ca"], "/api/v1/nodes", token=presigned_token("demo"))
    assert status == 200, body
    return list(body["items"])


@needs_kubectl
def test_kubectl_get_nodes_follows_create_scale_and_delete(local: LocalEKS, tmp_path: Path) -> None:
    cluster = make_active_cluster(local)
    eks = local.client()
    eks.create_nodegroup(
        cluster_name="demo",
        nodegroup_name="workers",
        node_role=NODE_ROLE,
        subnets=SUBNETS,
        instance_types=["m5.xlarge"],
        scaling_config={"min_size": 1, "max_size": 10, "desired_size": 3},
        labels={"team": "platform"},
        taints=[{"key": "dedicated", "value": "gpu", "effect": "NO_SCHEDULE"}],
    )
    config = kubeconfig(tmp_path, cluster, presigned_token("demo"))

    def listed() -> list[dict[str, Any]]:
        result = kubectl(config, "get", "nodes", "-o", "json")
        assert result.returncode == 0, result.stderr
        return list(json.loads(result.stdout)["items"])

    nodes = listed()
    version = eks.describe_nodegroup(cluster_name="demo", nodegroup_name="workers").nodegroup.version
    assert len(nodes) == 3
    for node in nodes:
        labels = node["metadata"]["labels"]
        assert labels["team"] == "platform"
        assert labels["eks.amazonaws.com/nodegroup"] == "workers"
        assert labels["node.kubernetes.io/instance-type"] == "m5.xlarge"
        assert node["spec"]["taints"] == [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]
        assert node["status"]["capacity"]["cpu"] == "4"
        ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"]
        assert ready == [dict(ready[0], status="True")]
        # The node group's Kubernetes version: the cluster's, the catalog's default.
        assert node["status"]["nodeInfo"]["kubeletVersion"].startswith(f"v{version}.")
    table = kubectl(config, "get", "nodes")
    assert table.returncode == 0, table.stderr
    header, *rows = table.stdout.strip().splitlines()
    assert header.split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert len(rows) == 3 and all(row.split()[1] == "Ready" for row in rows)
    names = {n["metadata"]["name"] for n in nodes}

    eks.update_nodegroup_config(cluster_name="demo", nodegroup_name="workers", scaling_config={"desired_size": 5})
    wait_for(lambda: len(listed()) == 5)
    # Scaling keeps the existing nodes.
    assert names <= {n["metadata"]["name"] for n in listed()}

    eks.delete_nodegroup(cluster_name="demo", nodegroup_name="workers")
    wait_for(lambda: len(listed()) == 0)


def test_nodes_of_several_groups_and_none_while_creating(local: LocalEKS) -> None:
    cluster = make_active_cluster(local)
    eks = local.client()
    local.set_timings(nodegroup_create=30)
    eks.create_nodegroup(
        cluster_name="demo",
        nodegroup_name="arm",
        node_role=NODE_ROLE,
        subnets=SUBNETS,
        instance_types=["m6g.large"],
        capacity_type="SPOT",
        scaling_config={"min_size": 1, "max_size": 2, "desired_size": 2},
    )
    assert _nodes(cluster) == []
    local.set_timings(nodegroup_create=0)
    eks.create_nodegroup(
        cluster_name="demo",
        nodegroup_name="x86",
        node_role=NODE_ROLE,
        subnets=SUBNETS,
        scaling_config={"min_size": 1, "max_size": 2, "desired_size": 1},
    )
    nodes = _nodes(cluster)
    assert len(nodes) == 1
    assert nodes[0]["metadata"]["labels"]["node.kubernetes.io/instance-type"] == "t3.medium"
    local.force_status("nodegroup", "demo", "ACTIVE", "arm")
    nodes = _nodes(cluster)
    arm = [n for n in nodes if n["metadata"]["labels"]["eks.amazonaws.com/nodegroup"] == "arm"]
    assert len(nodes) == 3 and len(arm) == 2
    assert arm[0]["metadata"]["labels"]["kubernetes.io/arch"] == "arm64"
    assert arm[0]["metadata"]["labels"]["eks.amazonaws.com/capacityType"] == "SPOT"
    assert [n["metadata"]["name"] for n in nodes] == sorted(n["metadata"]["name"] for n in nodes)


def test_add_on_workloads_show_in_kube_system(local: LocalEKS) -> None:
    cluster = make_active_cluster(local)
    eks = local.client()
    for addon in ("vpc-cni", "coredns", "kube-proxy"):
        eks.create_addon(cluster_name="demo", addon_name=addon)
    token = presigned_token("demo")
    status, daemonsets = call(
        cluster["endpoint"], cluster["ca"], "/apis/apps/v1/namespaces/kube-system/daemonsets", token=token
    )
    assert status == 200
    assert sorted(d["metadata"]["name"] for d in daemonsets["items"]) == ["aws-node", "kube-proxy"]
    status, deployment = call(
        cluster["endpoint"], cluster["ca"], "/apis/apps/v1/namespaces/kube-system/deployments/coredns", token=token
    )
    assert status == 200 and deployment["status"]["readyReplicas"] == 2
    status, _ = call(
        cluster["endpoint"],
        cluster["ca"],
        "/apis/apps/v1/namespaces/kube-system/deployments/coredns",
        token=token,
        method="DELETE",
    )
    assert status == 405
