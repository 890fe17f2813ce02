#!/usr/bin/env python3
"""State section of the benchmarks (issue 13): how long `LocalEKS.snapshot()` and
`LocalEKS.restore()` take with 1,000 resources, against building the same state again through
the API, so a session-wide emulator can be reset before every test.

    python benches/state_bench.py [--quick] [--json FILE]     # alone
    python benches/run.py [--quick]                            # also runs this section

The state: 100 clusters (API_AND_CONFIG_MAP), each with 3 node groups, 3 add-ons and 3 access
entries beside the creator's (1,000 resources created, 1,100 with the creators' entries). The
emulator runs in this process (`LocalEKS`), as in a test session; times are wall-clock medians
of interleaved rounds, each a snapshot, a restore and a describe that proves the state is back.
"""

from __future__ import annotations

import sys
import time
from statistics import median
from typing import Any

from _section import section_main

ROUNDS = (30, 3)  # (full, quick)
CLUSTERS = (100, 10)
ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-node"
SUBNETS = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
ADDONS = ["vpc-cni", "kube-proxy", "coredns"]


def build(eks: Any, clusters: int) -> int:
    """Creates the state; returns how many resources were created."""
    created = 0
    for i in range(clusters):
        name = f"c{i:04}"
        eks.create_cluster(
            name=name,
            role_arn=ROLE,
            resources_vpc_config={"subnet_ids": SUBNETS},
            access_config={"authentication_mode": "API_AND_CONFIG_MAP"},
        )
        created += 1
        for j in range(3):
            eks.create_nodegroup(cluster_name=name, nodegroup_name=f"ng{j}", node_role=NODE_ROLE, subnets=SUBNETS)
            eks.create_addon(cluster_name=name, addon_name=ADDONS[j])
            eks.create_access_entry(cluster_name=name, principal_arn=f"arn:aws:iam::123456789012:role/team-{j}")
            created += 3
    return created


def section(quick: bool = False) -> tuple[str, dict[str, Any]]:
    from eksy.testing import LocalEKS

    rounds, clusters = ROUNDS[quick], CLUSTERS[quick]
    with LocalEKS() as local:
        eks = local.client()
        started = time.perf_counter()
        created = build(eks, clusters)
        build_s = time.perf_counter() - started
        prepared = local.snapshot()
        snapshot_s: list[float] = []
        restore_s: list[float] = []
        for _ in range(rounds):
            eks.delete_nodegroup(cluster_name="c0000", nodegroup_name="ng0")  # a test changes state
            started = time.perf_counter()
            local.snapshot()
            snapshot_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            local.restore(prepared)
            restore_s.append(time.perf_counter() - started)
            status = eks.describe_nodegroup(cluster_name="c0000", nodegroup_name="ng0").nodegroup
            assert status is not None and status.status == "ACTIVE", "restore did not bring the state back"
    figures = {
        "resources_created": created,
        "rounds": rounds,
        "build_through_api_s": round(build_s, 3),
        "snapshot_ms": round(median(snapshot_s) * 1000, 2),
        "restore_ms": round(median(restore_s) * 1000, 2),
        "restore_vs_build": round(build_s / median(restore_s), 1),
    }
    lines = [
        f"SNAPSHOT AND RESTORE ({created} resources created in {clusters} clusters; medians of {rounds} rounds)",
        "-" * 40,
        f"build through the API (once)      {build_s * 1000:9.1f} ms",
        f"local.snapshot()                  {figures['snapshot_ms']:9.2f} ms",
        f"local.restore(snapshot)           {figures['restore_ms']:9.2f} ms",
        f"restore is {figures['restore_vs_build']}x faster than building the state again",
    ]
    return "\n".join(lines), figures


def main(argv: list[str] | None = None) -> int:
    return section_main(__doc__, f"{CLUSTERS[1]} clusters and {ROUNDS[1]} rounds", section, argv)


if __name__ == "__main__":
    sys.exit(main())
