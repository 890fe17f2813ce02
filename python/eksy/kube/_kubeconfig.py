"""`update_kubeconfig`: what `aws eks update-kubeconfig` does, without its failure modes.

The file is edited with ruamel.yaml in round-trip mode, so the parts this does not replace keep
their comments, key order, quoting and indentation. A file that cannot be read as a kubeconfig is
reported (path and what is wrong) and never rewritten. The write is atomic: readers see the old
file or the new one, never a part.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eksy._errors import EksError

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    import eksy
    from eksy.models import Cluster

__all__ = ["KubeconfigError", "KubeconfigResult", "update_kubeconfig"]

# What `aws eks update-kubeconfig` writes; every supported kubectl understands it.
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
READY_STATUSES = ("ACTIVE", "UPDATING")
LIST_KEYS = ("clusters", "contexts", "users")
# Keys whose values are credentials; --dry-run output shows them as REDACTED.
SECRET_KEYS = frozenset(
    {"token", "password", "client-key-data", "access-token", "refresh-token", "id-token", "client-secret"}
)
REDACTED = "REDACTED"


class KubeconfigError(EksError, ValueError):
    """A kubeconfig entry could not be made: the file is malformed or unreadable, or the cluster
    is not ready. ``path`` is the file concerned (None when the cluster is the problem); such a
    file is left untouched."""

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(f"{os.fspath(path)}: {message}" if path is not None else message)
        self.path = os.fspath(path) if path is not None else None
        self.reason = message


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
        _write_atomically(document.path, text)
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
    return _block_map(
        ("cluster", _block_map(("certificate-authority-data", ca_data or ""), ("server", cluster.endpoint))),
        ("name", arn),
    )


def _context_entry(name: str, cluster: str, user: str) -> CommentedMap:
    return _block_map(("context", _block_map(("cluster", cluster), ("user", user))), ("name", name))


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
    exec_entry = _block_map(("apiVersion", EXEC_API_VERSION), ("command", command), ("args", _block_seq(args)))
    if profile:
        exec_entry["env"] = _block_seq([_block_map(("name", "AWS_PROFILE"), ("value", profile))])
    exec_entry["interactiveMode"] = "Never"
    return _block_map(("name", name), ("user", _block_map(("exec", exec_entry))))


def token_command() -> tuple[str, list[str]]:
    """The command (absolute path) and leading arguments that run ``eksy token`` with this install.

    The ``eksy`` console script beside this interpreter if there is one (a venv's ``bin/``),
    else this interpreter with ``-m eksy``. ``sys.executable`` is not resolved: a venv's python
    is a symlink to the base interpreter, which does not see the venv's packages.
    """
    if not sys.executable:
        return "eksy", []
    interpreter = os.path.abspath(sys.executable)
    script = Path(interpreter).parent / ("eksy.exe" if os.name == "nt" else "eksy")
    if script.is_file() and os.access(script, os.X_OK):
        return str(script), []
    return interpreter, ["-m", "eksy"]


def _block_map(*items: tuple[str, Any]) -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap(items)
    mapping.fa.set_block_style()
    return mapping


def _block_seq(items: list[Any]) -> CommentedSeq:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_block_style()
    return seq


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


def _choose_document(paths: list[Path], cluster_arn: str) -> _Document:
    first: _Document | None = None
    for path in paths:
        document = _Document.load(path)
        if document.has_cluster(cluster_arn):
            return document
        if first is None:
            first = document
    assert first is not None  # paths is never empty
    return first


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the string {_shorten(value)!r}"
    return type(value).__name__


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _new_yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    # Never fold long values (certificate data, ARNs) onto several lines.
    yaml.width = 1 << 20
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


class _Document:
    """One kubeconfig file, loaded for round-trip editing."""

    def __init__(self, path: Path, yaml: YAML, content: CommentedMap) -> None:
        self.path = path
        self.yaml = yaml
        self.content = content

    @classmethod
    def load(cls, path: Path) -> _Document:
        from ruamel.yaml.error import YAMLError

        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = b""
        except OSError as error:
            raise KubeconfigError(f"cannot read the kubeconfig: {error.strerror or error}", path=path) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise KubeconfigError(f"not UTF-8 text (byte {error.start})", path=path) from None
        yaml = _new_yaml()
        try:
            content = yaml.load(text)
        except YAMLError as error:
            raise KubeconfigError(f"not valid YAML: {_one_line(error)}", path=path) from None
        mapping, sequence, offset = _guess_indent(text)
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        if text.lstrip().startswith("---"):
            yaml.explicit_start = True
        if content is None or (isinstance(content, dict) and not content):
            content = _new_content()
        _validate(content, path)
        return cls(path, yaml, content)

    def has_cluster(self, name: str) -> bool:
        return any(entry.get("name") == name for entry in self.content.get("clusters") or [])

    def put(self, key: str, entry: CommentedMap) -> None:
        """Replaces the entry of ``entry``'s name in list ``key`` where it is, or appends it."""
        entries = self.content.get(key)
        if not entries:
            # Missing, null, or an empty (often flow-style `[]`) list: a new block list.
            self.set_top(key, _block_seq([entry]))
            return
        for index, existing in enumerate(entries):
            if existing.get("name") == entry["name"]:
                following = _detach_following(entries, index)
                entries[index] = entry
                _attach_following(entries, index, following)
                return
        following = _detach_following(entries, len(entries) - 1)
        entries.append(entry)
        _attach_following(entries, len(entries) - 1, following)

    def set_top(self, key: str, value: Any) -> None:
        """Sets a top-level key (in place if present, else at the end), keeping the comments after it."""
        content = self.content
        anchor = key if key in content else (list(content)[-1] if content else None)
        following = _detach_following(content, anchor) if anchor is not None else ""
        content[key] = value
        _attach_following(content, key, following)

    def dump(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.content, out)
        return out.getvalue()


def _guess_indent(text: str) -> tuple[int, int, int]:
    """The file's indentation as ruamel.yaml's (mapping, sequence, offset); kubectl's by default.

    From the first nested mapping and the first block list under a key. (ruamel.yaml's own
    guess raises on some valid files, e.g. a list item with no value.)
    """
    mapping: int | None = None
    sequence: tuple[int, int] | None = None
    parent: int | None = None  # column of the previous line when it was `key:` alone
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("---"):
            continue
        column = len(line) - len(line.lstrip(" "))
        if parent is not None and column >= parent:
            if stripped.startswith("- ") or stripped == "-":
                if sequence is None:
                    after_dash = stripped[1:]
                    content_column = column + 1 + (len(after_dash) - len(after_dash.lstrip(" ")))
                    sequence = (column - parent, content_column - parent)
            elif column > parent and mapping is None:
                mapping = column - parent
        parent = column if stripped.endswith(":") and not stripped.startswith("- ") else None
        if mapping is not None and sequence is not None:
            break
    mapping = mapping if mapping and mapping <= 8 else 2
    offset, content = sequence if sequence else (0, mapping)
    if not 0 <= offset <= 8 or content < offset + 2 or content > offset + 8:
        offset, content = 0, 2
    return mapping, content, offset


def _new_content() -> CommentedMap:
    # kubectl's key order.
    return _block_map(
        ("apiVersion", "v1"),
        ("clusters", _block_seq([])),
        ("contexts", _block_seq([])),
        ("current-context", ""),
        ("kind", "Config"),
        ("preferences", _flow_empty_map()),
        ("users", _block_seq([])),
    )


def _flow_empty_map() -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap()
    mapping.fa.set_flow_style()
    return mapping


def _validate(content: Any, path: Path) -> None:
    if not isinstance(content, dict):
        raise KubeconfigError(f"the top level is {_kind(content)}, not a mapping of kubeconfig keys", path=path)
    for key in LIST_KEYS:
        entries = content.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise KubeconfigError(f"`{key}` is {_kind(entries)}, not a list", path=path)
        for position, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise KubeconfigError(f"entry {position} of `{key}` is {_kind(entry)}, not a mapping", path=path)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


# -- keeping comments where they belong ------------------------------------------------------
#
# ruamel.yaml attaches a comment that follows a node to the last scalar before it: the comments
# heading the next entry (or the next top-level key) hang off the deepest last value of the entry
# before. Replacing or appending after that entry would drop or misplace them, so they are moved
# to the new last value first. The first line of such a comment is the end-of-line comment of that
# value, which stays (or goes) with it.


def _comment_slots(container: Any, key: Any) -> list[tuple[Any, Any, int]]:
    """Where a comment after ``container[key]`` can hang: (holder, key, index in its ca.items row)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    slots: list[tuple[Any, Any, int]] = []
    holder, slot_key = container, key
    while True:
        slots.append((holder, slot_key, 2 if isinstance(holder, CommentedMap) else 0))
        value = holder[slot_key]
        if isinstance(value, CommentedMap) and value:
            holder, slot_key = value, list(value)[-1]
        elif isinstance(value, CommentedSeq) and value:
            holder, slot_key = value, len(value) - 1
        else:
            return slots


def _detach_following(container: Any, key: Any) -> str:
    """Removes and returns the whole-line comments after ``container[key]``."""
    for holder, slot_key, index in reversed(_comment_slots(container, key)):
        row = holder.ca.items.get(slot_key)
        token = row[index] if row and len(row) > index else None
        if token is None:
            continue
        value = token.value
        newline = value.find("\n")
        if newline < 0 or not value[newline + 1 :]:
            continue
        end_of_line, following = value[:newline], value[newline + 1 :]
        if end_of_line.strip():
            token.value = end_of_line + "\n"
        else:
            row[index] = None
        return str(following)
    return ""


def _attach_following(container: Any, key: Any, following: str) -> None:
    """Hangs ``following`` (whole-line comments) after ``container[key]``."""
    if not following:
        return
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    holder, slot_key, index = _comment_slots(container, key)[-1]
    row = holder.ca.items.get(slot_key)
    if row is not None and len(row) > index and row[index] is not None:
        token = row[index]
        token.value = token.value.rstrip("\n") + "\n" + following
        return
    token = CommentToken("\n" + following, CommentMark(0))
    if row is None:
        row = [None, None, None, None] if isinstance(holder, CommentedMap) else [None, None]
        holder.ca.items[slot_key] = row
    while len(row) <= index:
        row.append(None)
    row[index] = token


# -- dry-run display -------------------------------------------------------------------------


def redact(text: str) -> str:
    """``text`` (a kubeconfig) with the values of credential keys shown as REDACTED.

    For printing a merged file (``eksy kubeconfig --dry-run``): the entries this writes hold no
    secret, but other users' entries in the same file may (tokens, passwords, client keys).
    """
    yaml = _new_yaml()
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


# -- atomic write ----------------------------------------------------------------------------


def _write_atomically(path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` by rename: a crash leaves the old file or the new one, whole.

    The target of a symlink is what gets replaced (dotfile managers link ~/.kube/config). An
    existing file keeps its mode (and owner, where allowed); a new one is 0600, in a directory
    made 0700 if it was missing.
    """
    target = Path(os.path.realpath(path))
    directory = target.parent
    try:
        _make_private_dirs(directory)
        try:
            existing: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            existing = None
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o600
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise KubeconfigError(f"cannot write the kubeconfig: {error.strerror or error}", path=path) from None
    try:
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
                stream.flush()
                if hasattr(os, "fchmod"):
                    os.fchmod(stream.fileno(), mode)
                if existing is not None and hasattr(os, "fchown"):
                    try:
                        os.fchown(stream.fileno(), existing.st_uid, existing.st_gid)
                    except OSError:
                        pass  # not ours to give away: keep our ownership
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
        _fsync_directory(directory)
    except OSError as error:
        raise KubeconfigError(f"cannot write the kubeconfig: {error.strerror or error}", path=path) from None


def _make_private_dirs(directory: Path) -> None:
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    for created in reversed(missing):
        try:
            os.mkdir(created, 0o700)
        except FileExistsError:
            continue
        os.chmod(created, 0o700)  # mkdir's mode is reduced by the umask


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
