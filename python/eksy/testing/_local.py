"""LocalEKS: the emulator started in this process, and its testing controls.

Over 400 lines because every control is a small documented method of the one class users
meet first; the identity, Kubernetes, state and version catalog controls already live in
mixins beside it.

Requests need SigV4 credentials (any values; signatures are not verified). The account is
the access key id when it is 12 digits, else ``account_id`` (default ``123456789012``); the
region comes from the request's credential scope.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypedDict, cast

from eksy._generated.resource_kinds import ResourceKind, TimingName
from eksy.testing._kube import Credentials, KubeControls
from eksy.testing._state import StateControls
from eksy.testing._versions import VersionCatalogControls

if TYPE_CHECKING:
    import eksy

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "TEST_ACCESS_KEY_ID",
    "TEST_SECRET_ACCESS_KEY",
    "HealthIssue",
    "LocalEKS",
    "RecordedRequest",
    "ResourceKind",
    "TimingName",
]

DEFAULT_ACCOUNT_ID = "123456789012"
TEST_ACCESS_KEY_ID = "testing"
TEST_SECRET_ACCESS_KEY = "testing"


class RecordedRequest(TypedDict):
    """One request as the emulator received it."""

    operation: str | None
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any
    account: str
    region: str
    time: float


class HealthIssue(TypedDict, total=False):
    """A health issue attached by :meth:`LocalEKS.force_status`."""

    code: str
    message: str
    resourceIds: list[str]


class _Emulator(Protocol):
    """The interface of ``eksy._eksy.Emulator``."""

    @property
    def endpoint_url(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def control_token(self) -> str | None: ...

    def control(self, command: str, args_json: str) -> str: ...

    def stop(self) -> None: ...


def _start_emulator(
    host: str,
    port: int,
    region: str,
    account_id: str | None,
    timings: dict[str, float] | None,
    **options: Any,
) -> _Emulator:
    """Starts the emulator from the extension (a seam tests can replace)."""
    from eksy._eksy import Emulator

    return cast(
        _Emulator,
        Emulator(host=host, port=port, region=region, account_id=account_id, timings=timings, **options),
    )


class LocalEKS(KubeControls, StateControls, VersionCatalogControls):
    """A local EKS emulator, started on construction and stopped on :meth:`stop` or exit.

    Args:
        host: Address to bind. Keep the default: the emulator has no real authentication.
        port: Port to bind; 0 picks a free port (safe under pytest-xdist).
        region: Region for :meth:`client` and the default region of controls.
        account_id: Account for access keys that are not 12-digit account ids.
        timings: Lifecycle durations in emulator seconds, e.g. ``{"cluster_create": 600}``
            (see :meth:`set_timings`; the default makes every transition complete by the next request).
        state_file: Restore the state from this file (if it exists) and save it on every change
            and at stop, atomically. A corrupt, foreign or newer file raises ``ValueError`` and is
            left untouched.
        strict: Verify every request's SigV4 signature against the identities the emulator knows
            (see :meth:`add_identity`); the default accepts any well-formed signature.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        account_id: str | None = None,
        timings: Mapping[str, float] | None = None,
        state_file: str | os.PathLike[str] | None = None,
        strict: bool = False,
    ) -> None:
        self._region = region
        self._account_id = account_id or DEFAULT_ACCOUNT_ID
        if host not in ("127.0.0.1", "localhost", "::1"):
            import warnings

            warnings.warn(
                f"LocalEKS(host={host!r}) serves beyond loopback: other hosts can reach the emulator "
                "(its controls need the token in LocalEKS.control_token)",
                stacklevel=2,
            )
        options: dict[str, Any] = {}
        if state_file is not None:
            options["state_file"] = os.fspath(state_file)
        if strict:
            options["strict"] = True
        self._emulator: _Emulator | None = _start_emulator(
            host, port, region, account_id, dict(timings) if timings is not None else None, **options
        )
        self._control_token = getattr(self._emulator, "control_token", None)
        self._endpoint_url = self._emulator.endpoint_url
        self._port = self._emulator.port
        # The server runs in this process; a forked child reaches it over HTTP instead.
        self._started_in = os.getpid()

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> LocalEKS:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stops the server and frees its port. Idempotent.

        In a forked child this only lets go of the handle: the server belongs to the parent.
        """
        emulator, self._emulator = self._emulator, None
        if emulator is not None and os.getpid() == self._started_in:
            emulator.stop()

    @property
    def running(self) -> bool:
        """Whether the server is still running."""
        return self._emulator is not None

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``, for any AWS SDK's endpoint URL setting."""
        return self._endpoint_url

    @property
    def port(self) -> int:
        """The bound port."""
        return self._port

    @property
    def region(self) -> str:
        """The region clients from this object use."""
        return self._region

    @property
    def control_token(self) -> str | None:
        """The token HTTP controls from other hosts need (``x-eksy-control-token``) when the
        emulator is bound beyond loopback; None on loopback."""
        return self._control_token

    @property
    def account_id(self) -> str:
        """The account that the test credentials (``testing``) act as."""
        return self._account_id

    # -- clients ---------------------------------------------------------------------------

    def _client_kwargs(self, credentials: Credentials | None = None) -> dict[str, Any]:
        return {
            "region": self._region,
            "endpoint_url": self._endpoint_url,
            "aws_access_key_id": credentials.access_key_id if credentials else TEST_ACCESS_KEY_ID,
            "aws_secret_access_key": credentials.secret_access_key if credentials else TEST_SECRET_ACCESS_KEY,
            "aws_session_token": credentials.session_token if credentials else None,
        }

    def client(self, credentials: Credentials | None = None) -> eksy.EKS:
        """A synchronous eksy EKS client pointed at the emulator (test credentials by default)."""
        import eksy

        return eksy.EKS(**self._client_kwargs(credentials))

    def async_client(self) -> eksy.AsyncEKS:
        """An asynchronous eksy EKS client pointed at the emulator."""
        import eksy

        return eksy.AsyncEKS(**self._client_kwargs())

    def auth_client(self) -> eksy.EKSAuth:
        """A synchronous eksy EKS Auth client pointed at the emulator."""
        import eksy

        return eksy.EKSAuth(**self._client_kwargs())

    def async_auth_client(self) -> eksy.AsyncEKSAuth:
        """An asynchronous eksy EKS Auth client pointed at the emulator."""
        import eksy

        return eksy.AsyncEKSAuth(**self._client_kwargs())

    # -- controls --------------------------------------------------------------------------

    def control(self, command: str, args: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Runs a raw control command (see the crate docs); raises ``ValueError`` on error."""
        if self._emulator is None:
            raise RuntimeError("the LocalEKS emulator has been stopped")
        result = json.loads(self.control_json(command, json.dumps(dict(args or {}))))
        return cast(dict[str, Any], result)

    def control_json(self, command: str, body: str) -> str:
        """:meth:`control` with the arguments and the result as JSON text: no parsing on this
        side (snapshots of thousands of resources are megabytes)."""
        if self._emulator is None:
            raise RuntimeError("the LocalEKS emulator has been stopped")
        if os.getpid() != self._started_in:
            return self._control_over_http(command, body)
        text: str = self._emulator.control(command, body)
        return text

    def _control_over_http(self, command: str, body: str) -> str:
        """A control sent to the parent's server from a forked child: its memory here is a copy."""
        import http.client

        connection = http.client.HTTPConnection(self._endpoint_url.removeprefix("http://"), timeout=30)
        try:
            headers = {"Content-Type": "application/json"}
            if self._control_token:
                headers["x-eksy-control-token"] = self._control_token
            connection.request("POST", f"/_eksy/control/{command}", body=body, headers=headers)
            response = connection.getresponse()
            text = (response.read() or b"{}").decode()
        finally:
            connection.close()
        if response.status != 200:
            answer = json.loads(text)
            raise ValueError(answer.get("message", f"control {command!r} failed with HTTP {response.status}"))
        return text

    def reset(self) -> None:
        """Forgets all resources, recorded requests, faults and clock offset; restores timings."""
        self.control("reset")

    def requests(self, operation: str | None = None) -> list[RecordedRequest]:
        """Recorded requests, oldest first (the most recent 10,000), optionally only those of ``operation``."""
        args = {"operation": operation} if operation is not None else {}
        requests = self.control("requests", args)["requests"]
        return [cast(RecordedRequest, {**r, "query": [tuple(pair) for pair in r["query"]]}) for r in requests]

    def clear_requests(self) -> None:
        """Forgets recorded requests."""
        self.control("clear_requests")

    def queue_error(
        self,
        operation: str,
        code: str,
        message: str | None = None,
        *,
        status: int | None = None,
        fields: Mapping[str, Any] | None = None,
        count: int = 1,
    ) -> None:
        """Answers the next ``count`` calls of ``operation`` (or ``"*"``) with an AWS error.

        The status defaults to the model's status for ``code`` (e.g. 429 for
        ``ThrottlingException``), ``fields`` become members of the error body.
        """
        error: dict[str, Any] = {"code": code}
        if message is not None:
            error["message"] = message
        if status is not None:
            error["status"] = status
        if fields is not None:
            error["fields"] = dict(fields)
        self.control("queue", {"operation": operation, "count": count, "error": error})

    def queue_response(
        self,
        operation: str,
        body: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        count: int = 1,
    ) -> None:
        """Answers the next ``count`` calls of ``operation`` with a canned JSON response."""
        response: dict[str, Any] = {"status": status, "body": dict(body or {})}
        if headers is not None:
            response["headers"] = dict(headers)
        self.control("queue", {"operation": operation, "count": count, "response": response})

    def queue_drop(self, operation: str, *, count: int = 1) -> None:
        """Closes the connection without an answer on the next ``count`` calls."""
        self.control("queue", {"operation": operation, "count": count, "drop": True})

    def queue_lost_response(self, operation: str, *, count: int = 1) -> None:
        """Runs the next ``count`` calls, then closes the connection without their answer: the
        SDKs retry, and with a ``clientRequestToken`` the retry gets the first call's result."""
        self.control("queue", {"operation": operation, "count": count, "lose_response": True})

    def clear_queue(self, operation: str | None = None) -> None:
        """Forgets queued answers (of one operation, or all)."""
        self.control("clear_queue", {"operation": operation} if operation else {})

    def set_latency(self, seconds: float, operation: str = "*") -> None:
        """Delays every answer of ``operation`` (default: all) by ``seconds``; 0 clears."""
        self.control("set_latency", {"operation": operation, "seconds": seconds})

    def set_error_rate(
        self,
        rate: float,
        operation: str = "*",
        *,
        code: str = "ServiceUnavailableException",
        message: str | None = None,
        status: int | None = None,
    ) -> None:
        """Fails a random fraction ``rate`` (0..1) of calls with ``code``; 0 clears."""
        args: dict[str, Any] = {"operation": operation, "rate": rate, "code": code}
        if message is not None:
            args["message"] = message
        if status is not None:
            args["status"] = status
        self.control("set_error_rate", args)

    def drop_connections(self, operation: str = "*", *, rate: float = 1.0, count: int | None = None) -> None:
        """Drops connections of a fraction ``rate`` of calls, at most ``count`` times; rate 0 clears."""
        args: dict[str, Any] = {"operation": operation, "rate": rate}
        if count is not None:
            args["count"] = count
        self.control("drop_connections", args)

    def clear_faults(self) -> None:
        """Removes queued answers, latency, error rates and dropped connections."""
        self.control("clear_faults")

    def advance(self, seconds: float) -> float:
        """Moves the emulator clock forward; returns the new time (epoch seconds)."""
        return float(self.control("advance", {"seconds": seconds})["now"])

    def now(self) -> float:
        """The emulator clock (epoch seconds)."""
        return float(self.control("now")["now"])

    def set_timings(
        self,
        timings: Mapping[TimingName | Literal["all"], float] | None = None,
        *,
        preset: Literal["instant", "realistic"] | None = None,
        **more: float,
    ) -> dict[str, float]:
        """Sets lifecycle durations in seconds; returns them all.

        The default is ``preset="instant"``: a create, update or delete response shows the
        transitional status (CREATING, UPDATING, DELETING) and the next read the settled one,
        so waiters finish on their first poll. ``preset="realistic"`` takes about as long as
        AWS (a cluster in 600 s of emulator clock; :meth:`advance` moves it).

        Names are those :meth:`timings` returns (``cluster_create``, ``nodegroup_update``,
        ``addon_delete``, ``capability_create``, ``certificate_authority_update``, ...), or
        ``all``. Zero makes a transition immediate; an unknown name raises ``ValueError``.
        """
        args: dict[str, Any] = {str(name): seconds for name, seconds in (timings or {}).items()}
        args.update(more)
        if preset is not None:
            args["preset"] = preset
        result = self.control("set_timings", args)
        return cast(dict[str, float], result["timings"])

    def timings(self) -> dict[TimingName, float]:
        """The current lifecycle durations."""
        return cast(dict[TimingName, float], self.control("timings")["timings"])

    def force_status(
        self,
        resource: ResourceKind,
        cluster: str,
        status: str,
        name: str | None = None,
        *,
        health_issues: list[HealthIssue] | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Forces a resource into ``status`` (e.g. ``FAILED``, ``CREATE_FAILED``, ``DEGRADED``).

        Any pending transition is dropped. Failure statuses get ``health_issues`` (a default
        issue if none are given); for updates they become the update's ``errors``.
        ``name`` is the node group, Fargate profile, add-on, capability or identity provider
        config name, or the update id (the kinds are the emulator's registry,
        ``crates/eksy-emulator/registry/resource_kinds.json``).
        Returns the resource as described afterwards.
        """
        args: dict[str, Any] = {
            "resource": resource,
            "cluster": cluster,
            "status": status,
            "account_id": account_id or self._account_id,
            "region": region or self._region,
        }
        if name is not None:
            args["name"] = name
        if health_issues is not None:
            args["health_issues"] = [dict(i) for i in health_issues]
        return cast(dict[str, Any], self.control("force_status", args)["resource"])
