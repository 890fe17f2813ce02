"""End to end against the emulator's Kubernetes endpoints: a kubeconfig from update_kubeconfig
used by the official client (running `eksy token` as its exec plugin) and by kubectl, and
kubernetes_client() across token expiry. TLS is verified against each cluster's own CA, and
the endpoint checks each token's signature and age."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import eksy.kube._client as client_module
import eksy.kube._token as token_module
import kubernetes.client
import kubernetes.config
import pytest
from eksy.kube import kubernetes_client, update_kubeconfig
from eksy.testing import LocalEKS
from kube._fixtures import CLUSTER, REGION, SUBNETS, create_cluster, emulator, isolated, local
from ruamel.yaml import YAML

__all__ = ["emulator", "isolated", "local"]  # fixtures

pytestmark = pytest.mark.usefixtures("isolated")

NODE_ROLE = "arn:aws:iam::123456789012:role/eks-node-role"
KUBECTL = shutil.which("kubectl")


@pytest.fixture
def serving(local: LocalEKS) -> dict[str, Any]:
    """An ACTIVE cluster with a node group of two nodes; its description."""
    local.set_timings(nodegroup_create=0)
    description = create_cluster(local)
    local.client().create_nodegroup(
        cluster_name=CLUSTER,
        nodegroup_name="general",
        node_role=NODE_ROLE,
        subnets=SUBNETS,
        instance_types=["m7i.large"],
        scaling_config={"min_size": 1, "max_size": 4, "desired_size": 2},
    )
    assert description["endpoint"].startswith("https://127.0.0.1:")
    return description


def write_kubeconfig(local: LocalEKS, path: Path) -> Path:
    update_kubeconfig(CLUSTER, region=REGION, kubeconfig=path, endpoint_url=local.endpoint_url)
    return path


def node_names_of(items: list[Any]) -> list[str]:
    return sorted(item["metadata"]["name"] if isinstance(item, dict) else item.metadata.name for item in items)


def raw_status(local: LocalEKS, endpoint: str, token: str) -> int:
    """GET /version with ``token``, the CA verified, through the standard library only."""
    context = ssl.create_default_context(cadata=local.cluster_ca(CLUSTER))
    request = urllib.request.Request(f"{endpoint}/version", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


# -- the kubeconfig, used by real clients ----------------------------------------------------------


def test_official_client_loads_the_kubeconfig_and_runs_eksy_token(
    local: LocalEKS, serving: dict[str, Any], tmp_path: Path
) -> None:
    path = write_kubeconfig(local, tmp_path / "config")
    configuration = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(config_file=str(path), client_configuration=configuration)
    assert configuration.host == serving["endpoint"] and configuration.verify_ssl and configuration.ssl_ca_cert

    api = kubernetes.client.ApiClient(configuration)
    version = kubernetes.client.VersionApi(api).get_code()
    nodes = kubernetes.client.CoreV1Api(api).list_node()

    assert version.git_version.startswith("v1.") and version.major == "1"
    assert len(nodes.items) == 2
    assert {node.metadata.labels["eks.amazonaws.com/nodegroup"] for node in nodes.items} == {"general"}
    # The bearer token is the one the exec plugin printed.
    assert [key.split()[-1][:11] for key in configuration.api_key.values()] == ["k8s-aws-v1."]


def test_official_client_refuses_a_server_outside_the_clusters_ca(
    local: LocalEKS, serving: dict[str, Any], tmp_path: Path
) -> None:
    other = create_cluster(local, "other")
    path = write_kubeconfig(local, tmp_path / "config")
    yaml = YAML()
    config = yaml.load(path)
    config["clusters"][0]["cluster"]["certificate-authority-data"] = other["ca"]
    yaml.dump(config, path)
    configuration = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(config_file=str(path), client_configuration=configuration)
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        kubernetes.client.VersionApi(kubernetes.client.ApiClient(configuration)).get_code()


def kubectl(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """kubectl with a PATH that has kubectl and the system, not this virtual environment."""
    assert KUBECTL is not None
    env = {name: value for name, value in os.environ.items() if name != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join([os.path.dirname(KUBECTL), "/usr/bin", "/bin"])
    return subprocess.run(
        [KUBECTL, "--kubeconfig", str(path), *args], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (.ci/run installs it)")
def test_kubectl_version_and_get_nodes(local: LocalEKS, serving: dict[str, Any], tmp_path: Path) -> None:
    path = write_kubeconfig(local, tmp_path / "config")

    version = kubectl(path, "version", "-o", "json")
    assert version.returncode == 0, version.stderr
    server = json.loads(version.stdout)["serverVersion"]
    assert server["gitVersion"].startswith("v1.") and server["major"] == "1"

    nodes = kubectl(path, "get", "nodes", "-o", "json")
    assert nodes.returncode == 0, nodes.stderr
    items = json.loads(nodes.stdout)["items"]
    assert len(items) == 2
    assert {item["metadata"]["labels"]["eks.amazonaws.com/nodegroup"] for item in items} == {"general"}

    table = kubectl(path, "get", "nodes")
    assert table.returncode == 0, table.stderr
    assert table.stdout.split()[:5] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert table.stdout.count(" Ready ") == 2
    assert sorted(line.split()[0] for line in table.stdout.splitlines()[1:]) == node_names_of(items)


# -- kubernetes_client across token expiry ----------------------------------------------------------


@pytest.fixture
def minted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token get_token mints from now on, in order."""
    real_get_token = token_module.get_token
    tokens: list[str] = []

    def recording_get_token(*args: Any, **kwargs: Any) -> token_module.Token:
        token = real_get_token(*args, **kwargs)
        tokens.append(token.token)
        return token

    monkeypatch.setattr(token_module, "get_token", recording_get_token)
    return tokens


