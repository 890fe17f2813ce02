"""Every kind of the emulator's resource registry (crates/eksy-emulator/registry/resource_kinds.json)
behaves as its entry says, over HTTP: its ARN finds it for tags, force_status forces it, and its
timings are the ones set_timings takes. A new kind is covered here by its registry entry and one
line of MAKERS saying how to create one."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from emulator_support import ROLE

REGISTRY = Path(__file__).resolve().parents[2] / "crates/eksy-emulator/registry/resource_kinds.json"
KINDS: list[dict[str, Any]] = json.loads(REGISTRY.read_text())["kinds"]
OIDC = {"identityProviderConfigName": "okta", "issuerUrl": "https://example.okta.com", "clientId": "eks"}
TERM = {"duration": 12, "unit": "MONTHS"}


# How to create one resource of each kind in the cluster "demo": returns (name for force_status, ARN or None).
def _cluster(eks: Any) -> tuple[str, str | None]:
    return "demo", eks.describe_cluster(name="demo")["cluster"]["arn"]


def _nodegroup(eks: Any) -> tuple[str, str | None]:
    ng = eks.create_nodegroup(clusterName="demo", nodegroupName="ng", subnets=["s1"], nodeRole=ROLE)["nodegroup"]
    return "ng", ng["nodegroupArn"]


def _fargate_profile(eks: Any) -> tuple[str, str | None]:
    fp = eks.create_fargate_profile(
        clusterName="demo", fargateProfileName="fp", podExecutionRoleArn=ROLE, selectors=[{"namespace": "a"}]
    )["fargateProfile"]
    return "fp", fp["fargateProfileArn"]


def _addon(eks: Any) -> tuple[str, str | None]:
    return "vpc-cni", eks.create_addon(clusterName="demo", addonName="vpc-cni")["addon"]["addonArn"]


def _update(eks: Any) -> tuple[str, str | None]:
    logging = {"clusterLogging": [{"types": ["api"], "enabled": True}]}
    return eks.update_cluster_config(name="demo", logging=logging)["update"]["id"], None


def _capability(eks: Any) -> tuple[str, str | None]:
    capability = eks.create_capability(
        clusterName="demo", capabilityName="ack", type="ACK", roleArn=ROLE, deletePropagationPolicy="RETAIN"
    )["capability"]
    return "ack", capability["arn"]


def _identity_provider_config(eks: Any) -> tuple[str, str | None]:
    eks.associate_identity_provider_config(clusterName="demo", oidc=OIDC)
    ref = {"type": "oidc", "name": "okta"}
    config = eks.describe_identity_provider_config(clusterName="demo", identityProviderConfig=ref)
    return "okta", config["identityProviderConfig"]["oidc"]["identityProviderConfigArn"]


def _certificate_authority(eks: Any) -> tuple[str, str | None]:
    return "", None


def _pod_identity_association(eks: Any) -> tuple[str, str | None]:
    association = eks.create_pod_identity_association(
        clusterName="demo", namespace="ns", serviceAccount="sa", roleArn=ROLE
    )["association"]
    return association["associationId"], association["associationArn"]


def _access_entry(eks: Any) -> tuple[str, str | None]:
    return ROLE, eks.create_access_entry(clusterName="demo", principalArn=ROLE)["accessEntry"]["accessEntryArn"]


def _subscription(eks: Any) -> tuple[str, str | None]:
    subscription = eks.create_eks_anywhere_subscription(name="sub", term=TERM, licenseQuantity=1)["subscription"]
    return subscription["id"], subscription["arn"]


MAKERS: dict[str, Callable[[Any], tuple[str, str | None]]] = {
    "cluster": _cluster,
    "nodegroup": _nodegroup,
    "fargate_profile": _fargate_profile,
    "addon": _addon,
    "update": _update,
    "capability": _capability,
    "identity_provider_config": _identity_provider_config,
    "certificate_authority": _certificate_authority,
    "pod_identity_association": _pod_identity_association,
    "access_entry": _access_entry,
    "subscription": _subscription,
}


def test_every_kind_of_the_registry_has_a_maker() -> None:
    assert sorted(MAKERS) == sorted(k["name"] for k in KINDS)


def test_the_python_types_are_the_registrys() -> None:
    from eksy.testing import ResourceKind, TimingName

    assert typing.get_args(ResourceKind) == tuple(k["name"] for k in KINDS if k["status"])
    assert typing.get_args(TimingName) == tuple(name for k in KINDS for name in k["timings"])


def test_timings_are_the_registrys(local_eks: Any) -> None:
    names = [name for k in KINDS for name in k["timings"]]
    assert sorted(local_eks.timings()) == sorted(names)
    realistic = local_eks.set_timings(preset="realistic")
    assert realistic == {name: float(s) for k in KINDS for name, s in k["timings"].items()}
    assert local_eks.set_timings(preset="instant") == dict.fromkeys(names, 0.0)


@pytest.mark.parametrize("kind", [k for k in KINDS if k["arn"]], ids=lambda k: k["name"])
def test_a_taggable_kind_is_found_by_its_arn(kind: dict[str, Any], eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    _, arn = MAKERS[kind["name"]](eks)
    assert arn is not None and f":{kind['arn']['type']}/" in arn
    eks.tag_resource(resourceArn=arn, tags={"team": "a", "tier": "b"})
    eks.untag_resource(resourceArn=arn, tagKeys=["tier"])
    assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}
    # The same ARN with another resource's key is not found.
    wrong = arn[: -len(arn.rsplit("/", 1)[-1])] + "other"
    with pytest.raises(eks.exceptions.NotFoundException):
        eks.list_tags_for_resource(resourceArn=wrong)


def _failure(enum: str) -> str:
    from botocore.session import get_session

    values: list[str] = get_session().get_service_model("eks").shape_for(enum).enum
    failed = [v for v in values if "FAIL" in v.upper()]
    return failed[0] if failed else values[-1]


@pytest.mark.parametrize("kind", [k for k in KINDS if k["status"]], ids=lambda k: k["name"])
def test_a_kind_with_a_status_can_be_forced(kind: dict[str, Any], local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    name, _ = MAKERS[kind["name"]](eks)
    status = _failure(kind["status"]["enum"])
    forced = local_eks.force_status(kind["name"], "demo", status, None if kind["name"] == "cluster" else name)
    assert forced["status"] == status
    report = kind["status"]["report"]
    if report == "health":
        assert forced["health"]["issues"][0]["code"] == kind["status"]["failure_code"]
    elif report == "errors":
        assert forced["errors"][0]["errorCode"] == kind["status"]["failure_code"]
    else:
        assert "health" not in forced and "errors" not in forced
    with pytest.raises(ValueError, match="is not one of"):
        local_eks.force_status(kind["name"], "demo", "NOT_A_STATUS", None if kind["name"] == "cluster" else name)


def test_a_kind_without_a_status_is_refused_with_the_forceable_ones(local_eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    forceable = ", ".join(k["name"] for k in KINDS if k["status"])
    for name in ["pod_identity_association", "bogus"]:
        with pytest.raises(ValueError, match=f"use one of {forceable}$"):
            local_eks.force_status(name, "demo", "ACTIVE", "x")
