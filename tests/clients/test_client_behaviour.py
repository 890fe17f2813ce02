"""The fixed points of the client API: validation, runtime, threads, fork, pickling, secrets."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import eksy
import eksy.models.auth
import pytest
from eksy.models import NodegroupScalingConfig
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"
VPC = {"subnet_ids": ["subnet-1", "subnet-2"]}


def make_cluster(eks: eksy.EKS, name: str = "prod", emulator: LocalEKS | None = None) -> None:
    eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config=VPC)
    if emulator is not None:
        emulator.advance(60)  # past CREATING


@pytest.mark.parametrize(
    ("kwargs", "path", "reason"),
    [
        ({"scaling_config": {"min_size": -1}}, "scaling_config.min_size", "below the minimum"),
        ({"scaling_config": {"min_size": "1"}}, "scaling_config.min_size", "expected int"),
        ({"scaling_config": {"min_size": True}}, "scaling_config.min_size", "expected int"),
        ({"scaling_config": {"minimum": 1}}, "scaling_config", "unknown key 'minimum'"),
        ({"scaling_config": ["min_size"]}, "scaling_config", "expected dict or NodegroupScalingConfig"),
        ({"ami_type": "WINDOWS_95"}, "ami_type", "is not one of"),
        ({"subnets": "subnet-1"}, "subnets", "expected list"),
        ({"subnets": ["ok", 7]}, "subnets[1]", "expected str"),
        ({"labels": {"team": None}}, "labels['team']", "None is not allowed"),
        ({"node_role": None}, "node_role", "missing required parameter"),
        ({"disk_size": 2**40}, "disk_size", "does not fit in 32 bits"),
        ({"taints": [{"key": "k", "effect": "SOMETIMES"}]}, "taints[0].effect", "is not one of"),
    ],
)
def test_invalid_parameters_raise_before_sending(
    emulator: LocalEKS, eks: eksy.EKS, kwargs: dict[str, Any], path: str, reason: str
) -> None:
    params: dict[str, Any] = {
        "cluster_name": "prod",
        "nodegroup_name": "ng",
        "node_role": ROLE,
        "subnets": ["subnet-1"],
    }
    params.update(kwargs)
    with pytest.raises(eksy.ParamValidationError) as caught:
        eks.create_nodegroup(**params)
    assert caught.value.path == path
    assert reason in str(caught.value)
    assert path in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert emulator.requests() == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [("", "length 0 is below the minimum of 1"), ("x" * 101, "length 101 is above the maximum of 100")],
)
def test_length_limits_raise_before_sending(emulator: LocalEKS, eks: eksy.EKS, name: str, reason: str) -> None:
    with pytest.raises(eksy.ParamValidationError, match=reason):
        eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config=VPC)
    assert emulator.requests() == []


def test_top_level_keyword_mistakes_are_type_errors(emulator: LocalEKS, eks: eksy.EKS) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'nmae'"):
        eks.describe_cluster(nmae="prod")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'name'"):
        eks.describe_cluster()  # type: ignore[call-arg]
    assert emulator.requests() == []


def test_dataclass_and_dict_inputs_send_the_same(emulator: LocalEKS, eks: eksy.EKS) -> None:
    make_cluster(eks, emulator=emulator)
    common = {"cluster_name": "prod", "node_role": ROLE, "subnets": ["subnet-1"]}
    eks.create_nodegroup(
        nodegroup_name="a", scaling_config=NodegroupScalingConfig(min_size=1, max_size=3, desired_size=2), **common
    )
    eks.create_nodegroup(nodegroup_name="b", scaling_config={"min_size": 1, "max_size": 3, "desired_size": 2}, **common)
    bodies = [r["body"] for r in emulator.requests(operation="CreateNodegroup")]
    assert bodies[0]["scalingConfig"] == bodies[1]["scalingConfig"] == {"minSize": 1, "maxSize": 3, "desiredSize": 2}
    assert "labels" not in bodies[0], "optional parameters left as None are not sent"


def test_map_keys_pass_through_untouched(emulator: LocalEKS, eks: eksy.EKS) -> None:
    tags = {"CamelCase": "1", "snake_case": "2", "kubernetes.io/role": "3"}
    eks.create_cluster(name="prod", role_arn=ROLE, resources_vpc_config=VPC, tags=tags)
    assert emulator.requests(operation="CreateCluster")[0]["body"]["tags"] == tags
    cluster = eks.describe_cluster(name="prod").cluster
    assert cluster is not None and cluster.tags == tags


def test_response_models(eks: eksy.EKS) -> None:
    make_cluster(eks)
    response = eks.describe_cluster(name="prod")
    cluster = response.cluster
    assert cluster is not None
    assert cluster.name == "prod" and cluster.status in ("CREATING", "ACTIVE")
    assert isinstance(cluster.created_at, datetime) and cluster.created_at.tzinfo is not None
    assert "Cluster(" in repr(cluster) and "name='prod'" in repr(cluster)
    with pytest.raises(AttributeError):
        cluster.name = "other"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(response)) == response
    as_dict = response.to_dict()
    assert as_dict["cluster"]["name"] == "prod"
    assert "resources_vpc_config" in as_dict["cluster"]
    assert eksy.models.Cluster.__doc__ and "Kubernetes" in eksy.models.Cluster.__doc__


FORKED_CHILD_USES_THE_PARENTS_EMULATOR = """
import os, signal, sys
from eksy.testing import LocalEKS
local = LocalEKS()
local.client().list_clusters()
pid = os.fork()
if pid == 0:
    signal.alarm(20)  # a hang fails the test instead of blocking it
    with local:
        local.queue_error("ListClusters", code="AccessDeniedException", message="from the child")
        assert [r["operation"] for r in local.requests()] == ["ListClusters"]
    os._exit(0)  # leaving the with block let go of the handle without stopping the server
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
assert local.running
try:
    local.client().list_clusters()
