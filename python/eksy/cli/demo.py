"""`eksy demo`: a realistic EKS session against the emulator embedded in this process."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import eksy
from eksy.progress import WaitProgress
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks-cluster-role"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-node-role"
SUBNETS = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]


def say(text: str) -> None:
    print(text, flush=True)


def step(text: str) -> None:
    say(f"\n== {text}")


class StatusPrinter:
    """A waiter progress callback that prints each status change."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.last: str | None = None

    def __call__(self, poll: WaitProgress[Any]) -> None:
        status = "gone" if poll.outcome == "success" and poll.response is None else poll.status
        if status != self.last:
            say(f"   {self.what}: {status}  ({poll.elapsed:4.1f} s, poll {poll.attempt})")
            self.last = status


class Node(NamedTuple):
    name: str
    ready: str
    nodegroup: str
    instance_type: str


class KubernetesView(NamedTuple):
    via: str
    version: str
    nodes: list[Node]


# How the demo reaches the cluster, best first: each needs less installed than the one before.
WAYS = ("kubernetes", "kubectl", "stdlib")


def talk_to_kubernetes(local: LocalEKS, cluster: str, show: Callable[[str], None], way: str | None = None) -> None:
    """Writes a kubeconfig for ``cluster`` to a temporary file and calls the cluster's API through it."""
    from eksy.kube import update_kubeconfig

    with tempfile.TemporaryDirectory(prefix="eksy-demo-") as directory, _exec_plugin_environment(directory):
        path = Path(directory) / "kubeconfig"
        result = update_kubeconfig(cluster, region=local.region, kubeconfig=path, endpoint_url=local.endpoint_url)
        show(f"   kubeconfig: {path} (context {result.context})")
        view = read_cluster(path, way or _best_way())
        show(f"   via {view.via}")
        show(f"   Kubernetes {view.version}, {len(view.nodes)} nodes:")
        for node in view.nodes:
            show(f"      {node.name}  {node.ready}  node group {node.nodegroup}, {node.instance_type}")


@contextlib.contextmanager
def _exec_plugin_environment(cache: str) -> Iterator[None]:
    """The emulator's test credentials for `eksy token`, which the Kubernetes client runs as a
    process; its token cache in the demo's temporary directory."""
    values = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        "XDG_CACHE_HOME": cache,
    }
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _best_way() -> str:
    try:
        import kubernetes  # noqa: F401
    except ImportError:
        return "kubectl" if shutil.which("kubectl") else "stdlib"
    return "kubernetes"


def read_cluster(kubeconfig: Path, way: str) -> KubernetesView:
    """The server version and nodes, read through ``kubeconfig`` one of the ``WAYS``."""
    if way == "kubernetes":
        # Any: the package is typed in some versions, untyped in others.
        kubernetes: Any = importlib.import_module("kubernetes")
        api = kubernetes.config.new_client_from_config(config_file=str(kubeconfig))
        version = kubernetes.client.VersionApi(api).get_code().git_version
        items = api.sanitize_for_serialization(kubernetes.client.CoreV1Api(api).list_node())["items"]
        return KubernetesView("the official kubernetes client, running `eksy token`", version, _nodes(items))
    if way == "kubectl":
        kubectl = [shutil.which("kubectl") or "kubectl", "--kubeconfig", str(kubeconfig)]
        version_out = subprocess.run([*kubectl, "version", "-o", "json"], check=True, capture_output=True, text=True)
        nodes_out = subprocess.run([*kubectl, "get", "nodes", "-o", "json"], check=True, capture_output=True, text=True)
        version = json.loads(version_out.stdout)["serverVersion"]["gitVersion"]
        return KubernetesView("kubectl, running `eksy token`", version, _nodes(json.loads(nodes_out.stdout)["items"]))
    return _read_with_the_standard_library(kubeconfig)


def _read_with_the_standard_library(kubeconfig: Path) -> KubernetesView:
    """eksy's own token and urllib, the CA verified: works on a bare install."""
    import base64

    from ruamel.yaml import YAML

    from eksy.kube import get_token

    config = YAML(typ="safe").load(kubeconfig)
    context = next(c["context"] for c in config["contexts"] if c["name"] == config["current-context"])
    cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
    arn = context["cluster"]
    token = get_token(arn.rpartition("/")[2], region=arn.split(":")[3])
    tls = ssl.create_default_context(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())

    def get(path: str) -> Any:
        request = urllib.request.Request(cluster["server"] + path, headers={"Authorization": f"Bearer {token.token}"})
        with urllib.request.urlopen(request, context=tls, timeout=30) as response:
            return json.load(response)

    items = get("/api/v1/nodes")["items"]
    return KubernetesView(
        "eksy.kube.get_token and urllib (standard library only)", get("/version")["gitVersion"], _nodes(items)
    )


def _nodes(items: list[dict[str, Any]]) -> list[Node]:
    nodes = []
    for item in items:
        labels = item["metadata"].get("labels") or {}
        conditions = {c["type"]: c["status"] for c in (item.get("status") or {}).get("conditions") or []}
        nodes.append(
            Node(
                name=item["metadata"]["name"],
                ready="Ready" if conditions.get("Ready") == "True" else "NotReady",
                nodegroup=labels.get("eks.amazonaws.com/nodegroup", "-"),
                instance_type=labels.get("node.kubernetes.io/instance-type", "-"),
            )
        )
    return sorted(nodes)