def git_version(api: Any) -> str:
    return str(kubernetes.client.VersionApi(api).get_code().git_version)


def test_kubernetes_client_calls_the_cluster(local: LocalEKS, serving: dict[str, Any], minted: list[str]) -> None:
    api = kubernetes_client(CLUSTER, region=REGION, endpoint_url=local.endpoint_url)
    assert git_version(api).startswith("v1.")
    nodes = kubernetes.client.CoreV1Api(api).list_node()
    assert len(nodes.items) == 2 and len(minted) == 1


def test_kubernetes_client_retries_once_with_a_fresh_token_when_the_endpoint_rejects_its_age(
    local: LocalEKS, serving: dict[str, Any], minted: list[str]
) -> None:
    api = kubernetes_client(CLUSTER, region=REGION, endpoint_url=local.endpoint_url)
    local.set_kube_settings(token_max_age=2)
    assert git_version(api).startswith("v1.")
    time.sleep(3.2)  # the token is now older than the endpoint accepts (X-Amz-Date has whole seconds)
    assert raw_status(local, serving["endpoint"], minted[0]) == 401

    assert git_version(api).startswith("v1.")  # the same client: 401, a fresh token, one retry

    assert len(minted) == 2 and minted[1] != minted[0]
    assert raw_status(local, serving["endpoint"], minted[1]) == 200


def test_kubernetes_client_renews_its_token_ahead_of_expiry(
    local: LocalEKS, serving: dict[str, Any], minted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The emulator's clock is moved forward; the client's clock and the tokens' signing time follow it.
    offset = 0.0
    real_get_token = token_module.get_token
    monkeypatch.setattr(
        token_module, "get_token", lambda *args, **kwargs: real_get_token(*args, **kwargs, _now=time.time() + offset)
    )
    real_now = client_module._now
    monkeypatch.setattr(client_module, "_now", lambda: real_now() + timedelta(seconds=offset))
    api = kubernetes_client(CLUSTER, region=REGION, endpoint_url=local.endpoint_url)
    assert git_version(api).startswith("v1.")

    offset = local.advance(13 * 60 + 30) - time.time()  # 13.5 minutes on: the first token still works...
    assert raw_status(local, serving["endpoint"], minted[0]) == 200
    assert git_version(api).startswith("v1.")
    assert len(minted) == 2  # ...but the client replaced it before it expires

    offset = local.advance(120) - time.time()  # 15.5 minutes after the first token: EKS refuses it now
    assert raw_status(local, serving["endpoint"], minted[0]) == 401
    assert git_version(api).startswith("v1.")
    assert len(minted) == 2  # the renewed one is two minutes old: kept


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (.ci/run installs it)")
def test_kubectl_with_a_role_goes_through_sts_assume_role(
    local: LocalEKS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = local.add_identity("arn:aws:iam::123456789012:role/k8s-admins").arn
    create_cluster(local, access_config={"authentication_mode": "API_AND_CONFIG_MAP"})
    eks = local.client()
    eks.create_access_entry(cluster_name=CLUSTER, principal_arn=role)
    eks.associate_access_policy(
        cluster_name=CLUSTER,
        principal_arn=role,
        policy_arn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        access_scope={"type": "cluster"},
    )
    path = tmp_path / "config"
    update_kubeconfig(CLUSTER, region=REGION, kubeconfig=path, role_arn=role, endpoint_url=local.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", local.endpoint_url)  # the emulator serves STS too

    whoami = kubectl(path, "auth", "whoami", "-o", "json")

    assert whoami.returncode == 0, whoami.stderr
    user = json.loads(whoami.stdout)["status"]["userInfo"]
    assert user["username"] == "arn:aws:sts::123456789012:assumed-role/k8s-admins/EKSGetTokenAuth"
    assert user["extra"]["canonicalArn"] == [role]
    sts_calls = [r for r in local.requests() if r["operation"] is None and r["method"] == "POST" and r["path"] == "/"]
    assert len(sts_calls) == 1 and "AssumeRole" in str(sts_calls[0]["body"])


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (.ci/run installs it)")
def test_kubectl_with_a_profile_gets_its_credentials_through_aws_profile(
    local: LocalEKS, serving: dict[str, Any], tmp_path: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "aws-credentials").write_text("[team]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    path = tmp_path / "config"
    update_kubeconfig(CLUSTER, region=REGION, kubeconfig=path, profile="team", endpoint_url=local.endpoint_url)

    nodes = kubectl(path, "get", "nodes", "-o", "name")

    assert nodes.returncode == 0, nodes.stderr
    assert len(nodes.stdout.split()) == 2
