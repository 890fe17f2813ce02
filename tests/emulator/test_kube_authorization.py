"""Who may do what in an emulated cluster, decided as EKS decides it: the authentication mode,
access entries and their access policies, the aws-auth ConfigMap, the creator's bootstrap admin,
Kubernetes groups bound by RBAC. Forbidden requests answer 403 with a Kubernetes Status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eksy.testing import Credentials, LocalEKS
from kube_support import call, kubeconfig, kubectl, make_active_cluster, needs_kubectl, presigned_token

POLICY = "arn:aws:eks::aws:cluster-access-policy/"
DEV_ROLE = "arn:aws:iam::123456789012:role/dev"


@pytest.fixture
def local() -> Any:
    with LocalEKS(timings={"all": 0}) as emulator:
        yield emulator


def _as(local: LocalEKS, cluster: str, creds: Credentials | None = None) -> Any:
    """A caller of the cluster's API as `creds` (default: the test credentials, its creator)."""
    info = make_active_cluster(local, cluster)
    key, secret = (creds.access_key_id, creds.secret_access_key) if creds else ("testing", "testing")
    token = presigned_token(cluster, key=key, secret=secret)

    def request(path: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
        return call(info["endpoint"], info["ca"], path, token=token, method=method, body=body)

    return request


def _namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def _associate(local: LocalEKS, principal: str, policy: str, namespaces: list[str] | None = None) -> None:
    scope: dict[str, Any] = {"type": "namespace", "namespaces": namespaces} if namespaces else {"type": "cluster"}
    local.client().associate_access_policy(
        cluster_name="demo", principal_arn=principal, policy_arn=POLICY + policy, access_scope=scope
    )


def test_the_creator_is_a_cluster_admin_through_an_access_entry(local: LocalEKS) -> None:
    creator = _as(local, "demo")
    assert creator("/api/v1/nodes")[0] == 200
    assert creator("/api/v1/namespaces", "POST", _namespace("made"))[0] == 201
    entries = local.client().list_access_entries(cluster_name="demo").access_entries
    assert entries == ["arn:aws:iam::123456789012:user/testing"]
    policies = local.client().list_associated_access_policies(
        cluster_name="demo", principal_arn="arn:aws:iam::123456789012:user/testing"
    )
    assert [p.policy_arn for p in policies.associated_access_policies] == [POLICY + "AmazonEKSClusterAdminPolicy"]


def test_without_bootstrap_the_creator_has_no_access(local: LocalEKS) -> None:
    local.client().create_cluster(
        name="demo",
        role_arn="arn:aws:iam::123456789012:role/c",
        resources_vpc_config={"subnet_ids": ["s-1", "s-2"]},
        access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False},
    )
    creator = _as(local, "demo")
    status, body = creator("/api/v1/namespaces")
    # An IAM principal that nothing maps is authenticated as its ARN and granted nothing.
    assert status == 403, body
    assert 'User "arn:aws:iam::123456789012:user/testing" cannot list resource "namespaces"' in body["message"]
    status, review = creator(
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        "POST",
        {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
    )
    assert status == 201 and review["status"]["userInfo"]["username"] == "arn:aws:iam::123456789012:user/testing"


def test_an_entry_without_policies_is_authenticated_but_forbidden(local: LocalEKS) -> None:
    alice = local.add_identity("arn:aws:iam::123456789012:user/alice")
    make_active_cluster(local)
    local.client().create_access_entry(cluster_name="demo", principal_arn=alice.arn)
    status, body = _as(local, "demo", alice)("/api/v1/namespaces")
    assert status == 403, body
    assert body["reason"] == "Forbidden"
    assert body["message"] == (
        'namespaces is forbidden: User "arn:aws:iam::123456789012:user/alice" cannot list resource '
        '"namespaces" in API group "" at the cluster scope'
    )


def test_view_policy_lists_but_cannot_create_namespaces(local: LocalEKS) -> None:
    alice = local.add_identity("arn:aws:iam::123456789012:user/alice")
    make_active_cluster(local)
    local.client().create_access_entry(cluster_name="demo", principal_arn=alice.arn)
    _associate(local, alice.arn, "AmazonEKSViewPolicy")
    viewer = _as(local, "demo", alice)
    assert viewer("/api/v1/namespaces")[0] == 200
    status, body = viewer("/api/v1/namespaces", "POST", _namespace("nope"))
    assert status == 403 and "cannot create resource" in body["message"]
    assert viewer("/api/v1/nodes")[0] == 403


def test_a_namespace_scoped_policy_works_only_in_its_namespaces(local: LocalEKS) -> None:
    admin = _as(local, "demo")
    for name in ("team-a", "team-b"):
        assert admin("/api/v1/namespaces", "POST", _namespace(name))[0] == 201
    bob = local.add_identity("arn:aws:iam::123456789012:user/bob")
    local.client().create_access_entry(cluster_name="demo", principal_arn=bob.arn)
    _associate(local, bob.arn, "AmazonEKSEditPolicy", ["team-a"])
    editor = _as(local, "demo", bob)
    configmap = {"metadata": {"name": "cfg"}, "data": {"k": "v"}}
    assert editor("/api/v1/namespaces/team-a/configmaps", "POST", configmap)[0] == 201
    status, body = editor("/api/v1/namespaces/team-b/configmaps", "POST", configmap)
    assert status == 403 and 'in the namespace "team-b"' in body["message"]
    assert editor("/api/v1/namespaces")[0] == 403


def test_kubernetes_groups_of_an_entry_are_bound_by_rbac(local: LocalEKS) -> None:
    admin = _as(local, "demo")
    carol = local.add_identity("arn:aws:iam::123456789012:user/carol")
    local.client().create_access_entry(cluster_name="demo", principal_arn=carol.arn, kubernetes_groups=["viewers"])
    member = _as(local, "demo", carol)
    assert member("/api/v1/namespaces")[0] == 403
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "viewers"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "viewers"}],
    }
    assert admin("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "POST", binding)[0] == 201
    assert member("/api/v1/namespaces")[0] == 200
    assert member("/api/v1/namespaces", "POST", _namespace("x"))[0] == 403


def _aws_auth(role: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "aws-auth", "namespace": "kube-system"},
        "data": {
            "mapRoles": f"- rolearn: {role}\n  username: dev:{{{{SessionName}}}}\n  groups:\n    - system:masters\n"
        },
    }


