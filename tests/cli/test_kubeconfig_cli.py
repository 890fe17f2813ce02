"""`eksy kubeconfig`: the flags of `aws eks update-kubeconfig`, its messages and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from eksy.cli import main
from eksy.testing import LocalEKS
from kube._fixtures import CLUSTER, REGION, cluster, emulator, isolated, local
from ruamel.yaml import YAML

__all__ = ["cluster", "emulator", "isolated", "local"]  # fixtures

pytestmark = pytest.mark.usefixtures("isolated")


def eksy_kubeconfig(local: LocalEKS, *args: str) -> int:
    return main(["kubeconfig", "--endpoint-url", local.endpoint_url, *args])


def test_adds_then_updates_a_context(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config"
    arn = cluster["arn"]
    assert eksy_kubeconfig(local, "--name", CLUSTER, "--region", REGION, "--kubeconfig", str(path)) == 0
    assert capsys.readouterr().out == f"Added new context {arn} to {path}\n"
    assert eksy_kubeconfig(local, "--name", CLUSTER, "--region", REGION, "--kubeconfig", str(path)) == 0
    assert capsys.readouterr().out == f"Updated context {arn} in {path}\n"


def test_every_flag_reaches_the_file(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated / "aws-credentials").write_text("[dev]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    path = tmp_path / "config"
    role = "arn:aws:iam::123456789012:role/admin"
    status = eksy_kubeconfig(
        local,
        *("--name", CLUSTER, "--region", REGION, "--kubeconfig", str(path)),
        *("--alias", "ctx", "--user-alias", "me", "--role-arn", role, "--profile", "dev"),
    )
    assert status == 0, capsys.readouterr().err
    assert capsys.readouterr().out == f"Added new context ctx to {path}\n"
    config = YAML(typ="safe").load(path.read_text())
    assert config["current-context"] == "ctx"
    assert config["contexts"] == [{"context": {"cluster": cluster["arn"], "user": "me"}, "name": "ctx"}]
    exec_block = config["users"][0]["user"]["exec"]
    assert exec_block["args"][-2:] == ["--role-arn", role]
    assert exec_block["env"] == [{"name": "AWS_PROFILE", "value": "dev"}]


def test_default_file_is_kubeconfig_then_home(
    local: LocalEKS,
    cluster: dict[str, Any],
    tmp_path: Path,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert eksy_kubeconfig(local, "--name", CLUSTER) == 0
    assert (isolated / ".kube" / "config").exists()
    listed = tmp_path / "listed"
    monkeypatch.setenv("KUBECONFIG", str(listed))
    assert eksy_kubeconfig(local, "--name", CLUSTER) == 0
    assert capsys.readouterr().out.endswith(f" to {listed}\n")


def test_dry_run_prints_the_merged_file_without_other_users_secrets(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config"
    original = (
        "users:\n"
        "- name: static\n"
        "  user:\n"
        "    token: s3cr3t-bearer\n"
        "    client-key-data: UFJJVkFURSBLRVk=\n"
        "- name: basic\n"
        "  user: {username: admin, password: hunter2}\n"
        "- name: exec\n"
        "  user:\n"
        "    exec:\n"
        "      command: aws\n"
        "      env:\n"
        "      - {name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI}\n"
        "      - {name: AWS_REGION, value: eu-west-1}\n"
    )
    path.write_text(original)

    assert eksy_kubeconfig(local, "--name", CLUSTER, "--kubeconfig", str(path), "--dry-run") == 0

    out = capsys.readouterr().out
    assert path.read_text() == original
    for secret in ("s3cr3t-bearer", "UFJJVkFURSBLRVk=", "hunter2", "wJalrXUtnFEMI"):
        assert secret not in out
    printed = YAML(typ="safe").load(out)
    assert [user["name"] for user in printed["users"]] == ["static", "basic", "exec", cluster["arn"]]
    assert printed["users"][0]["user"] == {"token": "REDACTED", "client-key-data": "REDACTED"}
    assert printed["users"][1]["user"] == {"username": "admin", "password": "REDACTED"}
    assert printed["users"][2]["user"]["exec"]["env"][1] == {"name": "AWS_REGION", "value": "eu-west-1"}
    assert printed["current-context"] == cluster["arn"]
    assert printed["clusters"][0]["cluster"]["server"] == cluster["endpoint"]


def test_unknown_cluster_exits_1_with_the_service_error(
    local: LocalEKS, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config"
    assert eksy_kubeconfig(local, "--name", "nope", "--kubeconfig", str(path)) == 1
    err = capsys.readouterr().err
    assert err.startswith("eksy kubeconfig: error: ResourceNotFoundException: No cluster found for name: nope.")
    assert not path.exists()


def test_inactive_cluster_exits_1_with_its_status(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local.force_status("cluster", CLUSTER, "DELETING")
    assert eksy_kubeconfig(local, "--name", CLUSTER, "--kubeconfig", str(tmp_path / "config")) == 1
    assert "cluster 'prod' is DELETING" in capsys.readouterr().err


def test_malformed_file_exits_1_naming_the_file(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config"
    path.write_text("clusters: {oops: true}\n")
    assert eksy_kubeconfig(local, "--name", CLUSTER, "--kubeconfig", str(path)) == 1
    assert capsys.readouterr().err == f"eksy kubeconfig: error: {path}: `clusters` is a mapping, not a list\n"
    assert path.read_text() == "clusters: {oops: true}\n"


def test_missing_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["kubeconfig", "--region", REGION])
    assert exited.value.code == 2
    assert "--name" in capsys.readouterr().err


def test_help_lists_the_aws_cli_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["kubeconfig", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--name", "--region", "--kubeconfig", "--alias", "--user-alias", "--role-arn", "--profile"):
        assert flag in out
    assert "--dry-run" in out and "--endpoint-url" in out


def test_runs_as_a_command(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "config"
    command = ["kubeconfig", "--name", CLUSTER, "--kubeconfig", str(path), "--endpoint-url", local.endpoint_url]
    run = subprocess.run(
        [sys.executable, "-m", "eksy", *command],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"Added new context {cluster['arn']} to {path}\n"


def test_dry_run_output_is_the_merged_file_where_nothing_is_secret(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eksy.kube import update_kubeconfig

    path = tmp_path / "config"
    path.write_text("# mine\nusers:\n  - name: other   # kept\n    user:\n      client-certificate: /x.crt\n")
    merged = update_kubeconfig(CLUSTER, kubeconfig=path, dry_run=True, endpoint_url=local.endpoint_url).text
    assert eksy_kubeconfig(local, "--name", CLUSTER, "--kubeconfig", str(path), "--dry-run") == 0
    assert capsys.readouterr().out == merged