def run(speed: float) -> None:
    with LocalEKS(region="us-west-2") as local:
        local.set_timings(
            cluster_create=2.0 * speed,
            cluster_update=1.0 * speed,
            cluster_delete=1.0 * speed,
            nodegroup_create=1.5 * speed,
            nodegroup_delete=1.0 * speed,
            nodegroup_update=1.0 * speed,
            addon_create=0.8 * speed,
            addon_update=0.5 * speed,
            addon_delete=0.5 * speed,
        )
        say(f"eksy {eksy.__version__}: local EKS emulator listening on {local.endpoint_url}")
        eks = local.client()
        say(f"client: {eks!r}")

        step("Create a cluster")
        created = eks.create_cluster(
            name="demo",
            version="1.33",
            role_arn=ROLE,
            resources_vpc_config={"subnet_ids": SUBNETS, "endpoint_public_access": True},
            tags={"team": "platform"},
        ).cluster
        assert created is not None
        say(f"   {created.name}  version {created.version}  status {created.status}")
        say(f"   arn {created.arn}")

        eks.wait.cluster_active(name="demo", delay=0.2, progress=StatusPrinter("cluster demo"))

        step("Add a managed node group and the vpc-cni add-on")
        versions = eks.describe_addon_versions(addon_name="vpc-cni", kubernetes_version="1.33").addons or []
        vpc_cni = versions[0].addon_versions[0].addon_version if versions and versions[0].addon_versions else None
        say(f"   vpc-cni versions for 1.33: newest {vpc_cni}")
        eks.create_nodegroup(
            cluster_name="demo",
            nodegroup_name="general",
            node_role=NODE_ROLE,
            subnets=SUBNETS,
            instance_types=["m7i.large"],
            scaling_config=eksy.models.NodegroupScalingConfig(min_size=1, max_size=4, desired_size=2),
            labels={"workload": "general"},
        )
        eks.create_addon(cluster_name="demo", addon_name="vpc-cni", addon_version=vpc_cni)

        eks.wait.nodegroup_active(
            cluster_name="demo", nodegroup_name="general", delay=0.2, progress=StatusPrinter("node group general")
        )
        eks.wait.addon_active(
            cluster_name="demo", addon_name="vpc-cni", delay=0.2, progress=StatusPrinter("add-on vpc-cni")
        )

        step("List (paginators follow nextToken for you) and describe")
        for i in range(12):
            eks.create_cluster(name=f"team-{i:02}", role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS})
        clusters = list(eks.paginate.list_clusters(page_size=5))
        pages = sum(1 for _ in eks.paginate.list_clusters(page_size=5).pages())
        say(f"   clusters:    {len(clusters)} in {pages} pages of 5: {clusters[:4]} ...")
        say(f"   node groups: {eks.list_nodegroups(cluster_name='demo').nodegroups}")
        say(f"   add-ons:     {eks.list_addons(cluster_name='demo').addons}")
        nodegroup = eks.describe_nodegroup(cluster_name="demo", nodegroup_name="general").nodegroup
        assert nodegroup is not None and nodegroup.scaling_config is not None
        say(
            f"   general: {nodegroup.instance_types} desired {nodegroup.scaling_config.desired_size}, "
            f"created {nodegroup.created_at:%Y-%m-%d %H:%M:%S %Z}"
        )

        step("Scale the node group and read the update")
        update = eks.update_nodegroup_config(
            cluster_name="demo",
            nodegroup_name="general",
            scaling_config={"min_size": 1, "max_size": 6, "desired_size": 4},
        ).update
        assert update is not None and update.id is not None
        say(f"   update {update.id}: {update.type} {update.status}")
        for param in update.params or []:
            say(f"      {param.type} = {param.value}")

        eks.wait.nodegroup_active(
            cluster_name="demo", nodegroup_name="general", delay=0.2, progress=StatusPrinter("node group general")
        )
        finished = eks.describe_update(name="demo", nodegroup_name="general", update_id=update.id).update
        say(f"   update {update.id}: {finished.status if finished else None}")

        step("Talk to the cluster's Kubernetes API: a kubeconfig whose user runs `eksy token`")
        talk_to_kubernetes(local, "demo", say)

        step("Errors are typed")
        try:
            eks.describe_cluster(name="no-such-cluster")
        except eksy.ResourceNotFoundException as error:
            say(
                f"   {type(error).__name__}: {error.message} "
                f"(HTTP {error.status_code}, cluster_name={error.cluster_name!r})"
            )
        try:
            eks.create_nodegroup(
                cluster_name="demo",
                nodegroup_name="bad",
                node_role=NODE_ROLE,
                subnets=SUBNETS,
                scaling_config={"min_size": -1},
            )
        except eksy.ParamValidationError as error:
            say(f"   ParamValidationError before sending anything: {error}")

        step("Tag the cluster")
        arn = created.arn or ""
        eks.tag_resource(resource_arn=arn, tags={"cost-center": "1234"})
        say(f"   tags: {eks.list_tags_for_resource(resource_arn=arn).tags}")

        step("Clean up")
        eks.delete_addon(cluster_name="demo", addon_name="vpc-cni")
        eks.wait.addon_deleted(
            cluster_name="demo", addon_name="vpc-cni", delay=0.2, progress=StatusPrinter("add-on vpc-cni")
        )
        eks.delete_nodegroup(cluster_name="demo", nodegroup_name="general")
        eks.wait.nodegroup_deleted(
            cluster_name="demo", nodegroup_name="general", delay=0.2, progress=StatusPrinter("node group general")
        )
        eks.delete_cluster(name="demo")
        eks.wait.cluster_deleted(name="demo", delay=0.2, progress=StatusPrinter("cluster demo"))
        for i in range(12):
            eks.delete_cluster(name=f"team-{i:02}")
        say(f"\nDone: {len(local.requests())} requests served by the emulator.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eksy demo", description=__doc__)
    parser.add_argument("--speed", type=float, default=1.0, help="scale the emulated lifecycle times (0 = instant)")
    args = parser.parse_args(argv)
    run(args.speed)
    return 0
