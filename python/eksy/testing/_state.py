"""LocalEKS's controls for the whole state: snapshots, strict signatures, the overview."""

from __future__ import annotations

from typing import Any, Protocol


class _Controls(Protocol):
    def control(self, command: str, args: Any = None) -> dict[str, Any]: ...


class Snapshot:
    """The emulator's whole state at one moment (resources, clock, timings, identities; not
    the recorded requests or faults), for :meth:`StateControls.restore`. Opaque; its repr is
    a size, never its content (it holds the identities' secrets)."""

    __slots__ = ("_value",)

    def __init__(self, value: dict[str, Any]) -> None:
        self._value = value

    def __repr__(self) -> str:
        regions = len(self._value.get("regions", []))
        return f"<eksy.testing.Snapshot of {regions} region(s)>"


class StateControls:
    """Mixed into :class:`LocalEKS`."""

    def snapshot(self: _Controls) -> Snapshot:
        """The whole state, to bring back later with :meth:`restore` (fast enough to reset a
        session-wide emulator before every test)."""
        return Snapshot(self.control("snapshot")["snapshot"])

    def restore(self: _Controls, snapshot: Snapshot) -> None:
        """Replaces the state with a snapshot's; Kubernetes endpoints reopen as clusters are read."""
        if not isinstance(snapshot, Snapshot):
            raise TypeError(f"restore() takes a Snapshot from snapshot(), not {type(snapshot).__name__}")
        self.control("restore", {"snapshot": snapshot._value})

    def set_strict(self: _Controls, enabled: bool = True) -> bool:
        """Verifies (or stops verifying) every request's SigV4 signature against the identities
        the emulator knows: a wrong secret, an unknown key, a tampered request or a date more
        than 5 minutes off is refused with AWS's error. Returns the new setting."""
        return bool(self.control("set_strict", {"enabled": enabled})["strict"])

    def overview(self: _Controls) -> dict[str, Any]:
        """What the emulator holds (what its page at ``GET /`` shows), as plain data."""
        return self.control("overview")
