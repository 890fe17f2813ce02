"""Add-ons through boto3: lifecycle, updates, errors, and the add-on version catalog."""

from __future__ import annotations

import json
from typing import Any

import pytest
from emulator_support import error_of, upgradable

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_addons(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    # A version the catalog offers now; kube-proxy's versions follow the catalog's patch releases.
    version = upgradable(eks)[0]
    make_cluster("demo", version=version)
    addon = eks.create_addon(clusterName="demo", addonName="kube-proxy", tags={"x": "y"})["addon"]
    assert addon["status"] == "CREATING" and addon["addonVersion"].startswith(f"v{version}.")
    code, status, response = error_of(eks.create_addon, clusterName="demo", addonName="kube-proxy")
    assert (code, status, response["addonName"], response["clusterName"]) == (
        "ResourceInUseException",
        409,
        "kube-proxy",
        "demo",
    )
    code, _, response = error_of(eks.create_addon, clusterName="demo", addonName="not-an-addon")
    assert code == "InvalidParameterException" and response["addonName"] == "not-an-addon"
    code, _, _ = error_of(eks.create_addon, clusterName="demo", addonName="coredns", addonVersion="v1.11.1-eksbuild.13")
    assert code == "InvalidParameterException"
    code, _, _ = error_of(eks.update_addon, clusterName="demo", addonName="kube-proxy")
    assert code == "InvalidRequestException"
    local_eks.advance(3600)
    update = eks.update_addon(clusterName="demo", addonName="kube-proxy", configurationValues='{"mode": "ipvs"}')[
        "update"
    ]
    assert update["type"] == "AddonUpdate"
    assert eks.describe_addon(clusterName="demo", addonName="kube-proxy")["addon"]["status"] == "UPDATING"
    local_eks.advance(3600)
    described = eks.describe_addon(clusterName="demo", addonName="kube-proxy")["addon"]
    assert described["status"] == "ACTIVE" and described["configurationValues"] == '{"mode": "ipvs"}'
    assert eks.list_updates(name="demo", addonName="kube-proxy")["updateIds"] == [update["id"]]
    assert eks.list_addons(clusterName="demo")["addons"] == ["kube-proxy"]
    eks.delete_addon(clusterName="demo", addonName="kube-proxy", preserve=True)
    local_eks.advance(3600)
    code, status, response = error_of(eks.describe_addon, clusterName="demo", addonName="kube-proxy")
    assert (code, status, response["addonName"], response["clusterName"]) == (
        "ResourceNotFoundException",
        404,
        "kube-proxy",
        "demo",
    )
    code, _, response = error_of(eks.list_updates, name="demo", addonName="kube-proxy")
    assert code == "ResourceNotFoundException" and response["addonName"] == "kube-proxy"


def test_addon_catalog(eks: Any) -> None:
    everything = eks.describe_addon_versions()["addons"]
    names = {a["addonName"] for a in everything}
    assert {
        "vpc-cni",
        "coredns",
        "kube-proxy",
        "aws-ebs-csi-driver",
        "eks-pod-identity-agent",
        "aws-efs-csi-driver",
    } <= names
    version = upgradable(eks)[0]
    proxy = eks.describe_addon_versions(addonName="kube-proxy", kubernetesVersion=version)["addons"]
    [only] = proxy[0]["addonVersions"]
    assert only["addonVersion"].startswith(f"v{version}.")
    assert only["compatibilities"] == [{"clusterVersion": version, "platformVersions": ["*"], "defaultVersion": True}]
    # Versions out of support have no add-ons any more (the catalog's 1.29 ended in March 2026).
    assert eks.describe_addon_versions(addonName="kube-proxy", kubernetesVersion="1.29")["addons"] == []
    storage = eks.describe_addon_versions(types=["storage"])["addons"]
    assert storage and all(a["type"] == "storage" for a in storage)
    pages = list(eks.get_paginator("describe_addon_versions").paginate(PaginationConfig={"PageSize": 3}))
    assert sorted(a["addonName"] for p in pages for a in p["addons"]) == sorted(names)
    config = eks.describe_addon_configuration(addonName="vpc-cni", addonVersion="v1.20.0-eksbuild.1")
    schema = json.loads(config["configurationSchema"])
    assert schema["type"] == "object" and "env" in schema["properties"]
    assert config["podIdentityConfiguration"][0]["serviceAccount"] == "aws-node"
    code, status, _ = error_of(eks.describe_addon_configuration, addonName="vpc-cni", addonVersion="v0")
    assert (code, status) == ("ResourceNotFoundException", 404)
