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

Over 400 lines because the workload, the fault injector and the checker share one ledger
format and are easiest to check against each other in one file.

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
FP = {
    "fargate_profile_name": "fp",
    "pod_execution_role_arn": ROLE,
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


def retries_of(answer: Any) -> int:
    """Retries behind an answer: eksy's `metadata.attempts`, boto3's `RetryAttempts`."""
    if isinstance(answer, dict):
        return int(answer.get("ResponseMetadata", {}).get("RetryAttempts", 0))
    metadata = getattr(answer, "metadata", None)
    return max(0, metadata.attempts - 1) if metadata is not None else 0


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
        """The call's answer, or None when it failed after every retry."""
        started = time.monotonic()
        try:
            answer = call()
        except Exception as error:  # judged below: only the clients' own errors are allowed
            answer = error
        return self._record(family, cluster, name, answer, started)

    async def atimed(self, family: str, cluster: str, name: str, make: Any) -> Any:
        started = time.monotonic()
        try:
            answer = await make()
        except Exception as error:
            answer = error
        return self._record(family, cluster, name, answer, started)

    def _record(self, family: str, cluster: str, name: str, answer: Any, started: float) -> Any:
        self.calls += 1
        self.longest = max(self.longest, time.monotonic() - started)
        if isinstance(answer, Exception):
            self._judge(answer)
            self.failed.append([family, cluster, name])
            return None
        self.retries += retries_of(answer)
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


def camel(value: Any) -> Any:
    """boto3's spelling of eksy's keyword arguments: keys (also nested) in camelCase, values as
    they are. The soak's map keys (tags) hold no underscore, so they stay as written."""
    if isinstance(value, dict):
        return {
            (key.split("_")[0] + "".join(w.title() for w in key.split("_")[1:])): camel(v) for key, v in value.items()
        }
    if isinstance(value, list):
        return [camel(item) for item in value]
    return value


class Caller:
    """One sync client, eksy's or boto3's, called with eksy's argument names."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.boto3 = type(client).__module__.startswith("botocore")

    def call(self, operation: str, **arguments: Any) -> Any:
        return lambda: getattr(self.client, operation)(**(camel(arguments) if self.boto3 else arguments))

    def member(self, answer: Any, *path: str) -> Any:
        for name in path:
            answer = answer[name] if self.boto3 else getattr(answer, name)
        return answer


def sync_steps(caller: Caller, ledger: Ledger, name: str, rng: random.Random) -> None:
    """Every family in turn; then the node group is deleted and, but for a share KEEP of the
    clusters, the Fargate profile and the cluster too."""
    call = caller.call
    access = {"authentication_mode": "API_AND_CONFIG_MAP"}
    vpc = {"subnet_ids": SUBNETS}
    create = call("create_cluster", name=name, role_arn=ROLE, resources_vpc_config=vpc, access_config=access)
    created = ledger.timed("cluster", name, name, create)
    if created is None:
        return
    ledger.timed("describe", name, name, call("describe_cluster", name=name))
    arn = caller.member(created, "cluster", "arn")
    principal = f"{ROLE}-{name}"
    steps = [
        ("nodegroup", "ng", call("create_nodegroup", cluster_name=name, **NG)),
        ("addon", "vpc-cni", call("create_addon", cluster_name=name, addon_name="vpc-cni")),
        ("access_entry", principal, call("create_access_entry", cluster_name=name, principal_arn=principal)),
        ("fargate_profile", "fp", call("create_fargate_profile", cluster_name=name, **FP)),
        ("tag", "soak", call("tag_resource", resource_arn=arn, tags={"soak": name})),
    ]
    for family, item, step in steps:
        ledger.timed(family, name, item, step)
    logging = {"cluster_logging": [{"types": ["api"], "enabled": True}]}
    update = ledger.timed("update_call", name, "logging", call("update_cluster_config", name=name, logging=logging))
    if update is not None:
        ledger.ok.append(["update", name, caller.member(update, "update", "id")])
    if ["nodegroup", name, "ng"] in ledger.ok:
        ledger.timed("nodegroup_deleted", name, "ng", call("delete_nodegroup", cluster_name=name, nodegroup_name="ng"))
    if rng.random() < KEEP:
        return
    if ["fargate_profile", name, "fp"] in ledger.ok:
        delete_profile = call("delete_fargate_profile", cluster_name=name, fargate_profile_name="fp")
        ledger.timed("fp_deleted", name, "fp", delete_profile)
    ledger.timed("cluster_deleted", name, name, call("delete_cluster", name=name))


async def async_steps(eks: Any, ledger: Ledger, name: str) -> None:
    """A cluster, a node group and an add-on, then the node group and the cluster deleted."""
    vpc = {"subnet_ids": SUBNETS}
    create = lambda: eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config=vpc)  # noqa: E731
    if await ledger.atimed("cluster", name, name, create) is None:
        return
    await ledger.atimed("nodegroup", name, "ng", lambda: eks.create_nodegroup(cluster_name=name, **NG))
    await ledger.atimed("addon", name, "vpc-cni", lambda: eks.create_addon(cluster_name=name, addon_name="vpc-cni"))
    deleted = lambda: eks.delete_nodegroup(cluster_name=name, nodegroup_name="ng")  # noqa: E731
    if await ledger.atimed("nodegroup_deleted", name, "ng", deleted) is not None:
        await ledger.atimed("cluster_deleted", name, name, lambda: eks.delete_cluster(name=name))


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
            sync_steps(Caller(eks), ledger, f"p{index}-s-{n}", rng)
            n += 1

    def boto3_loop() -> None:
        ledger = Ledger(f"p{index}-boto3")
        ledgers.append(ledger)
        config = botocore.config.Config(retries={"mode": "standard", "max_attempts": ATTEMPTS}, read_timeout=10)
        eks = boto3.client("eks", endpoint_url=endpoint, region_name=region, config=config, **creds)
        rng, n = random.Random(1000 + index), 0
        while time.monotonic() < deadline:
            sync_steps(Caller(eks), ledger, f"p{index}-b-{n}", rng)
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
