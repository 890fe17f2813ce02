#!/usr/bin/env python3
"""Soak (issue 15): many callers, every resource family, injected faults, then a check that the
emulator holds exactly what the callers were told succeeded.

    python benches/soak.py --short        # CI: about 20 s
    python benches/soak.py                # the full run whose figures are in benches/README.md

One `LocalEKS` serves PROCESSES worker processes; each runs an eksy sync thread, a boto3 thread
and an asyncio loop with eksy async tasks. Each caller loops: create a cluster, a node group, an
add-on, an access entry, a Fargate profile, tag the cluster, update its logging, sometimes
delete the node group. Meanwhile the main process injects throttling, 5xx, dropped connections,
lost responses (the operation ran, its answer never arrived) and latency. The clients retry
(standard mode, 8 attempts); a lost create is retried with the same clientRequestToken.

It fails (exit 1) on: a success the final state does not show, a resource or update twice, a
panic (`eksy.InternalError`), an exception outside eksy's hierarchy and botocore's, a call
longer than CALL_LIMIT_S (a hang), or a worker that does not finish.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/soak"
SUBNETS = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
CALL_LIMIT_S = 30.0
# The share of clusters the sync callers keep; the rest are torn down, so the state stays small
# and the emulator's memory must stay flat.
KEEP = 0.05
# The emulator's (this process's) RSS is sampled this often, to show it levels off.
RSS_EVERY_S = 10.0
ATTEMPTS = 8
# (processes, async tasks per process, seconds of load)
SHAPES = {"short": (2, 2, 15.0), "full": (4, 4, 300.0)}
NG = {"nodegroup_name": "ng", "node_role": ROLE, "subnets": SUBNETS}
NG_BOTO = {"nodegroupName": "ng", "nodeRole": ROLE, "subnets": SUBNETS}
FP = {
    "fargate_profile_name": "fp",
    "pod_execution_role_arn": ROLE,
    "subnets": SUBNETS,
    "selectors": [{"namespace": "b"}],
}
FP_BOTO = {
    "fargateProfileName": "fp",
    "podExecutionRoleArn": ROLE,
    "subnets": SUBNETS,
    "selectors": [{"namespace": "b"}],
}
FAULTY = [
    "CreateCluster",
    "DescribeCluster",
    "CreateNodegroup",
    "CreateAddon",
    "CreateAccessEntry",
    "CreateFargateProfile",
    "TagResource",
    "UpdateClusterConfig",
    "DeleteNodegroup",
]


def rss_mib(pid: int | None = None) -> float:
    with open(f"/proc/{pid or 'self'}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Ledger:
    """What one caller was told: successes, failures after every retry, and call times."""

    def __init__(self, caller: str) -> None:
        self.caller = caller
        self.ok: list[list[Any]] = []  # [family, cluster, name-or-id]
        self.failed: list[list[Any]] = []
        self.calls = 0
        self.retries = 0
        self.longest = 0.0
        self.problems: list[str] = []

    def timed(self, family: str, cluster: str, name: str, call: Any) -> Any:
        started = time.monotonic()
        self.calls += 1
        try:
            answer = call()
        except Exception as error:  # judged below: only the clients' own errors are allowed
            self._judge(error)
            self.failed.append([family, cluster, name])
            return None
        finally:
            self.longest = max(self.longest, time.monotonic() - started)
        self.ok.append([family, cluster, name])
        return answer

    def _judge(self, error: Exception) -> None:
        import botocore.exceptions
        import eksy

        if isinstance(error, eksy.InternalError):
            self.problems.append(f"{self.caller}: panic caught as InternalError: {error}")
        elif not isinstance(error, (eksy.EksError, botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)):
            self.problems.append(f"{self.caller}: {type(error).__module__}.{type(error).__name__}: {error}")

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def teardown(ledger: Ledger, name: str, rng: random.Random, nodegroup: Any, profile: Any, cluster: Any) -> None:
    """Deletes the node group; then, but for a share KEEP of clusters, the rest and the cluster."""
    if ["nodegroup", name, "ng"] in ledger.ok:
        ledger.timed("nodegroup_deleted", name, "ng", nodegroup)
    if rng.random() < KEEP:
        return
    if ["fargate_profile", name, "fp"] in ledger.ok:
        ledger.timed("fp_deleted", name, "fp", profile)
    ledger.timed("cluster_deleted", name, name, cluster)


def eksy_steps(eks: Any, ledger: Ledger, name: str, rng: random.Random) -> None:
    def attempts(answer: Any) -> None:
        metadata = getattr(answer, "metadata", None)
        if metadata is not None:
            ledger.retries += max(0, metadata.attempts - 1)

    created = ledger.timed(
        "cluster",
        name,
        name,
        lambda: eks.create_cluster(
            name=name,
            role_arn=ROLE,
            resources_vpc_config={"subnet_ids": SUBNETS},
            access_config={"authentication_mode": "API_AND_CONFIG_MAP"},
        ),
    )
    if created is None:
        return
    attempts(created)
    ledger.timed("describe", name, name, lambda: eks.describe_cluster(name=name))
    arn = created.cluster.arn
    steps = [
        ("nodegroup", "ng", lambda: eks.create_nodegroup(cluster_name=name, **NG)),
        ("addon", "vpc-cni", lambda: eks.create_addon(cluster_name=name, addon_name="vpc-cni")),
        (
            "access_entry",
            f"{ROLE}-{name}",
            lambda: eks.create_access_entry(cluster_name=name, principal_arn=f"{ROLE}-{name}"),
        ),
        ("fargate_profile", "fp", lambda: eks.create_fargate_profile(cluster_name=name, **FP)),
        ("tag", "soak", lambda: eks.tag_resource(resource_arn=arn, tags={"soak": name})),
    ]
    for family, item, call in steps:
        attempts(ledger.timed(family, name, item, call))
    update = ledger.timed(
        "update_call",
        name,
        "logging",
        lambda: eks.update_cluster_config(
            name=name, logging={"cluster_logging": [{"types": ["api"], "enabled": True}]}
        ),
    )
    if update is not None:
        ledger.ok.append(["update", name, update.update.id])
    teardown(
        ledger,
        name,
        rng,
        lambda: eks.delete_nodegroup(cluster_name=name, nodegroup_name="ng"),
        lambda: eks.delete_fargate_profile(cluster_name=name, fargate_profile_name="fp"),
        lambda: eks.delete_cluster(name=name),
    )


def boto3_steps(eks: Any, ledger: Ledger, name: str, rng: random.Random) -> None:
    created = ledger.timed(
        "cluster",
        name,
        name,
        lambda: eks.create_cluster(
            name=name,
            roleArn=ROLE,
            resourcesVpcConfig={"subnetIds": SUBNETS},
            accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"},
        ),
    )
    if created is None:
        return
    ledger.retries += created["ResponseMetadata"].get("RetryAttempts", 0)
    ledger.timed("describe", name, name, lambda: eks.describe_cluster(name=name))
    arn = created["cluster"]["arn"]
    steps = [
        ("nodegroup", "ng", lambda: eks.create_nodegroup(clusterName=name, **NG_BOTO)),
        ("addon", "vpc-cni", lambda: eks.create_addon(clusterName=name, addonName="vpc-cni")),
        (
            "access_entry",
            f"{ROLE}-{name}",
            lambda: eks.create_access_entry(clusterName=name, principalArn=f"{ROLE}-{name}"),
        ),
        ("fargate_profile", "fp", lambda: eks.create_fargate_profile(clusterName=name, **FP_BOTO)),
        ("tag", "soak", lambda: eks.tag_resource(resourceArn=arn, tags={"soak": name})),
    ]
    for family, item, call in steps:
        answer = ledger.timed(family, name, item, call)
        if isinstance(answer, dict):
            ledger.retries += answer.get("ResponseMetadata", {}).get("RetryAttempts", 0)
    update = ledger.timed(
        "update_call",
        name,
        "logging",
        lambda: eks.update_cluster_config(name=name, logging={"clusterLogging": [{"types": ["api"], "enabled": True}]}),
    )
    if update is not None:
        ledger.ok.append(["update", name, update["update"]["id"]])
    teardown(
        ledger,
        name,
        rng,
        lambda: eks.delete_nodegroup(clusterName=name, nodegroupName="ng"),
        lambda: eks.delete_fargate_profile(clusterName=name, fargateProfileName="fp"),
        lambda: eks.delete_cluster(name=name),
    )


async def async_steps(eks: Any, ledger: Ledger, name: str) -> None:
    started = time.monotonic()
    ledger.calls += 1
    try:
        created = await eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS})
    except Exception as error:
        ledger._judge(error)
        ledger.failed.append(["cluster", name, name])
        return
    finally:
        ledger.longest = max(ledger.longest, time.monotonic() - started)
    ledger.ok.append(["cluster", name, name])
    ledger.retries += max(0, created.metadata.attempts - 1)
    for family, item, make in (
        ("nodegroup", "ng", lambda: eks.create_nodegroup(cluster_name=name, **NG)),
        ("addon", "vpc-cni", lambda: eks.create_addon(cluster_name=name, addon_name="vpc-cni")),
    ):
        started = time.monotonic()
        ledger.calls += 1
        try:
            answer = await make()
            ledger.ok.append([family, name, item])
            ledger.retries += max(0, answer.metadata.attempts - 1)
        except Exception as error:
            ledger._judge(error)
            ledger.failed.append([family, name, item])
        finally:
            ledger.longest = max(ledger.longest, time.monotonic() - started)
    for family, item, make in (
        ("nodegroup_deleted", "ng", lambda: eks.delete_nodegroup(cluster_name=name, nodegroup_name="ng")),
        ("cluster_deleted", name, lambda: eks.delete_cluster(name=name)),
    ):
        started = time.monotonic()
        ledger.calls += 1
        try:
            await make()
            ledger.ok.append([family, name, item])
        except Exception as error:
            ledger._judge(error)
            ledger.failed.append([family, name, item])
            return
        finally:
            ledger.longest = max(ledger.longest, time.monotonic() - started)


def worker(index: int, endpoint: str, region: str, tasks: int, seconds: float, out: Any) -> None:
    """One process: an eksy sync thread, a boto3 thread, and `tasks` eksy async tasks."""
    import boto3
    import botocore.config
    import eksy

    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    deadline = time.monotonic() + seconds
    ledgers: list[Ledger] = []

    def sync_loop() -> None:
        ledger = Ledger(f"p{index}-eksy")
        ledgers.append(ledger)
        eks = eksy.EKS(region=region, endpoint_url=endpoint, max_attempts=ATTEMPTS, read_timeout=10, **creds)
        rng, n = random.Random(index), 0
        while time.monotonic() < deadline:
            eksy_steps(eks, ledger, f"p{index}-s-{n}", rng)
            n += 1

    def boto3_loop() -> None:
        ledger = Ledger(f"p{index}-boto3")
        ledgers.append(ledger)
        config = botocore.config.Config(retries={"mode": "standard", "max_attempts": ATTEMPTS}, read_timeout=10)
        eks = boto3.client("eks", endpoint_url=endpoint, region_name=region, config=config, **creds)
        rng, n = random.Random(1000 + index), 0
        while time.monotonic() < deadline:
            boto3_steps(eks, ledger, f"p{index}-b-{n}", rng)
            n += 1

    async def async_loop() -> None:
        eks = eksy.AsyncEKS(region=region, endpoint_url=endpoint, max_attempts=ATTEMPTS, read_timeout=10, **creds)

        async def task(t: int) -> None:
            ledger = Ledger(f"p{index}-async{t}")
            ledgers.append(ledger)
            n = 0
            while time.monotonic() < deadline:
                await async_steps(eks, ledger, f"p{index}-a{t}-{n}")
                n += 1

        await asyncio.gather(*(task(t) for t in range(tasks)))

    threads = [threading.Thread(target=sync_loop), threading.Thread(target=boto3_loop)]
    for thread in threads:
        thread.start()
    asyncio.run(async_loop())
    for thread in threads:
        thread.join()
    out.put(json.dumps([ledger.as_dict() for ledger in ledgers]))


def inject(local: Any, rng: random.Random, stop: threading.Event, counts: dict[str, int], rss: list[float]) -> None:
    started = time.monotonic()
    while not stop.wait(0.25):
        if time.monotonic() - started >= RSS_EVERY_S * len(rss):
            rss.append(round(rss_mib(), 1))
        op = rng.choice(FAULTY)
        fault = rng.randrange(5)
        if fault == 0:
            local.queue_error(op, "ThrottlingException", count=rng.randrange(1, 4))
            counts["throttling"] += 1
        elif fault == 1:
            local.set_error_rate(0.05, op)
            counts["5xx_rates"] += 1
        elif fault == 2:
            local.drop_connections(op, rate=0.2, count=rng.randrange(1, 4))
            counts["dropped_connections"] += 1
        elif fault == 3:
            local.queue_lost_response(op, count=rng.randrange(1, 3))
            counts["lost_responses"] += 1
        else:
            local.set_latency(0.02, op)
            counts["latency"] += 1
        if rng.random() < 0.2:
            local.clear_faults()


def clusters_of(local: Any) -> set[str]:
    return set(local.client().paginate.list_clusters(page_size=100))


def check(local: Any, ledgers: list[dict[str, Any]]) -> list[str]:
    """Every success is in the final state; nothing is there twice."""
    eks = local.client()
    problems: list[str] = []
    clusters = clusters_of(local)
    for ledger in ledgers:
        ok = {tuple(item) for item in ledger["ok"]}
        # A delete takes no token (as on AWS): when its answer is lost, the retry can find the
        # resource gone and fail, so a failed delete leaves the outcome unknown.
        tried = ok | {tuple(item) for item in ledger["failed"]}
        updates: dict[str, list[str]] = {}
        for family, cluster, item in ledger["ok"]:
            if family == "update":
                updates.setdefault(cluster, []).append(item)
        for family, cluster, item in sorted(ok):
            if family == "cluster":
                if ("cluster_deleted", cluster, cluster) in ok and cluster in clusters:
                    problems.append(f"{ledger['caller']}: cluster {cluster} was deleted but is still there")
                if ("cluster_deleted", cluster, cluster) not in tried and cluster not in clusters:
                    problems.append(f"{ledger['caller']}: cluster {cluster} was created but is gone")
            if cluster not in clusters:
                continue
            if family == "nodegroup" and ("nodegroup_deleted", cluster, "ng") not in tried:
                if "ng" not in eks.list_nodegroups(cluster_name=cluster).nodegroups:
                    problems.append(f"{ledger['caller']}: node group of {cluster} lost")
            elif family == "addon" and "vpc-cni" not in eks.list_addons(cluster_name=cluster).addons:
                problems.append(f"{ledger['caller']}: add-on of {cluster} lost")
            elif family == "access_entry" and item not in eks.list_access_entries(cluster_name=cluster).access_entries:
                problems.append(f"{ledger['caller']}: access entry of {cluster} lost")
            elif family == "fargate_profile" and ("fp_deleted", cluster, "fp") not in tried:
                if "fp" not in eks.list_fargate_profiles(cluster_name=cluster).fargate_profile_names:
                    problems.append(f"{ledger['caller']}: Fargate profile of {cluster} lost")
        for cluster, ids in updates.items():
            if cluster not in clusters:
                continue  # deleted, with its updates
            listed = eks.list_updates(name=cluster).update_ids
            calls = sum(1 for f, c, _ in ledger["ok"] + ledger["failed"] if f == "update_call" and c == cluster)
            if not set(ids) <= set(listed):
                problems.append(f"{ledger['caller']}: update of {cluster} lost")
            if len(listed) != len(set(listed)) or len(listed) > calls:
                problems.append(f"{ledger['caller']}: {cluster} has {len(listed)} updates for {calls} calls")
        problems += ledger["problems"]
        if ledger["longest"] > CALL_LIMIT_S:
            problems.append(f"{ledger['caller']}: a call took {ledger['longest']:.1f} s")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--short", action="store_true", help="the CI size (about 20 s)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = ap.parse_args(argv)
    from eksy.testing import LocalEKS

    processes, tasks, seconds = SHAPES["short" if args.short else "full"]
    counts = dict.fromkeys(["throttling", "5xx_rates", "dropped_connections", "lost_responses", "latency"], 0)
    context = multiprocessing.get_context("spawn")
    started = time.monotonic()
    with LocalEKS() as local:
        rss_start = rss_mib()
        out = context.Queue()
        workers = [
            context.Process(target=worker, args=(i, local.endpoint_url, local.region, tasks, seconds, out))
            for i in range(processes)
        ]
        for process in workers:
            process.start()
        stop = threading.Event()
        samples: list[float] = []
        injector = threading.Thread(target=inject, args=(local, random.Random(7), stop, counts, samples))
        injector.start()
        ledgers: list[dict[str, Any]] = []
        problems: list[str] = []
        rss_mid = float("nan")
        for _ in workers:
            try:
                ledgers += json.loads(out.get(timeout=seconds + 120))
            except Exception:
                problems.append("a worker did not finish (hang)")
            if rss_mid != rss_mid:
                rss_mid = rss_mib()
        stop.set()
        injector.join()
        for process in workers:
            process.join(10)
        local.clear_faults()
        problems += check(local, ledgers)
        local.clear_requests()
        rss_end = rss_mib()
        held = len(clusters_of(local))
    figures = {
        "shape": {"processes": processes, "async_tasks_per_process": tasks, "seconds": seconds},
        "calls": sum(ledger["calls"] for ledger in ledgers),
        "succeeded": sum(1 for ledger in ledgers for item in ledger["ok"] if item[0] != "update"),
        "failed_after_retries": sum(len(ledger["failed"]) for ledger in ledgers),
        "retries": sum(ledger["retries"] for ledger in ledgers),
        "faults_injected": counts,
        "longest_call_s": round(max((ledger["longest"] for ledger in ledgers), default=0.0), 3),
        "rss_mib": {
            "start": round(rss_start, 1),
            f"every {RSS_EVERY_S:.0f} s": samples,
            "first_worker_done": round(rss_mid, 1),
            "end": round(rss_end, 1),
        },
        "clusters_held_at_end": held,
        "elapsed_s": round(time.monotonic() - started, 1),
        "problems": problems,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if problems:
        print(f"SOAK FAILED: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("soak passed: nothing lost, nothing duplicated, no hang, no panic", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
