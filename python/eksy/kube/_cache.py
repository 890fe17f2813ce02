"""The disk cache of `eksy token`: one small file per token, shared by every process of the user.

kubectl runs its exec plugin in every new process; a token stays valid for 14 minutes, so a
process that finds a fresh one here prints it instead of signing a new one.

- Where: ``$XDG_CACHE_HOME/eksy/tokens`` (an absolute ``XDG_CACHE_HOME`` only, as the XDG spec
  says), else ``~/.cache/eksy/tokens``; the directory is the user's alone (0700), each file too
  (0600).
- Name: the key (64 hex digits) from the extension, a SHA-256 over everything that changes the
  token: cluster, region, profile, role, session name, external id, STS endpoint, and the
  caller's credentials (so a token is never served to other credentials). No secret is stored
  in clear, and the token itself only in a file only its user can read.
- Written atomically (a temporary file in the same directory, fsync, rename), read without
  locks: a reader sees the old file or the new one, whole.
- Anything unexpected (wrong format, version, key, owner, permissions, size, a symlink, a time
  that cannot be right) makes the file a miss; the next write replaces it. Failures to write
  are ignored: the cache only saves time.

Only `os` and `time` are imported: this runs on the fast path of `eksy token`.
"""

from __future__ import annotations

import os
import stat
import time

FORMAT = "eksy-token-cache 1"
# Reused until this many seconds before its expiry: kubectl has a minute to use it.
MIN_REMAINING_S = 60
# A token's lifetime (issue + 14 min); a file promising more was not written by this version
# or the clock moved back, and is a miss.
MAX_LIFETIME_S = 14 * 60
# Tokens are 1.5-5 KB (a session token makes them longer); a bigger file is not ours.
MAX_FILE_BYTES = 64 * 1024
# Files older than this are expired for sure and are removed when a new token is written.
PRUNE_AFTER_S = 15 * 60

_TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_HEX = frozenset("0123456789abcdef")
_TOKEN_PREFIX = "k8s-aws-v1."


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "eksy", "tokens")


def _valid_key(key: str) -> bool:
    return len(key) == 64 and _HEX.issuperset(key)


def _valid_token(token: str) -> bool:
    return token.startswith(_TOKEN_PREFIX) and _TOKEN_ALPHABET.issuperset(token[len(_TOKEN_PREFIX) :])


def _private(st: os.stat_result) -> bool:
    """Owned by this user and closed to everybody else."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def read(key: str, now: float | None = None) -> tuple[str, int] | None:
    """``(token, expires_at)`` if the cache holds a token for ``key`` valid for another minute."""
    if not _valid_key(key):
        return None
    directory = cache_dir()
    try:
        dir_st = os.stat(directory, follow_symlinks=False)
        if not stat.S_ISDIR(dir_st.st_mode) or not _private(dir_st):
            return None
        fd = os.open(os.path.join(directory, key + ".token"), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _private(st) or st.st_size > MAX_FILE_BYTES:
            return None
        raw = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        lines = raw.decode("ascii").split("\n")
    except UnicodeDecodeError:
        return None
    if len(lines) != 5 or lines[0] != FORMAT or lines[1] != key or lines[4] != "":
        return None
    expires_text, token = lines[2], lines[3]
    if not expires_text.isdigit() or not _valid_token(token):
        return None
    expires_at = int(expires_text)
    now = time.time() if now is None else now
    if not now + MIN_REMAINING_S < expires_at <= now + MAX_LIFETIME_S:
        return None
    return token, expires_at


def _ensure_dir() -> str | None:
    directory = cache_dir()
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        st = os.stat(directory, follow_symlinks=False)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            return None
        if st.st_mode & 0o077:
            os.chmod(directory, 0o700)
    except OSError:
        return None
    return directory


def _prune(directory: str, now: float) -> None:
    """Removes files of this cache that have certainly expired (and leftovers of killed writers)."""
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                name = entry.name
                if not (name.endswith(".token") or name.endswith(".tmp")):
                    continue
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < now - PRUNE_AFTER_S:
                        os.unlink(entry.path)
                except OSError:
                    continue
    except OSError:
        return


def write(key: str, token: str, expires_at: int) -> None:
    """Stores a token for ``key``, atomically; never raises for I/O."""
    if not _valid_key(key) or not _valid_token(token):
        return
    directory = _ensure_dir()
    if directory is None:
        return
    body = f"{FORMAT}\n{key}\n{int(expires_at)}\n{token}\n".encode("ascii")
    temp = os.path.join(directory, f".{key}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError:
        return
    try:
        try:
            view = memoryview(body)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, os.path.join(directory, key + ".token"))
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass
        return
    _prune(directory, time.time())
