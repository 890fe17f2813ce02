"""`update_kubeconfig`: what `aws eks update-kubeconfig` does, without its failure modes.

This module decides what goes in (the cluster, user and context entries, and which file);
_kubeconfig_file edits the file: round trip keeping comments and formatting, a malformed file
reported (path and what is wrong) and never rewritten, and an atomic write.
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eksy.kube._kubeconfig_file import (
    KubeconfigDocument,
    KubeconfigError,
    block_map,
    block_seq,
    guess_indent,
    new_yaml,
    write_atomically,
)

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap

    import eksy
    from eksy.models import Cluster

__all__ = ["KubeconfigError", "KubeconfigResult", "update_kubeconfig"]

# What `aws eks update-kubeconfig` writes; every supported kubectl understands it.
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
READY_STATUSES = ("ACTIVE", "UPDATING")
# Keys whose values are credentials; --dry-run output shows them as REDACTED.
SECRET_KEYS = frozenset(
    {"token", "password", "client-key-data", "access-token", "refresh-token", "id-token", "client-secret"}
)
REDACTED = "REDACTED"


@dataclass(frozen=True)
class KubeconfigResult:
    """What :func:`update_kubeconfig` did.

    Attributes:
        path: The kubeconfig file chosen (written unless ``dry_run``).
        context: The context's name, now ``current-context``.
        cluster: The cluster entry's name (the cluster ARN).
        user: The user entry's name (the cluster ARN, or ``user_alias``).
        cluster_arn: The cluster's ARN from describe_cluster.
        updated: Whether the file already had a cluster entry of that name (replaced in place).
        written: Whether the file was written (False for dry runs).
        text: For dry runs, the merged file exactly as it would have been written (it may hold
            other users' credentials from the file: not shown in the repr); None otherwise.
    """

    path: Path
    context: str
    cluster: str
    user: str
    cluster_arn: str
    updated: bool
    written: bool
    text: str | None = field(default=None, repr=False)


def update_kubeconfig(
    cluster_name: str,
    *,
    region: str | None = None,
    kubeconfig: str | os.PathLike[str] | None = None,
    alias: str | None = None,
    user_alias: str | None = None,
    role_arn: str | None = None,
    profile: str | None = None,
    dry_run: bool = False,
    endpoint_url: str | None = None,
) -> KubeconfigResult:
    """Adds or updates a cluster's entry in a kubeconfig file and makes it the current context.

    The file: ``kubeconfig`` if given; else, of the files in ``KUBECONFIG``, the first that
    already has an entry for this cluster, or the first; else ``~/.kube/config``. It gets a
    cluster entry (server and CA from describe_cluster) named by the cluster ARN, a user named
    ``user_alias`` or the ARN whose exec block runs ``eksy token`` (by absolute path, so kubectl
    finds it without this environment activated; ``AWS_PROFILE`` set when ``profile`` is given;
    ``--role-arn`` when ``role_arn`` is), and a context named ``alias`` or the user's name.
    Entries of the same name are replaced where they are; everything else is kept as it was.

    Args:
        cluster_name: The EKS cluster.
        region: Its region (default: the environment's or the profile's).
        kubeconfig: The file to update, instead of the ``KUBECONFIG``/default choice.
        alias: Name of the context (default: the user's name).
        user_alias: Name of the user entry (default: the cluster ARN).
        role_arn: A role ``eksy token`` assumes to authenticate to the cluster.
        profile: AWS profile for describe_cluster and, through ``AWS_PROFILE``, for ``eksy token``.
        dry_run: Compute the merged file (``result.text``) and write nothing.
        endpoint_url: EKS endpoint for describe_cluster (e.g. a ``LocalEKS`` emulator).

    Raises:
        KubeconfigError: the cluster is not ACTIVE or UPDATING, or a file is malformed or
            cannot be read or written (the file is then left as it was).
        eksy.ServiceError: describe_cluster failed (e.g. ResourceNotFoundException).
    """
    import eksy

    eks = eksy.EKS(region=region, profile=profile, endpoint_url=endpoint_url)
    cluster = describe_ready_cluster(eks, cluster_name)
    arn = cluster.arn or ""
    cluster_region = arn.split(":")[3] if arn.count(":") >= 5 else (eks.region or "")

    cluster_entry = _cluster_entry(arn, cluster)
    user_name = user_alias or arn
    user_entry = _user_entry(user_name, cluster_name, cluster, cluster_region, role_arn, profile)
    context_name = alias or user_name
    context_entry = _context_entry(context_name, arn, user_name)

    document = _choose_document(_candidate_paths(kubeconfig), arn)
    updated = document.has_cluster(arn)
    document.put("clusters", cluster_entry)
    document.put("users", user_entry)
    document.put("contexts", context_entry)
    document.set_top("current-context", context_name)
    text = document.dump()

    if not dry_run:
        write_atomically(document.path, text)
    return KubeconfigResult(
        path=document.path,
        context=context_name,
        cluster=arn,
        user=user_name,
        cluster_arn=arn,
        updated=updated,
        written=not dry_run,
        text=text if dry_run else None,
    )


def describe_ready_cluster(eks: eksy.EKS, cluster_name: str) -> Cluster:
    """describe_cluster, accepting only clusters whose Kubernetes API is up (ACTIVE, UPDATING)."""
    cluster = eks.describe_cluster(name=cluster_name).cluster
    if cluster is None or cluster.status is None:
        raise KubeconfigError(f"describe_cluster returned no cluster for {cluster_name!r}")
    if cluster.status not in READY_STATUSES:
        raise KubeconfigError(
            f"cluster {cluster_name!r} is {cluster.status}; its Kubernetes API is reachable only when it is "
            f"ACTIVE or UPDATING (wait with eks.wait.cluster_active(name={cluster_name!r}))"
        )
    if not cluster.endpoint:
        raise KubeconfigError(f"cluster {cluster_name!r} has no API server endpoint yet")
    return cluster


# -- entries -------------------------------------------------------------------------------


def _cluster_entry(arn: str, cluster: Cluster) -> CommentedMap:
    ca_data = cluster.certificate_authority.data if cluster.certificate_authority else None
    return block_map(
        ("cluster", block_map(("certificate-authority-data", ca_data or ""), ("server", cluster.endpoint))),
        ("name", arn),
    )


def _context_entry(name: str, cluster: str, user: str) -> CommentedMap:
    return block_map(("context", block_map(("cluster", cluster), ("user", user))), ("name", name))


def _user_entry(
    name: str, cluster_name: str, cluster: Cluster, region: str, role_arn: str | None, profile: str | None
) -> CommentedMap:
    command, prefix = token_command()
    # Local clusters on Outposts are named by their id in tokens, as the AWS CLI does.
    if cluster.outpost_config is not None and cluster.id:
        identity = ["--cluster-id", cluster.id]
    else:
        identity = ["--cluster-name", cluster_name]
    args = [*prefix, "token", *identity, "--region", region]
    if role_arn:
        args += ["--role-arn", role_arn]
    exec_entry = block_map(("apiVersion", EXEC_API_VERSION), ("command", command), ("args", block_seq(args)))
    if profile:
        exec_entry["env"] = block_seq([block_map(("name", "AWS_PROFILE"), ("value", profile))])
    exec_entry["interactiveMode"] = "Never"
    return block_map(("name", name), ("user", block_map(("exec", exec_entry))))


def token_command() -> tuple[str, list[str]]:
    """The command (absolute path) and leading arguments that run ``eksy token`` with this install.

    The ``eksy`` console script beside this interpreter if there is one (a venv's ``bin/``), else
    this interpreter, unresolved (a venv's python is a symlink to the base interpreter, which does
    not see the venv's packages), running eksy's command from the directory this eksy is installed
    in: not ``-m eksy``, whose ``runpy`` costs milliseconds on every kubectl call, and neither
    kubectl's working directory nor ``PYTHONPATH`` can put another eksy in its place.
    """
    if not sys.executable:
        return "eksy", []
    interpreter = os.path.abspath(sys.executable)
    script = Path(interpreter).parent / ("eksy.exe" if os.name == "nt" else "eksy")
    if script.is_file() and os.access(script, os.X_OK):
        return str(script), []
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../eksy
    install_dir = os.path.dirname(package)
    code = f"import sys; sys.path.insert(0, {install_dir!r}); from eksy.cli import main; sys.exit(main())"
    return interpreter, ["-c", code]


# -- choosing and reading the file ---------------------------------------------------------


def _candidate_paths(kubeconfig: str | os.PathLike[str] | None) -> list[Path]:
    if kubeconfig is not None:
        return [_absolute(os.fspath(kubeconfig))]
    listed = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p.strip()]
    paths: list[Path] = []
    for raw in listed:
        path = _absolute(raw)
        if path not in paths:
            paths.append(path)
    return paths or [_absolute("~/.kube/config")]


def _absolute(path: str) -> Path:
    return Path(os.path.abspath(os.path.expanduser(path)))


def _choose_document(paths: list[Path], cluster_arn: str) -> KubeconfigDocument:
    first: KubeconfigDocument | None = None
    for path in paths:
        document = KubeconfigDocument.load(path)
        if document.has_cluster(cluster_arn):
            return document
        if first is None:
            first = document
    assert first is not None  # paths is never empty
    return first


# -- dry-run display -------------------------------------------------------------------------


def redact(text: str) -> str:
    """``text`` (a kubeconfig) with the values of credential keys shown as REDACTED.

    For printing a merged file (``eksy kubeconfig --dry-run``): the entries this writes hold no
    secret, but other users' entries in the same file may (tokens, passwords, client keys).
    """
    yaml = new_yaml()
    mapping, sequence, offset = guess_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    content = yaml.load(text)
    _redact_in(content)
    out = io.StringIO()
    yaml.dump(content, out)
    return out.getvalue()


def _redact_in(node: Any) -> None:
    if isinstance(node, dict):
        for key in list(node):
            value = node[key]
            if isinstance(key, str) and key in SECRET_KEYS and isinstance(value, str) and value:
                node[key] = REDACTED
            elif key == "env" and isinstance(value, list):
                # exec env: AWS_SECRET_ACCESS_KEY, tokens... keep the names, hide the values.
                for variable in value:
                    if isinstance(variable, dict) and _looks_secret(variable.get("name")) and variable.get("value"):
                        variable["value"] = REDACTED
            else:
                _redact_in(value)
    elif isinstance(node, list):
        for item in node:
            _redact_in(item)


def _looks_secret(name: Any) -> bool:
    upper = str(name or "").upper()
    return any(word in upper for word in ("SECRET", "TOKEN", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL"))
