"""`eksy demo`: a realistic EKS session against the emulator embedded in this process."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import eksy
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks-cluster-role"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-node-role"
SUBNETS = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]


def say(text: str) -> None:
    print(text, flush=True)


def step(text: str) -> None:
    say(f"\n== {text}")


def watch(what: str, read_status: Callable[[], str | None], until: str, timeout: float = 30) -> None:
    """Prints each status change until `until` (or the resource is gone, for until='gone')."""
    started = time.monotonic()
    last: str | None = None
    while time.monotonic() - started < timeout:
        try:
            status = read_status()
        except eksy.ResourceNotFoundException:
            status = "gone"
        if status != last:
            say(f"   {what}: {status}  ({time.monotonic() - started:4.1f} s)")
            last = status
        if status == until:
            return
        if status in ("FAILED", "CREATE_FAILED", "DELETE_FAILED", "DEGRADED"):
            raise SystemExit(f"{what} ended {status}")
        time.sleep(0.1)
    raise SystemExit(f"{what} did not reach {until} within {timeout} s")


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

        def cluster_status() -> str | None:
            cluster = eks.describe_cluster(name="demo").cluster
            return cluster.status if cluster else None

        watch("cluster demo", cluster_status, "ACTIVE")

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

        def nodegroup_status() -> str | None:
            nodegroup = eks.describe_nodegroup(cluster_name="demo", nodegroup_name="general").nodegroup
            return nodegroup.status if nodegroup else None

        def addon_status() -> str | None:
            addon = eks.describe_addon(cluster_name="demo", addon_name="vpc-cni").addon
            return addon.status if addon else None

        watch("node group general", nodegroup_status, "ACTIVE")
        watch("add-on vpc-cni", addon_status, "ACTIVE")

        step("List and describe")
        say(f"   clusters:    {eks.list_clusters().clusters}")
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

        def update_status() -> str | None:
            current = eks.describe_update(name="demo", nodegroup_name="general", update_id=update.id or "").update
            return current.status if current else None

        watch("update", update_status, "Successful")

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
        watch("add-on vpc-cni", addon_status, "gone")
        eks.delete_nodegroup(cluster_name="demo", nodegroup_name="general")
        watch("node group general", nodegroup_status, "gone")
        eks.delete_cluster(name="demo")
        watch("cluster demo", cluster_status, "gone")
        say(f"\nDone: {len(local.requests())} requests served by the emulator.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eksy demo", description=__doc__)
    parser.add_argument("--speed", type=float, default=1.0, help="scale the emulated lifecycle times (0 = instant)")
    args = parser.parse_args(argv)
    run(args.speed)
    return 0
