"""The kubeconfig file itself: reading it for round-trip editing, validating it, editing its
lists without losing comments, and replacing it atomically.

ruamel.yaml's round-trip mode keeps what this does not replace: comments, key order, quoting,
and (guessed from the file) indentation.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eksy._errors import EksError

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

LIST_KEYS = ("clusters", "contexts", "users")


class KubeconfigError(EksError, ValueError):
    """A kubeconfig entry could not be made: the file is malformed or unreadable, or the cluster
    is not ready. ``path`` is the file concerned (None when the cluster is the problem); such a
    file is left untouched."""

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(f"{os.fspath(path)}: {message}" if path is not None else message)
        self.path = os.fspath(path) if path is not None else None
        self.reason = message


def block_map(*items: tuple[str, Any]) -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap(items)
    mapping.fa.set_block_style()
    return mapping


def block_seq(items: list[Any]) -> CommentedSeq:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_block_style()
    return seq


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


def new_yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    # Never fold long values (certificate data, ARNs) onto several lines.
    yaml.width = 1 << 20
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


class KubeconfigDocument:
    """One kubeconfig file, loaded for round-trip editing."""

    def __init__(self, path: Path, yaml: YAML, content: CommentedMap) -> None:
        self.path = path
        self.yaml = yaml
        self.content = content

    @classmethod
    def load(cls, path: Path) -> KubeconfigDocument:
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
        yaml = new_yaml()
        try:
            content = yaml.load(text)
        except YAMLError as error:
            raise KubeconfigError(f"not valid YAML: {_one_line(error)}", path=path) from None
        mapping, sequence, offset = guess_indent(text)
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
            self.set_top(key, block_seq([entry]))
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


def guess_indent(text: str) -> tuple[int, int, int]:
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
    return block_map(
        ("apiVersion", "v1"),
        ("clusters", block_seq([])),
        ("contexts", block_seq([])),
        ("current-context", ""),
        ("kind", "Config"),
        ("preferences", _flow_empty_map()),
        ("users", block_seq([])),
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


# -- atomic write ----------------------------------------------------------------------------


def write_atomically(path: Path, text: str) -> None:
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
