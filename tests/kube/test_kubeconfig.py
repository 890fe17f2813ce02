"""update_kubeconfig against the emulator: the file it picks, what it writes, what it keeps, and
what it refuses to touch."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import eksy
import pytest
from eksy.kube import KubeconfigError, KubeconfigResult, update_kubeconfig
from eksy.kube._kubeconfig import EXEC_API_VERSION, token_command
from eksy.testing import LocalEKS
from kube._fixtures import CLUSTER, REGION, cluster, emulator, isolated, local
from ruamel.yaml import YAML

__all__ = ["cluster", "emulator", "isolated", "local"]  # fixtures

pytestmark = pytest.mark.usefixtures("isolated")


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


def update(local: LocalEKS, **kwargs: Any) -> KubeconfigResult:
    return update_kubeconfig(CLUSTER, region=REGION, endpoint_url=local.endpoint_url, **kwargs)


def expected_user(cluster_name: str = CLUSTER, *extra_args: str, env: list[dict[str, str]] | None = None) -> Any:
    command, prefix = token_command()
    exec_block: dict[str, Any] = {
        "apiVersion": EXEC_API_VERSION,
        "command": command,
        "args": [*prefix, "token", "--cluster-name", cluster_name, "--region", REGION, *extra_args],
    }
    if env is not None:
        exec_block["env"] = env
    exec_block["interactiveMode"] = "Never"
    return {"exec": exec_block}


def names(config: Any, key: str) -> list[str]:
    return [entry["name"] for entry in config[key]]


# -- what gets written -------------------------------------------------------------------------


def test_no_file_creates_a_private_kubeconfig_in_home(local: LocalEKS, cluster: dict[str, Any], isolated: Path) -> None:
    result = update(local)

    path = isolated / ".kube" / "config"
    assert result.path == path and result.written and not result.updated and result.text is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    arn = cluster["arn"]
    assert load(path) == {
        "apiVersion": "v1",
        "clusters": [
            {"cluster": {"certificate-authority-data": cluster["ca"], "server": cluster["endpoint"]}, "name": arn}
        ],
        "contexts": [{"context": {"cluster": arn, "user": arn}, "name": arn}],
        "current-context": arn,
        "kind": "Config",
        "preferences": {},
        "users": [{"name": arn, "user": expected_user()}],
    }
    assert (result.context, result.cluster, result.user, result.cluster_arn) == (arn, arn, arn, arn)


def runs_from_a_bare_shell(command: str, prefix: list[str], tmp_path: Path) -> None:
    """It runs from an environment where this venv is not activated, and from a directory holding
    another `eksy` package, which must not take this install's place."""
    decoy = tmp_path / "decoy" / "eksy"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise SystemExit('the decoy eksy was imported')")
    bare_env = {"PATH": "/usr/bin:/bin", "HOME": os.environ["HOME"]}
    run = subprocess.run(
        [command, *prefix, "--help"], env=bare_env, cwd=decoy.parent, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0 and "token" in run.stdout, run.stderr


def test_exec_command_is_this_installs_eksy_by_absolute_path(tmp_path: Path) -> None:
    command, prefix = token_command()
    assert os.path.isabs(command)
    script = Path(sys.executable).parent / "eksy"
    if script.exists():
        assert (command, prefix) == (str(script), [])
    else:
        assert command == sys.executable and prefix[0] == "-c"
    runs_from_a_bare_shell(command, prefix, tmp_path)


def test_exec_command_falls_back_to_the_interpreter_without_a_console_script(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    python = tmp_path / "bin" / "python3"
    python.parent.mkdir()
    python.symlink_to(sys.executable)
    monkeypatch.setattr(sys, "executable", str(python))
    command, prefix = token_command()
    assert command == str(python) and prefix[0] == "-c" and "from eksy.cli import main" in prefix[1]
    runs_from_a_bare_shell(command, prefix, tmp_path)


def test_empty_file_is_filled(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("")
    result = update(local, kubeconfig=path)
    config = load(path)
    assert result.path == path and config["current-context"] == cluster["arn"]
    assert names(config, "clusters") == names(config, "users") == names(config, "contexts") == [cluster["arn"]]


def test_file_of_only_an_empty_mapping_is_filled(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("{}\n")
    update(local, kubeconfig=path)
    assert names(load(path), "clusters") == [cluster["arn"]]
    assert "{" not in path.read_text().split("preferences")[0]  # block style, not flow style


@pytest.mark.parametrize("key", ["clusters", "users", "contexts"])
def test_null_lists_are_tolerated(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, key: str) -> None:
    path = tmp_path / "config"
    lists = {
        "clusters": "clusters:\n- name: other\n  cluster:\n    server: https://other\n",
        "users": "users:\n- name: u\n  user: {}\n",
        "contexts": "contexts:\n- name: c\n  context:\n    cluster: other\n    user: u\n",
    }
    lists[key] = f"{key}: null\n"
    path.write_text("apiVersion: v1\nkind: Config\n" + "".join(lists.values()) + "current-context: c\n")

    update(local, kubeconfig=path)

    config = load(path)
    arn = cluster["arn"]
    expected = {"clusters": ["other", arn], "users": ["u", arn], "contexts": ["c", arn]}
    expected[key] = [arn]
    for name, entries in expected.items():
        assert names(config, name) == entries
    assert config["current-context"] == arn


def test_missing_lists_are_added(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("apiVersion: v1\nkind: Config\npreferences:\n  colors: true\n")
    update(local, kubeconfig=path)
    config = load(path)
    assert config["preferences"] == {"colors": True}
    assert names(config, "clusters") == [cluster["arn"]] and config["current-context"] == cluster["arn"]


def test_existing_entries_of_the_same_name_are_replaced_where_they_are(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path
) -> None:
    arn = cluster["arn"]
    path = tmp_path / "config"
    path.write_text(
        textwrap.dedent(f"""\
        apiVersion: v1
        clusters:
        - cluster:
            server: https://first
          name: first
        - cluster:
            server: https://stale.example
            insecure-skip-tls-verify: true
          name: {arn}
        - cluster:
            server: https://last
          name: last
        contexts:
        - context:
            cluster: first
            user: first
          name: first
        - context:
            cluster: stale
            user: stale
          name: {arn}
        current-context: first
        kind: Config
        users:
        - name: {arn}
          user:
            token: stale-token
        - name: first
          user:
            token: first-token
        """)
    )

    result = update(local, kubeconfig=path)

    assert result.updated
    config = load(path)
    assert names(config, "clusters") == ["first", arn, "last"]
    assert config["clusters"][1]["cluster"] == {
        "certificate-authority-data": cluster["ca"],
        "server": cluster["endpoint"],
    }
    assert names(config, "contexts") == ["first", arn]
    assert config["contexts"][1]["context"] == {"cluster": arn, "user": arn}
    assert names(config, "users") == [arn, "first"]
    assert config["users"][0]["user"] == expected_user()
    assert config["users"][1]["user"] == {"token": "first-token"}
    assert config["current-context"] == arn


def test_second_run_is_idempotent(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "config"
    first = update(local, kubeconfig=path)
    text = path.read_text()
    second = update(local, kubeconfig=path)
    assert not first.updated and second.updated
    assert path.read_text() == text


# A hand-edited file: unusual key order, comments everywhere, quoting, an indented list style,
# extensions and preferences. Everything but the three entries and current-context must come out
# exactly as it went in.
HAND_EDITED = """\
# Work clusters. Managed by hand; keep the comments!
kind: Config
apiVersion: v1
preferences:
  colors: true   # pretty output
users:
  # the admin user
  - name: admin
    user:
      client-certificate: /home/me/admin.crt   # rotated yearly
      client-key: "/home/me/admin.key"
  # staging uses the AWS CLI
  - name: staging
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: aws
        args: ['eks', 'get-token', '--cluster-name', 'staging']
# clusters follow
clusters:
  - name: on-prem   # the old one
    cluster:
      server: https://10.0.0.1:6443
      extensions:
        - name: client.authentication.k8s.io/exec
          extension:
            audience: on-prem
  # staging: keep this comment above the staging entry
  - name: staging
    cluster:
      server: https://staging.example:443
# contexts
contexts:
  - name: admin@on-prem
    context:
      cluster: on-prem
      user: admin
      namespace: kube-system   # default namespace
  - name: staging
    context: {cluster: staging, user: staging}
current-context: admin@on-prem  # what I use most
# end of file
"""

HAND_EDITED_AFTER = """\
# Work clusters. Managed by hand; keep the comments!
kind: Config
apiVersion: v1
preferences:
  colors: true   # pretty output
users:
  # the admin user
  - name: admin
    user:
      client-certificate: /home/me/admin.crt   # rotated yearly
      client-key: "/home/me/admin.key"
  # staging uses the AWS CLI
  - name: staging
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: aws
        args: ['eks', 'get-token', '--cluster-name', 'staging']
  - name: {arn}
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: {command}
        args:
{args}
        interactiveMode: Never
# clusters follow
clusters:
  - name: on-prem   # the old one
    cluster:
      server: https://10.0.0.1:6443
      extensions:
        - name: client.authentication.k8s.io/exec
          extension:
            audience: on-prem
  # staging: keep this comment above the staging entry
  - name: staging
    cluster:
      server: https://staging.example:443
  - cluster:
      certificate-authority-data: {ca}
      server: {endpoint}
    name: {arn}
# contexts
contexts:
  - name: admin@on-prem
    context:
      cluster: on-prem
      user: admin
      namespace: kube-system   # default namespace
  - name: staging
    context: {{cluster: staging, user: staging}}
  - context:
      cluster: {arn}
      user: {arn}
    name: {arn}
current-context: {arn} # what I use most
# end of file
"""


def test_comments_key_order_quoting_and_indentation_are_kept(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "config"
    path.write_text(HAND_EDITED)

    update(local, kubeconfig=path)

    command, prefix = token_command()
    args = "\n".join(f"          - {arg}" for arg in [*prefix, "token", "--cluster-name", CLUSTER, "--region", REGION])
    assert path.read_text() == HAND_EDITED_AFTER.format(
        arn=cluster["arn"], ca=cluster["ca"], endpoint=cluster["endpoint"], command=command, args=args
    )


def test_comments_around_a_replaced_entry_stay_in_place(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path
) -> None:
    arn = cluster["arn"]
    path = tmp_path / "config"
    path.write_text(
        textwrap.dedent(f"""\
        clusters:
        # heading of the eks entry
        - cluster:
            server: https://old   # stale
          name: {arn}
        # heading of the next entry
        - cluster:
            server: https://next
          name: next
        users:
        - name: {arn}
          user:
            token: old
        # heading of contexts
        contexts: []
        """)
    )
    update(local, kubeconfig=path)
    text = path.read_text()
    lines = text.splitlines()
    assert lines[1] == "# heading of the eks entry" and lines[2] == "- cluster:"
    assert "# stale" not in text  # part of the replaced entry
    next_heading = lines.index("# heading of the next entry")
    assert lines[next_heading - 1] == f"  name: {arn}" and lines[next_heading + 1] == "- cluster:"
    contexts_heading = lines.index("# heading of contexts")
    assert lines[contexts_heading + 1] == "contexts:"
    assert names(load(path), "contexts") == [arn]


# -- which file --------------------------------------------------------------------------------


def test_kubeconfig_list_prefers_the_file_holding_the_cluster(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    first.write_text("clusters:\n- name: unrelated\n  cluster:\n    server: https://x\n")
    second.write_text(f"clusters:\n- name: {cluster['arn']}\n  cluster:\n    server: https://old\n")
    third.write_text("this: [is not even read\n")
    before = first.read_bytes()
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(first), "", str(second), str(first), str(third)]))

    result = update(local)

    assert result.path == second and result.updated
    assert first.read_bytes() == before
    assert load(second)["clusters"][0]["cluster"]["server"] == cluster["endpoint"]


def test_kubeconfig_list_without_the_cluster_writes_the_first_file(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing, existing = tmp_path / "new" / "config", tmp_path / "existing"
    existing.write_text("clusters:\n- name: unrelated\n  cluster:\n    server: https://x\n")
    before = existing.read_bytes()
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(missing), str(existing)]))

    result = update(local)

    assert result.path == missing and not result.updated
    assert names(load(missing), "clusters") == [cluster["arn"]]
    assert existing.read_bytes() == before


def test_explicit_path_overrides_kubeconfig(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed, explicit = tmp_path / "listed", tmp_path / "explicit"
    monkeypatch.setenv("KUBECONFIG", str(listed))
    result = update(local, kubeconfig=str(explicit))
    assert result.path == explicit and explicit.exists() and not listed.exists()


def test_tilde_in_the_path_is_the_home_directory(local: LocalEKS, cluster: dict[str, Any], isolated: Path) -> None:
    result = update(local, kubeconfig="~/configs/eks")
    assert result.path == isolated / "configs" / "eks" and result.path.exists()


# -- malformed files ---------------------------------------------------------------------------

MALFORMED = {
    "yaml-syntax": ("clusters:\n- name: a\n  cluster: [unclosed\n", "not valid YAML"),
    "duplicate-key": ("clusters: []\nclusters: []\n", "not valid YAML"),
    "top-level-list": ("- clusters\n- users\n", "the top level is a list, not a mapping"),
    "top-level-string": ("just some text\n", "the top level is the string 'just some text', not a mapping"),
    "clusters-mapping": ("clusters:\n  name: a\n", "`clusters` is a mapping, not a list"),
    "users-string": ("users: admin\n", "`users` is the string 'admin', not a list"),
    "contexts-number": ("contexts: 3\n", "`contexts` is a number, not a list"),
    "cluster-entry-string": (
        "clusters:\n- name: a\n  cluster: {}\n- just-a-name\n",
        "entry 2 of `clusters` is the string 'just-a-name', not a mapping",
    ),
    "user-entry-list": ("users:\n- [a, b]\n", "entry 1 of `users` is a list, not a mapping"),
    "context-entry-null": ("contexts:\n-\n", "entry 1 of `contexts` is empty, not a mapping"),
    "not-utf8": (b"clusters: []\nname: \xff\xfe\n", "not UTF-8 text"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_is_a_clear_error_and_left_untouched(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, case: str
) -> None:
    content, reason = MALFORMED[case]
    path = tmp_path / "config"
    raw = content if isinstance(content, bytes) else content.encode()
    path.write_bytes(raw)
    os.chmod(path, 0o640)
    before = path.stat()

    with pytest.raises(KubeconfigError) as caught:
        update(local, kubeconfig=path)

    assert str(path) in str(caught.value) and reason in str(caught.value)
    assert caught.value.path == str(path)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, eksy.EksError)
    assert path.read_bytes() == raw
    after = path.stat()
    assert (after.st_mtime_ns, after.st_ino, stat.S_IMODE(after.st_mode)) == (before.st_mtime_ns, before.st_ino, 0o640)
    assert os.listdir(tmp_path) == ["config"]  # no temporary file left


def test_malformed_file_earlier_in_kubeconfig_list_is_an_error(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, good = tmp_path / "broken", tmp_path / "good"
    broken.write_text("users: {a: b}\n")
    good.write_text("clusters: []\n")
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(broken), str(good)]))
    with pytest.raises(KubeconfigError, match="`users` is a mapping, not a list"):
        update(local)
    assert broken.read_text() == "users: {a: b}\n" and good.read_text() == "clusters: []\n"


def test_unreadable_path_is_a_clear_error(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(KubeconfigError, match="cannot read the kubeconfig"):
        update(local, kubeconfig=tmp_path)  # a directory


# -- options -----------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_returns_the_merged_file(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, isolated: Path
) -> None:
    result = update(local, dry_run=True)
    assert not result.written and result.text is not None
    assert not (isolated / ".kube").exists()
    assert names(YAML(typ="safe").load(result.text), "clusters") == [cluster["arn"]]

    path = tmp_path / "config"
    path.write_text("users:\n- name: other\n  user:\n    token: s3cr3t-token\n")
    result = update(local, kubeconfig=path, dry_run=True)
    assert path.read_text() == "users:\n- name: other\n  user:\n    token: s3cr3t-token\n"
    assert result.text is not None and "s3cr3t-token" in result.text  # the exact merge...
    assert "s3cr3t-token" not in repr(result)  # ...which the repr never shows


def test_alias_names_the_context_and_user_alias_the_user(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path
) -> None:
    arn = cluster["arn"]
    path = tmp_path / "config"
    result = update(local, kubeconfig=path, alias="prod-admin", user_alias="prod-user")
    config = load(path)
    assert (result.context, result.user, result.cluster) == ("prod-admin", "prod-user", arn)
    assert names(config, "clusters") == [arn]
    assert names(config, "users") == ["prod-user"]
    assert config["contexts"] == [{"context": {"cluster": arn, "user": "prod-user"}, "name": "prod-admin"}]
    assert config["current-context"] == "prod-admin"


def test_user_alias_alone_also_names_the_context(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    # As the AWS CLI does: the context defaults to the user's name.
    path = tmp_path / "config"
    result = update(local, kubeconfig=path, user_alias="me")
    assert result.context == "me" and load(path)["current-context"] == "me"


def test_role_is_passed_to_eksy_token(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "config"
    role = "arn:aws:iam::123456789012:role/k8s-admin"
    update(local, kubeconfig=path, role_arn=role)
    assert load(path)["users"][0]["user"] == expected_user(CLUSTER, "--role-arn", role)


def test_profile_is_used_for_describe_and_set_for_eksy_token(
    local: LocalEKS, tmp_path: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 12-digit access key id is the emulator's account: the cluster exists only in the profile's.
    (isolated / "aws-credentials").write_text(
        "[team]\naws_access_key_id = 111122223333\naws_secret_access_key = testing\n"
    )
    (isolated / "aws-config").write_text(f"[profile team]\nregion = {REGION}\n")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    team = eksy.EKS(profile="team", endpoint_url=local.endpoint_url)
    team.create_cluster(
        name=CLUSTER,
        role_arn="arn:aws:iam::111122223333:role/r",
        resources_vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]},
    )

    path = tmp_path / "config"
    result = update_kubeconfig(CLUSTER, profile="team", kubeconfig=path, endpoint_url=local.endpoint_url)

    assert result.cluster_arn == f"arn:aws:eks:{REGION}:111122223333:cluster/{CLUSTER}"
    assert load(path)["users"][0]["user"] == expected_user(env=[{"name": "AWS_PROFILE", "value": "team"}])


def test_region_of_the_token_is_the_clusters(local: LocalEKS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    eu = eksy.EKS(region="eu-west-1", endpoint_url=local.endpoint_url)
    eu.create_cluster(
        name=CLUSTER,
        role_arn="arn:aws:iam::123456789012:role/r",
        resources_vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]},
    )
    path = tmp_path / "config"
    update_kubeconfig(CLUSTER, region="eu-west-1", kubeconfig=path, endpoint_url=local.endpoint_url)
    args = load(path)["users"][0]["user"]["exec"]["args"]
    assert args[args.index("--region") + 1] == "eu-west-1"


# -- clusters that cannot be used -------------------------------------------------------------


def test_creating_cluster_is_refused_with_its_status(local: LocalEKS, tmp_path: Path) -> None:
    local.set_timings(cluster_create=3600)
    create = local.client().create_cluster
    create(
        name=CLUSTER,
        role_arn="arn:aws:iam::123456789012:role/r",
        resources_vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]},
    )
    path = tmp_path / "config"
    with pytest.raises(KubeconfigError, match=r"cluster 'prod' is CREATING; .* ACTIVE or UPDATING") as caught:
        update(local, kubeconfig=path)
    assert caught.value.path is None and not path.exists()


def test_failed_cluster_is_refused_with_its_status(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    local.force_status("cluster", CLUSTER, "FAILED")
    with pytest.raises(KubeconfigError, match="is FAILED"):
        update(local, kubeconfig=tmp_path / "config")


def test_updating_cluster_is_accepted(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    local.set_timings(cluster_update=3600)
    # A configuration update: the cluster is on the newest version, with none to upgrade to.
    local.client().update_cluster_config(
        name=CLUSTER, logging={"cluster_logging": [{"types": ["api"], "enabled": True}]}
    )
    assert local.client().describe_cluster(name=CLUSTER).cluster.status == "UPDATING"  # type: ignore[union-attr]
    assert update(local, kubeconfig=tmp_path / "config").written


def test_unknown_cluster_is_the_service_error(local: LocalEKS, tmp_path: Path) -> None:
    with pytest.raises(eksy.ResourceNotFoundException):
        update(local, kubeconfig=tmp_path / "config")
    assert not (tmp_path / "config").exists()


# -- permissions and atomicity ------------------------------------------------------------------


def test_existing_file_keeps_its_permissions(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("clusters: []\n")
    os.chmod(path, 0o644)
    update(local, kubeconfig=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_new_file_in_a_new_directory_is_private_whatever_the_umask(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "deep" / "er" / "config"
    old = os.umask(0o000)
    try:
        update(local, kubeconfig=path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700


def test_symlinked_kubeconfig_updates_the_target(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "kubeconfig"
    target.parent.mkdir()
    target.write_text("clusters: []\n")
    link = tmp_path / "config"
    link.symlink_to(target)
    update(local, kubeconfig=link)
    assert link.is_symlink() and names(load(target), "clusters") == [cluster["arn"]]


def test_failure_between_write_and_rename_leaves_the_old_file(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config"
    path.write_text("clusters: []  # old\n")

    def fail(src: Any, dst: Any) -> None:
        assert Path(src).read_text().count("certificate-authority-data") == 1  # the new file was complete
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KubeconfigError, match="cannot write the kubeconfig: No space left on device"):
        update(local, kubeconfig=path)
    assert path.read_text() == "clusters: []  # old\n"
    assert os.listdir(tmp_path) == ["config"]


# Forks writers (cheaper than starting interpreters) that rewrite the file in a loop, on a slow
# disk (every file opened for writing takes its data in small, slow chunks), each killed at a
# random moment once its first write has begun; prints which of the two possible files each
# kill left.
KILLED_WRITERS = """
import builtins, json, os, random, signal, sys, time
from pathlib import Path
from eksy.kube import update_kubeconfig
from eksy.kube._kubeconfig_file import KubeconfigDocument

path, endpoint, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
allowed = [open(sys.argv[4]).read(), open(sys.argv[5]).read()]
rng = random.Random(int(sys.argv[6]))
KubeconfigDocument.load(Path(path)).dump()  # YAML machinery warmed up once, before the forks


class SlowDisk:
    def __init__(self, stream, started):
        self.stream, self.started = stream, started

    def write(self, data):
        for start in range(0, len(data), 200):
            self.stream.write(data[start : start + 200])
            self.stream.flush()
            if self.started is not None:
                os.write(self.started, b"w")
                self.started = None
            time.sleep(0.0003)
        return len(data)

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self.stream.__exit__(*exc)


def slow(opener, started):
    def open_slowly(file, mode="r", *args, **kwargs):
        stream = opener(file, mode, *args, **kwargs)
        return SlowDisk(stream, started) if "w" in mode or "a" in mode else stream
    return open_slowly


outcomes = []
for _ in range(rounds):
    ready, started = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(ready)
            os.fdopen, builtins.open = slow(os.fdopen, started), slow(builtins.open, started)
            n = 0
            while True:
                update_kubeconfig("prod", region="us-west-2", kubeconfig=path, alias="ba"[n % 2], endpoint_url=endpoint)
                n += 1
        finally:
            os._exit(1)
    os.close(started)
    began = os.read(ready, 1) == b"w"
    time.sleep(rng.uniform(0.0, 0.012))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(ready)
    text = open(path).read()
    outcomes.append(allowed.index(text) if began and text in allowed else repr(text[-300:]))
print(json.dumps(outcomes))
"""


def test_process_killed_while_writing_leaves_the_old_or_the_new_file_whole(
    local: LocalEKS, cluster: dict[str, Any], tmp_path: Path
) -> None:
    directory = tmp_path / "kube"
    directory.mkdir()
    path = directory / "config"
    # Some size, so that a write takes long enough to be interrupted now and then.
    path.write_text(
        "clusters:\n" + "".join(f"- name: c{i}\n  cluster:\n    server: https://c{i}.example:443\n" for i in range(40))
    )
    update(local, kubeconfig=path, alias="b")
    update(local, kubeconfig=path, alias="a")
    (tmp_path / "a").write_text(path.read_text())
    update(local, kubeconfig=path, alias="b")
    (tmp_path / "b").write_text(path.read_text())
    assert (tmp_path / "a").read_text() != (tmp_path / "b").read_text()

    rounds = 30
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED_WRITERS,
            str(path),
            local.endpoint_url,
            str(rounds),
            str(tmp_path / "a"),
            str(tmp_path / "b"),
            "10",
        ],
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert run.returncode == 0, run.stderr
    outcomes = json.loads(run.stdout)
    assert len(outcomes) == rounds and all(outcome in (0, 1) for outcome in outcomes), outcomes
    leftovers = [name for name in os.listdir(directory) if name != "config"]
    assert all(name.startswith(".config.") and name.endswith(".tmp") for name in leftovers), leftovers


def test_result_repr_shows_no_merged_text(local: LocalEKS, cluster: dict[str, Any], tmp_path: Path) -> None:
    result = update(local, kubeconfig=tmp_path / "config", dry_run=True)
    assert ", text=" not in repr(result) and cluster["arn"] in repr(result)