except Exception as error:
    assert "from the child" in str(error), error
else:
    raise AssertionError("the error the child queued is answered by the parent's server")
local.stop()
print("ok")
"""


def test_forked_child_controls_the_parents_emulator_and_leaves_it_running() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", FORKED_CHILD_USES_THE_PARENTS_EMULATOR], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


MODELS_AS_DATACLASSES = """
import dataclasses, sys
from datetime import datetime
from eksy.models import Cluster, ClusterHealth, ClusterIssue
from eksy.models.auth import (
    AssumeRoleForPodIdentityResponse, AssumedRoleUser, Credentials, PodIdentityAssociation, Subject
)

assert "__dataclass_fields__" not in vars(Cluster), "registered only when first asked"
issue = ClusterIssue(code="Other", message="m", resource_ids=["r"])
health = ClusterHealth(issues=[issue])
assert dataclasses.is_dataclass(health) and dataclasses.is_dataclass(Cluster)
assert [f.name for f in dataclasses.fields(ClusterIssue)] == ["code", "message", "resource_ids"]
assert dataclasses.asdict(health) == {"issues": [{"code": "Other", "message": "m", "resource_ids": ["r"]}]}
changed = dataclasses.replace(issue, message="n")
assert changed.message == "n" and changed.code == "Other" and issue.message == "m"
assert Cluster(name="a", health=health) == Cluster(name="a", health=health) != Cluster(name="b")
assert len({Cluster(name="a"), Cluster(name="a")}) == 1
try:
    issue.code = "x"
except dataclasses.FrozenInstanceError:
    pass
else:
    raise AssertionError("models are frozen")

secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
creds = Credentials(session_token="tok", secret_access_key=secret, access_key_id="AKID", expiration=datetime.now())
response = AssumeRoleForPodIdentityResponse(
    subject=Subject(namespace="ns", service_account="sa"),
    audience="pods.eks.amazonaws.com",
    pod_identity_association=PodIdentityAssociation(association_arn="arn:a", association_id="a-1"),
    assumed_role_user=AssumedRoleUser(arn="arn:r", assume_role_id="r:1"),
    credentials=creds,
)
assert secret not in repr(response) and "credentials" not in repr(response) and "audience=" in repr(response)
assert not {f.name: f.repr for f in dataclasses.fields(response)}["credentials"]
assert response.to_dict()["credentials"]["secret_access_key"] == secret, "to_dict keeps every value"
print("ok")
"""


def test_models_behave_as_frozen_dataclasses_from_a_fresh_interpreter() -> None:
    import subprocess
    import sys

    # A fresh interpreter: the classes register as dataclasses lazily, on first use.
    result = subprocess.run([sys.executable, "-c", MODELS_AS_DATACLASSES], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_unknown_enum_values_arrive_as_strings(emulator: LocalEKS, eks: eksy.EKS) -> None:
    body = {"cluster": {"name": "prod", "status": "HIBERNATING", "createdAt": 1700000000}}
    emulator.queue_response("DescribeCluster", body=body)
    cluster = eks.describe_cluster(name="prod").cluster
    assert cluster is not None and cluster.status == "HIBERNATING"


def test_service_errors_carry_fields(eks: eksy.EKS) -> None:
    with pytest.raises(eksy.ResourceNotFoundException) as caught:
        eks.describe_nodegroup(cluster_name="missing", nodegroup_name="ng")
    error = caught.value
    assert isinstance(error, eksy.ServiceError) and isinstance(error, eksy.EksError)
    assert error.code == "ResourceNotFoundException"
    assert error.status_code == 404
    assert error.operation == "DescribeNodegroup"
    assert error.request_id
    assert error.cluster_name == "missing"
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is type(error)
    assert (restored.code, restored.cluster_name, restored.request_id, str(restored)) == (
        error.code,
        error.cluster_name,
        error.request_id,
        str(error),
    )


def test_unknown_error_code_raises_base_service_error(emulator: LocalEKS, eks: eksy.EKS) -> None:
    emulator.queue_error("ListClusters", code="BrandNewException", message="new", status=400)
    with pytest.raises(eksy.ServiceError) as caught:
        eks.list_clusters()
    assert type(caught.value) is eksy.ServiceError
    assert caught.value.code == "BrandNewException"
    assert caught.value.message == "new"


def test_connection_refused_says_what_to_do() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = eksy.EKS(
        region="us-west-2",
        endpoint_url=f"http://127.0.0.1:{port}",
        max_attempts=1,
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )
    with pytest.raises(eksy.EndpointConnectionError, match=r"connection to the endpoint failed.*Check endpoint_url"):
        client.list_clusters()


def test_timeout_says_what_to_do(emulator: LocalEKS) -> None:
    emulator.set_latency(2.0, operation="ListClusters")
    client = eksy.EKS(
        region="us-west-2",
        endpoint_url=emulator.endpoint_url,
        max_attempts=1,
        read_timeout=0.2,
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )
    with pytest.raises(eksy.RequestTimeoutError, match=r"timed out.*read_timeout"):
        client.list_clusters()


def test_missing_region_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(eksy.NoRegionError, match="region="):
        eksy.EKS(aws_access_key_id="a", aws_secret_access_key="b")


def test_missing_credentials_are_explained(emulator: LocalEKS, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    client = eksy.EKS(region="us-west-2", endpoint_url=emulator.endpoint_url, max_attempts=1)
    with pytest.raises(eksy.NoCredentialsError, match="AWS_ACCESS_KEY_ID"):
        client.list_clusters()
    assert emulator.requests() == []


def test_no_secret_in_reprs_or_errors(emulator: LocalEKS) -> None:
    secret, token = "SECRETKEYVALUE1234", "SESSIONTOKENVALUE5678"
    client = eksy.EKS(
        region="us-west-2",
        endpoint_url=emulator.endpoint_url,
        max_attempts=1,
        aws_access_key_id="AKIDVISIBLE",
        aws_secret_access_key=secret,
        aws_session_token=token,
    )
    assert repr(client) == f"EKS(region='us-west-2', endpoint_url={emulator.endpoint_url!r})"
    emulator.queue_error("ListClusters", code="AccessDeniedException", message="denied", status=403)
    with pytest.raises(eksy.ServiceError) as caught:
        client.list_clusters()
    for text in (repr(client), str(caught.value), repr(caught.value)):
        assert secret not in text and token not in text
    creds = eksy.models.auth.Credentials(
        session_token=token, secret_access_key=secret, access_key_id="AKID", expiration=datetime.now()
    )
    assert secret not in repr(creds) and token not in repr(creds)


def test_ctrl_c_interrupts_a_slow_sync_call(emulator: LocalEKS, eks: eksy.EKS) -> None:
    emulator.set_latency(30.0, operation="ListClusters")
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        eks.list_clusters()
    # Interrupted long before the 30 s answer; the bound is loose on purpose (busy CI machines).
    assert time.monotonic() - started < 10


def test_sync_call_inside_a_running_event_loop(eks: eksy.EKS) -> None:
    async def notebook_cell() -> list[str]:
        make_cluster(eks, "inside-loop")
        clusters = eks.list_clusters().clusters
        return list(clusters or [])

    assert asyncio.run(notebook_cell()) == ["inside-loop"]


def test_async_client_across_several_event_loops(emulator: LocalEKS, eks: eksy.EKS) -> None:
    make_cluster(eks)
    client = emulator.async_client()

    async def describe() -> str | None:
        cluster = (await client.describe_cluster(name="prod")).cluster
        return cluster.name if cluster else None

    for _ in range(3):
        assert asyncio.run(describe()) == "prod"
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(describe()) == "prod"
    finally:
        loop.close()


def test_cancelling_the_task_drops_the_request(emulator: LocalEKS) -> None:
    emulator.set_latency(30.0, operation="ListClusters")
    client = emulator.async_client()

    async def scenario() -> float:
        task = asyncio.ensure_future(client.list_clusters())
        await asyncio.sleep(0.2)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 5
    assert len(emulator.requests(operation="ListClusters")) == 1


PROXY_SCRIPT = """
import eksy, sys
client = eksy.EKS(region="us-east-1", endpoint_url=sys.argv[1], aws_access_key_id="testing",
                  aws_secret_access_key="testing", max_attempts=1)
