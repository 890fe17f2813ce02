"""Cluster version, encryption and update rules of docs/emulator-rules.md (UpdateClusterVersion,
AssociateEncryptionConfig, CancelUpdate, ListUpdates, DescribeUpdate), one rule per test, through
boto3 over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, upgradable
from rules_support import rejects

pytestmark = pytest.mark.usefixtures("slow_lifecycles")

INVALID = "InvalidParameterException"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_version_update_goes_one_minor_up(eks: Any, make_cluster: Any) -> None:
    old, _ = upgradable(eks)
    make_cluster("demo", version=old)
    rejects(
        eks.update_cluster_version, INVALID, "Unsupported Kubernetes minor version update", name="demo", version=old
    )


def test_version_update_waits_for_node_groups(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    offered = sorted(
        (v["clusterVersion"] for v in eks.describe_cluster_versions()["clusterVersions"]),
        key=lambda v: int(v.split(".")[1]),
    )
    first, second, third = offered[-3:]
    make_cluster("demo", version=first)
    eks.create_nodegroup(clusterName="demo", nodegroupName="ng", subnets=["s"], nodeRole=ROLE)
    local_eks.advance(3600)
    eks.update_cluster_version(name="demo", version=second, force=True)
    local_eks.advance(3600)
    response = rejects(
        eks.update_cluster_version,
        "InvalidRequestException",
        "must be at the cluster's Kubernetes version",
        name="demo",
        version=third,
        force=True,
    )
    assert response["clusterName"] == "demo"


def test_version_update_is_blocked_by_readiness_errors(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    old, new = upgradable(eks)
    make_cluster("demo", version=old)
    eks.create_addon(clusterName="demo", addonName="kube-proxy")
    local_eks.advance(3600)
    rejects(eks.update_cluster_version, "InvalidStateException", "upgrade readiness issues", name="demo", version=new)


def test_version_update_of_a_cluster_being_updated_is_refused(eks: Any, make_cluster: Any) -> None:
    _, new = upgradable(eks)
    make_cluster("demo")
    eks.update_cluster_config(name="demo", deletionProtection=True)
    rejects(eks.update_cluster_version, "ResourceInUseException", "has an update in progress", name="demo", version=new)


def test_encryption_is_associated_once(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    config = [{"resources": ["secrets"], "provider": {"keyArn": KEY}}]
    make_cluster("demo", encryptionConfig=config)
    rejects(
        eks.associate_encryption_config,
        "InvalidRequestException",
        "already has an encryption configuration",
        clusterName="demo",
        encryptionConfig=config,
    )


def test_associated_encryption_is_for_secrets(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    config = [{"resources": ["pods"], "provider": {"keyArn": KEY}}]
    rejects(
        eks.associate_encryption_config,
        INVALID,
        "only supported resource is secrets",
        clusterName="demo",
        encryptionConfig=config,
    )


def test_finished_update_is_not_cancelled(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    update_id = eks.update_cluster_config(name="demo", deletionProtection=True)["update"]["id"]
    local_eks.advance(3600)
    rejects(eks.cancel_update, "InvalidRequestException", "can no longer be cancelled", name="demo", updateId=update_id)


def test_updates_of_a_missing_node_group_are_not_found(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    rejects(
        eks.list_updates,
        "ResourceNotFoundException",
        "No node group found for name: ng",
        name="demo",
        nodegroupName="ng",
    )


def test_unknown_update_is_not_found(eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    rejects(
        eks.describe_update, "ResourceNotFoundException", "No update found for ID: nope", name="demo", updateId="nope"
    )
