"""Each ACTIVE cluster serves a Kubernetes API over TLS with its own CA, to real clients."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path
from typing import Any

import boto3
import pytest
from eksy.testing import LocalEKS
from kube_support import (
    NODE_ROLE,
    ROLE,
    SUBNETS,
    call,
    kubeconfig,
    kubectl,
    make_active_cluster,
    needs_kubectl,
    presigned_token,
    wait_for,
)


@pytest.fixture
def local() -> Any:
    # Immediate lifecycles: tokens age on the emulator clock, so tests do not advance it.
    with LocalEKS(timings={"all": 0}) as emulator:
        yield emulator


def test_endpoint_and_ca_appear_when_active_and_serve_verified_tls(local: LocalEKS) -> None:
    local.set_timings(cluster_create=0.2)
    eks = local.client()
    created = eks.create_cluster(name="demo", role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS}).cluster
    assert created is not None and created.status == "CREATING"
    # As on AWS: no endpoint and an empty certificate authority while creating.
    assert created.endpoint is None
    assert created.certificate_authority is not None and created.certificate_authority.data is None
    cluster = make_active_cluster(local, "demo")
    described = eks.describe_cluster(name="demo").cluster
    assert described is not None and described.status == "ACTIVE"
    assert described.endpoint and described.endpoint.startswith("https://127.0.0.1:")
    assert cluster["ca"].startswith("-----BEGIN CERTIFICATE-----")
    status, version = call(cluster["endpoint"], cluster["ca"], "/version", token=presigned_token("demo"))
    assert status == 200 and version["major"] == "1" and version["gitVersion"].startswith("v1.")
    # The leaf is issued by the cluster's CA, whose common name is "kubernetes", as on EKS.
    host, port = cluster["endpoint"].removeprefix("https://").split(":")
    context = ssl.create_default_context(cadata=cluster["ca"])
    with socket.create_connection((host, int(port))) as raw, context.wrap_socket(raw, server_hostname=host) as tls:
        certificate = tls.getpeercert()
    issuer = dict(pair[0] for pair in certificate["issuer"])
    assert issuer["commonName"] == "kubernetes"
    assert ("IP Address", "127.0.0.1") in certificate["subjectAltName"]
    assert ("DNS", "localhost") in certificate["subjectAltName"]


def test_one_clusters_ca_does_not_verify_another_clusters_endpoint(local: LocalEKS) -> None:
    a = make_active_cluster(local, "a")
    b = make_active_cluster(local, "b")
    assert a["ca"] != b["ca"] and a["endpoint"] != b["endpoint"]
    with pytest.raises(ssl.SSLCertVerificationError):
        call(b["endpoint"], a["ca"], "/version", token=presigned_token("b"))
    assert call(b["endpoint"], b["ca"], "/version", token=presigned_token("b"))[0] == 200


def _port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_endpoint_refuses_while_deleting_and_its_port_is_freed(local: LocalEKS) -> None:
    local.set_timings(cluster_delete=30)
    cluster = make_active_cluster(local)
    port = _port(cluster["endpoint"])
    assert not _refused(port)
    local.client().delete_cluster(name="demo")
    assert _refused(port)
    local.advance(60)
    wait_for(lambda: not local.client().list_clusters().clusters)
    # Nothing holds the port any more.
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
    assert local.kube_endpoints() == []


def test_a_forced_failure_closes_the_endpoint(local: LocalEKS) -> None:
    cluster = make_active_cluster(local)
    local.force_status("cluster", "demo", "FAILED")
    assert _refused(_port(cluster["endpoint"]))
    local.force_status("cluster", "demo", "ACTIVE")
    assert call(cluster["endpoint"], cluster["ca"], "/version", token=presigned_token("demo"))[0] == 200


def test_endpoints_open_on_the_clock_without_a_request(local: LocalEKS) -> None:
    local.set_timings(cluster_create=0.3)
    local.client().create_cluster(name="demo", role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS})
    assert local.kube_endpoints() == []
    wait_for(lambda: len(local.kube_endpoints()) == 1)
    assert local.kube_endpoints()[0]["cluster"] == "demo"


def test_official_kubernetes_client_reads_version_nodes_namespaces_and_configmaps(local: LocalEKS) -> None:
    kubernetes = pytest.importorskip("kubernetes")
    cluster = make_active_cluster(local)
    local.client().create_nodegroup(
        cluster_name="demo",
        nodegroup_name="ng",
        node_role=NODE_ROLE,
        subnets=SUBNETS,
        scaling_config={"min_size": 1, "max_size": 4, "desired_size": 2},
    )
    assert local.cluster_ca("demo") == cluster["ca"]
    api = local.kubernetes_client("demo")
    assert kubernetes.client.VersionApi(api).get_code().major == "1"
    core = kubernetes.client.CoreV1Api(api)
    assert len(core.list_node().items) == 2
    names = sorted(n.metadata.name for n in core.list_namespace().items)
    assert names == ["default", "kube-node-lease", "kube-public", "kube-system"]
    core.create_namespaced_config_map("kube-system", {"metadata": {"name": "settings"}, "data": {"a": "1"}})
    assert core.read_namespaced_config_map("settings", "kube-system").data == {"a": "1"}
    core.patch_namespaced_config_map("settings", "kube-system", {"data": {"b": "2"}})
    assert core.read_namespaced_config_map("settings", "kube-system").data == {"a": "1", "b": "2"}
    with pytest.raises(kubernetes.client.ApiException) as missing:
        core.read_namespaced_config_map("nope", "kube-system")
    assert missing.value.status == 404


@needs_kubectl
def test_kubectl_version_nodes_namespaces_and_configmaps(local: LocalEKS, tmp_path: Path) -> None:
    cluster = make_active_cluster(local)
    config = kubeconfig(tmp_path, cluster, presigned_token("demo"))
    version = kubectl(config, "version", "-o", "json")
    assert version.returncode == 0, version.stderr
    assert '"serverVersion"' in version.stdout
    namespaces = kubectl(config, "get", "namespaces")
    assert namespaces.returncode == 0, namespaces.stderr
    assert "kube-system" in namespaces.stdout and "Active" in namespaces.stdout
    created = kubectl(config, "create", "namespace", "team-a")
    assert created.returncode == 0, created.stderr
    made = kubectl(config, "create", "configmap", "cfg", "-n", "team-a", "--from-literal=k=v")
    assert made.returncode == 0, made.stderr
    listed = kubectl(config, "get", "configmaps", "-n", "team-a", "-o", "jsonpath={.items[0].data.k}")
    assert listed.stdout == "v"
    deleted = kubectl(config, "delete", "namespace", "team-a")
    assert deleted.returncode == 0, deleted.stderr
    assert "team-a" not in kubectl(config, "get", "namespaces").stdout


def test_sts_answers_on_the_emulator_endpoint_and_assumed_roles_get_tokens(local: LocalEKS) -> None:
    sts = boto3.client(
        "sts",
        endpoint_url=local.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    me = sts.get_caller_identity()
    assert me["Arn"] == "arn:aws:iam::123456789012:user/testing" and me["Account"] == "123456789012"
    role = "arn:aws:iam::123456789012:role/deployer"
    assumed = sts.assume_role(RoleArn=role, RoleSessionName="ci", DurationSeconds=900)
    creds = assumed["Credentials"]
    assert assumed["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/deployer/ci"
    as_role = boto3.client(
        "sts",
        endpoint_url=local.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    assert as_role.get_caller_identity()["Arn"] == "arn:aws:sts::123456789012:assumed-role/deployer/ci"
    cluster = make_active_cluster(local)
    eks = local.client()
    eks.create_access_entry(cluster_name="demo", principal_arn=role)
    eks.associate_access_policy(
        cluster_name="demo",
        principal_arn=role,
        policy_arn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
        access_scope={"type": "cluster"},
    )
    token = presigned_token(
        "demo", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], session_token=creds["SessionToken"]
    )
    status, review = call(
        cluster["endpoint"],
        cluster["ca"],
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        token=token,
        method="POST",
        body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
    )
    assert status == 201, review
    user = review["status"]["userInfo"]
    assert user["username"] == "arn:aws:sts::123456789012:assumed-role/deployer/ci"
    assert user["extra"]["canonicalArn"] == [role]
    # Assumed credentials expire on the emulator clock (900 s here).
    local.set_kube_settings(token_max_age=3600)
    local.advance(901)
    assert call(cluster["endpoint"], cluster["ca"], "/api/v1/namespaces", token=token)[0] == 401
    with pytest.raises(Exception, match="ExpiredToken"):
        as_role.get_caller_identity()
