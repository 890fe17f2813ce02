"""Persistence and snapshots: a state file restores at start and is saved on change and at stop,
atomically (a process killed during a save leaves the previous state readable); bad files are
clear errors and never replaced; snapshots restore the whole state in one step."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"


def _create(local: LocalEKS, name: str) -> None:
    local.client().create_cluster(name=name, role_arn=ROLE, resources_vpc_config={"subnet_ids": ["s-1", "s-2"]})


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with LocalEKS(state_file=path) as local:
        _create(local, "demo")
        local.client().create_nodegroup(cluster_name="demo", nodegroup_name="ng", node_role=ROLE, subnets=["s-1"])
        alice = local.add_identity("arn:aws:iam::123456789012:user/alice")
        local.advance(100)
        clock = local.now()
    saved = json.loads(path.read_text())
    assert saved["format"] == "eksy-emulator-state" and saved["version"] == 1
    with LocalEKS(state_file=path) as again:
        assert again.client().list_clusters().clusters == ["demo"]
        assert again.client().list_nodegroups(cluster_name="demo").nodegroups == ["ng"]
        assert again.now() >= clock
        assert alice.access_key_id in [i["access_key_id"] for i in again.identities()]
        # The cluster's Kubernetes endpoint comes back with its CA.
        cluster = again.client().describe_cluster(name="demo").cluster
        assert cluster is not None and cluster.status == "ACTIVE" and cluster.endpoint
        assert again.cluster_ca("demo").startswith("-----BEGIN CERTIFICATE-----")


def test_changes_are_saved_while_running(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with LocalEKS(state_file=path) as local:
        _create(local, "live")
        deadline = time.monotonic() + 5
        while "live" not in (path.read_text() if path.exists() else ""):
            assert time.monotonic() < deadline, "the change was not saved"
            time.sleep(0.05)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"hello": "world"}', "not an eksy emulator state"),
        ('{"format": "terraform-state", "version": 4}', "not an eksy emulator state"),
        ('{"format": "eksy-emulator-state", "version": 99}', "newer eksy"),
        ('{"format": "eksy-emulator-state", "version": 1, "regions": 3}', "damaged"),
    ],
)
def test_bad_files_are_clear_errors_and_left_alone(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    before = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(ValueError, match=message) as info:
        LocalEKS(state_file=path)
    assert str(path) in str(info.value)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


WRITER = """
import sys
from eksy.testing import LocalEKS
local = LocalEKS(state_file=sys.argv[1])
eks = local.client()
print("ready", flush=True)
i = 0
while True:
    eks.create_cluster(name=f"c{i}", role_arn="arn:aws:iam::123456789012:role/eks",
                       resources_vpc_config={"subnet_ids": ["subnet-a", "subnet-b"]})
    # The most and longest tags a resource may have (50 of 256 characters), so each save is big.
    tags = {f"k{j}": "x" * 256 for j in range(50)}
    eks.tag_resource(resource_arn=f"arn:aws:eks:us-east-1:123456789012:cluster/c{i}", tags=tags)
    i += 1
"""


def test_a_process_killed_while_saving_leaves_a_readable_state(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    seen = 0
    for round_ in range(8):
        process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
            time.sleep(0.2 + 0.1 * round_)
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)
        # Whatever moment the kill hit, the file is a whole state the emulator loads.
        with LocalEKS(state_file=path) as local:
            count = len(local.client().list_clusters(max_results=100).clusters)
        assert count >= seen
        seen = count
    assert seen > 0


def test_snapshot_and_restore(tmp_path: Path) -> None:
    with LocalEKS() as local:
        _create(local, "keep")
        alice = local.add_identity("arn:aws:iam::123456789012:user/alice")
        snapshot = local.snapshot()
        assert alice.secret_access_key not in repr(snapshot)
        _create(local, "extra")
        local.client().delete_cluster(name="keep")
        local.advance(5000)
        local.restore(snapshot)
        assert local.client().list_clusters().clusters == ["keep"]
        described = local.client().describe_cluster(name="keep").cluster
        assert described is not None and described.status == "ACTIVE"
        with pytest.raises(TypeError):
            local.restore({"format": "eksy-emulator-state"})  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="not an eksy"):
            local.control("restore", {"snapshot": {"format": "nope"}})


def test_eksy_local_state_file_flag(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "eksy", "local", "--port", "0", "--state-file", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split("listening on ")[1].split()[0]
        import boto3

        eks = boto3.client(
            "eks", endpoint_url=url, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
        )
        eks.create_cluster(name="kept", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-a", "subnet-b"]})
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    assert process.returncode == 0
    assert "kept" in path.read_text()