@pytest.mark.parametrize(("mode", "mapped"), [("CONFIG_MAP", True), ("API_AND_CONFIG_MAP", True), ("API", False)])
def test_aws_auth_map_roles_count_only_in_the_config_map_modes(local: LocalEKS, mode: str, mapped: bool) -> None:
    local.client().create_cluster(
        name="demo",
        role_arn="arn:aws:iam::123456789012:role/c",
        resources_vpc_config={"subnet_ids": ["s-1", "s-2"]},
        access_config={"authentication_mode": mode},
    )
    creator = _as(local, "demo")
    status, _ = creator("/api/v1/namespaces/kube-system/configmaps", "POST", _aws_auth(DEV_ROLE))
    assert status == 201
    dev = local.add_identity(DEV_ROLE)
    status, body = _as(local, "demo", dev)("/api/v1/nodes")
    assert status == (200 if mapped else 403), body


def test_deleting_the_access_entry_revokes_access(local: LocalEKS) -> None:
    alice = local.add_identity("arn:aws:iam::123456789012:user/alice")
    make_active_cluster(local)
    local.client().create_access_entry(cluster_name="demo", principal_arn=alice.arn)
    _associate(local, alice.arn, "AmazonEKSClusterAdminPolicy")
    caller = _as(local, "demo", alice)
    assert caller("/api/v1/nodes")[0] == 200
    local.client().delete_access_entry(cluster_name="demo", principal_arn=alice.arn)
    assert caller("/api/v1/nodes")[0] == 403


@needs_kubectl
def test_kubectl_auth_can_i_and_whoami_agree_with_the_rules(local: LocalEKS, tmp_path: Path) -> None:
    alice = local.add_identity("arn:aws:iam::123456789012:user/alice")
    cluster = make_active_cluster(local)
    local.client().create_access_entry(cluster_name="demo", principal_arn=alice.arn, username="alice")
    _associate(local, alice.arn, "AmazonEKSViewPolicy")
    config = kubeconfig(
        tmp_path, cluster, presigned_token("demo", key=alice.access_key_id, secret=alice.secret_access_key)
    )
    assert kubectl(config, "auth", "can-i", "list", "namespaces").stdout.strip() == "yes"
    assert kubectl(config, "auth", "can-i", "create", "namespaces").stdout.strip() == "no"
    assert kubectl(config, "auth", "can-i", "get", "secrets", "-n", "default").stdout.strip() == "no"
    who = kubectl(config, "auth", "whoami", "-o", "json")
    assert who.returncode == 0, who.stderr
    assert '"username": "alice"' in who.stdout and "system:authenticated" in who.stdout
    denied = kubectl(config, "create", "namespace", "nope")
    assert denied.returncode != 0 and "forbidden" in denied.stderr
    # kubectl and the endpoint agree: what can-i says no to is refused.
    assert kubectl(config, "get", "namespaces").returncode == 0
