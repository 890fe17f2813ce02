#!/usr/bin/env python3
"""Scaling section of the benchmarks (issue 14): the emulator's CPU per request must not grow
with the state it holds. One `eksy local` process per size, seeded with that many clusters
(each with a node group and an add-on), then measured on describe_cluster and on a page of
list_clusters; the server's CPU comes from /proc/PID/stat, so the client's cost is left out.

    python benches/scaling_bench.py [--quick] [--json FILE]

Sizes 10 and 10,000 clusters (quick: 10 and 1,000); the ratio large/small is the figure, with
issue 14's bound of 1.2. Rounds alternate between the two servers so drift hits both alike.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from statistics import median
from typing import Any

from _section import section_main

SIZES = {"full": (10, 10_000), "quick": (10, 1_000)}
ROUNDS = {"full": 5, "quick": 2}
DESCRIBES, LISTS = 10_000, 4_000  # /proc counts 10 ms ticks: this keeps each figure within ~5%
ROLE = "arn:aws:iam::123456789012:role/eks"
SUBNETS = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Server:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "eksy", "local", "--port", "0", "--timing", "all=0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        match = re.search(r"listening on (http://\S+)", self.proc.stdout.readline())
        if not match:
            raise RuntimeError("eksy local did not start")
        self.url = match.group(1)

    def client(self) -> Any:
        import eksy

        return eksy.EKS(
            region="us-east-1", endpoint_url=self.url, aws_access_key_id="testing", aws_secret_access_key="testing"
        )

    def seed(self, clusters: int) -> None:
        eks = self.client()
        for i in range(clusters):
            name = f"c{i:05}"
            eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS})
            eks.create_nodegroup(cluster_name=name, nodegroup_name="ng", node_role=ROLE, subnets=SUBNETS)
            eks.create_addon(cluster_name=name, addon_name="vpc-cni")

    def measure(self) -> tuple[float, float]:
        """Server CPU µs per describe_cluster and per list_clusters page of 10."""
        eks = self.client()
        before = server_cpu_s(self.proc.pid)
        for _ in range(DESCRIBES):
            eks.describe_cluster(name="c00005")
        middle = server_cpu_s(self.proc.pid)
        for _ in range(LISTS):
            eks.list_clusters(max_results=10)  # a full page at either size
        after = server_cpu_s(self.proc.pid)
        return (middle - before) / DESCRIBES * 1e6, (after - middle) / LISTS * 1e6

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def section(quick: bool = False) -> tuple[str, dict[str, Any]]:
    mode = "quick" if quick else "full"
    small, large = SIZES[mode]
    servers = {small: Server(), large: Server()}
    try:
        started = time.perf_counter()
        for size, server in servers.items():
            server.seed(size)
        seeded_s = time.perf_counter() - started
        samples: dict[int, list[tuple[float, float]]] = {small: [], large: []}
        for _ in range(ROUNDS[mode]):
            for size, server in servers.items():
                samples[size].append(server.measure())
    finally:
        for server in servers.values():
            server.stop()
    describe = {size: median(s[0] for s in runs) for size, runs in samples.items()}
    listing = {size: median(s[1] for s in runs) for size, runs in samples.items()}
    figures = {
        "sizes": [small, large],
        "seeding_s": round(seeded_s, 1),
        "describe_cpu_us": {str(k): round(v, 1) for k, v in describe.items()},
        "list_page_cpu_us": {str(k): round(v, 1) for k, v in listing.items()},
        "describe_ratio": round(describe[large] / describe[small], 2),
        "list_page_ratio": round(listing[large] / listing[small], 2),
    }
    verdict = "PASS" if max(figures["describe_ratio"], figures["list_page_ratio"]) <= 1.2 else "MISS"
    lines = [
        f"EMULATOR CPU PER REQUEST vs STATE HELD ({small} and {large:,} clusters, each with a node group and an "
        f"add-on; server CPU from /proc; medians of {ROUNDS[mode]} rounds)",
        "-" * 40,
        f"describe_cluster             {describe[small]:7.1f} µs   {describe[large]:7.1f} µs   "
        f"ratio {figures['describe_ratio']}",
        f"list_clusters, page of 10    {listing[small]:7.1f} µs   {listing[large]:7.1f} µs   "
        f"ratio {figures['list_page_ratio']}",
        f"{verdict}  within 20% from {small} to {large:,} clusters (issue 14)",
    ]
    return "\n".join(lines), figures


def main(argv: list[str] | None = None) -> int:
    return section_main(__doc__, "10 and 1,000 clusters, 2 rounds", section, argv)


if __name__ == "__main__":
    sys.exit(main())