try:
    print(client.list_clusters().clusters)
except eksy.EndpointConnectionError:
    print("proxy refused")
"""


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("bypassed", [True, False])
def test_http_endpoint_honours_the_proxy_settings(emulator: LocalEKS, scheme: str, bypassed: bool) -> None:
    import subprocess
    import sys

    # Nothing listens on port 1: a call that goes through the proxy fails to connect. An https://
    # proxy needs the TLS-capable client even for an http:// endpoint.
    proxy = f"{scheme}://127.0.0.1:1"
    proxy_names = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    env = {name: value for name, value in os.environ.items() if name.lower() not in proxy_names}
    env.update(HTTP_PROXY=proxy, HTTPS_PROXY=proxy, NO_PROXY="127.0.0.1" if bypassed else "")
    result = subprocess.run(
        [sys.executable, "-c", PROXY_SCRIPT, emulator.endpoint_url], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("[]" if bypassed else "proxy refused")


def test_forked_child_can_create_clients_and_call(emulator: LocalEKS, eks: eksy.EKS) -> None:
    make_cluster(eks)
    eks.list_clusters()  # the parent's runtime and connection pool are warm before the fork
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            fresh = emulator.client()
            ok_fresh = fresh.describe_cluster(name="prod").cluster is not None
            ok_inherited = eks.list_clusters().clusters == ["prod"]
            code = 0 if ok_fresh and ok_inherited else 2
        finally:
            os._exit(code)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("forked child hung")
    assert eks.list_clusters().clusters == ["prod"], "the parent keeps working after the fork"


def test_32_threads_share_one_client(eks: eksy.EKS) -> None:
    for i in range(8):
        make_cluster(eks, f"c{i}")

    def work(i: int) -> str | None:
        cluster = eks.describe_cluster(name=f"c{i % 8}").cluster
        return cluster.name if cluster else None

    with ThreadPoolExecutor(32) as pool:
        names = list(pool.map(work, range(320)))
    assert names == [f"c{i % 8}" for i in range(320)]


def test_client_construction_options(emulator: LocalEKS) -> None:
    with pytest.raises(ValueError, match="both aws_access_key_id and aws_secret_access_key"):
        eksy.EKS(region="us-west-2", aws_access_key_id="only-key")
    with pytest.raises(ValueError, match="retry_mode"):
        eksy.EKS(region="us-west-2", retry_mode="sometimes")  # type: ignore[arg-type]
    client = eksy.EKS(
        region="eu-west-1",
        endpoint_url=emulator.endpoint_url,
        retry_mode="adaptive",
        max_attempts=5,
        connect_timeout=1,
        read_timeout=2,
        operation_timeout=3,
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )
    assert client.region == "eu-west-1"
    client.list_clusters()
    assert "eu-west-1" in emulator.requests()[0]["headers"]["authorization"]


def test_profile_from_shared_files(emulator: LocalEKS, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[profile team]\nregion = eu-central-1\n")
    credentials.write_text("[team]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = profile-secret\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    client = eksy.EKS(profile="team", endpoint_url=emulator.endpoint_url)
    assert client.region == "eu-central-1"
    client.list_clusters()
    authorization = emulator.requests()[0]["headers"]["authorization"]
    assert "Credential=AKIDFROMPROFILE/" in authorization and "/eu-central-1/eks/" in authorization


def test_every_method_and_model_is_documented() -> None:
    import dataclasses
    import inspect

    import eksy.models.auth

    for cls in (eksy.EKS, eksy.AsyncEKS, eksy.EKSAuth, eksy.AsyncEKSAuth):
        methods = [m for name, m in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")]
        for method in methods:
            assert method.__doc__ and len(method.__doc__) > 20, method

    def operations(cls: type) -> list[str]:
        # Properties are configuration (region, timeouts, ...) or helpers (paginate, wait).
        return [m for m in dir(cls) if not m.startswith("_") and not isinstance(getattr(cls, m), property)]

    assert len(operations(eksy.EKS)) == 70
    assert operations(eksy.EKSAuth) == ["assume_role_for_pod_identity"]
    for module in (eksy.models, eksy.models.auth):
        for name in module.__all__:
            value = getattr(module, name)
            if dataclasses.is_dataclass(value):
                assert (value.__doc__ and "(No documentation" not in value.__doc__) or name.endswith("Response"), name
    assert "cluster_name" in (eksy.EKS.create_nodegroup.__doc__ or "")


EXIT_WITH_CALLS_IN_FLIGHT = """
import asyncio, sys
from eksy.testing import LocalEKS
local = LocalEKS()
local.set_latency(float(sys.argv[1]), operation="ListClusters")
client = local.async_client()
loop = asyncio.new_event_loop()
tasks = [loop.create_task(client.list_clusters()) for _ in range(200)]
loop.run_until_complete(asyncio.sleep(0.02))
sys.exit(0)  # leaves the loop, the tasks and the emulator running
"""


@pytest.mark.parametrize("latency", [0.0, 0.01, 0.03, 0.1])
def test_interpreter_exit_with_async_calls_in_flight(latency: float) -> None:
    import subprocess
    import sys

    for _ in range(3):  # the race with interpreter shutdown differs from run to run
        result = subprocess.run(
            [sys.executable, "-c", EXIT_WITH_CALLS_IN_FLIGHT, str(latency)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert "Fatal Python error" not in result.stderr
