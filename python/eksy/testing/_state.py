"""LocalEKS's controls for the whole state: snapshots, strict signatures, the overview."""

from __future__ import annotations

import json
from typing import Any, Protocol


class _Controls(Protocol):
    def control(self, command: str, args: Any = None) -> dict[str, Any]: ...
    def control_json(self, command: str, body: str) -> str: ...


class Snapshot:
    """The emulator's whole state at one moment (resources, clock, timings, identities; not
    the recorded requests or faults), for :meth:`StateControls.restore`. Opaque; its repr is
    a size, never its content (it holds the identities' secrets)."""

    __slots__ = ("_json",)

    def __init__(self, state_json: str) -> None:
        # Kept as the emulator's JSON text: a restore sends it back without parsing it here.
        self._json = state_json

    def __repr__(self) -> str:
        return f"<eksy.testing.Snapshot of {len(self._json):,} bytes>"


_SNAPSHOT_PREFIX = '{"snapshot":'


class StateControls:
    """Mixed into :class:`LocalEKS`."""

    def snapshot(self: _Controls) -> Snapshot:
        """The whole state, to bring back later with :meth:`restore` (fast enough to reset a
        session-wide emulator before every test)."""
        text = self.control_json("snapshot", "{}")
        if text.startswith(_SNAPSHOT_PREFIX) and text.endswith("}"):
            return Snapshot(text[len(_SNAPSHOT_PREFIX) : -1])
        return Snapshot(json.dumps(json.loads(text)["snapshot"]))

    def restore(self: _Controls, snapshot: Snapshot) -> None:
        """Replaces the state with a snapshot's; Kubernetes endpoints reopen as clusters are read."""
        if not isinstance(snapshot, Snapshot):
            raise TypeError(f"restore() takes a Snapshot from snapshot(), not {type(snapshot).__name__}")
        self.control_json("restore", _SNAPSHOT_PREFIX + snapshot._json + "}")

    def set_strict(self: _Controls, enabled: bool = True) -> bool:
        """Verifies (or stops verifying) every request's SigV4 signature against the identities
        the emulator knows: a wrong secret, an unknown key, a tampered request or a date more
        than 5 minutes off is refused with AWS's error. Returns the new setting."""
        return bool(self.control("set_strict", {"enabled": enabled})["strict"])

    def overview(self: _Controls) -> dict[str, Any]:
        """What the emulator holds (what its page at ``GET /`` shows), as plain data."""
        return self.control("overview")
