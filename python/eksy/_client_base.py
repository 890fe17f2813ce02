"""Construction and configuration shared by the generated sync and async clients."""

from __future__ import annotations

from eksy._eksy import ClientCore

# Annotations only: typing would cost a first client about 10 ms.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, ClassVar, Literal

    from eksy._observe import CallRecord

# What makes a client's configuration secret: kept out of its pickle unless the user opts in.
_SECRET_OPTIONS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


def _not_utf8(arguments: dict[str, Any]) -> Exception:
    """The ParamValidationError for a str argument that is not valid UTF-8 (a lone surrogate)."""
    from eksy._errors import ParamValidationError

    for name, value in arguments.items():
        if isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError:
                return ParamValidationError("is not valid UTF-8 (it holds a lone surrogate)", path=name)
    return ParamValidationError("a string argument is not valid UTF-8", path="")


def _rebuild(cls: type[_ClientBase], config: dict[str, Any]) -> _ClientBase:
    return cls(**config)


class _ClientBase:
    _service: ClassVar[str]
    __slots__ = ("_config", "_core")

    def __init__(
        self,
        *,
        region: str | None = None,
        profile: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        max_attempts: int | None = None,
        retry_mode: Literal["standard", "adaptive"] | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        operation_timeout: float | None = None,
        picklable_credentials: bool = False,
        on_call: Callable[[CallRecord], object] | Iterable[Callable[[CallRecord], object]] | None = None,
        user_agent_extra: str | None = None,
    ) -> None:
        """Create a client.

        Anything not given follows the AWS SDK's default chain: environment variables, the
        shared config and credentials files (``profile``), SSO, web identity, and instance
        metadata.

        Args:
            region: AWS region, e.g. ``"us-west-2"``.
            profile: Named profile from ``~/.aws/config`` / ``~/.aws/credentials``.
            endpoint_url: Send requests here instead of AWS, e.g. a ``LocalEKS`` emulator.
            aws_access_key_id: Explicit access key (with ``aws_secret_access_key``).
            aws_secret_access_key: Explicit secret key; never shown in reprs or errors.
            aws_session_token: Session token for temporary credentials.
            max_attempts: Total attempts per call including retries (default 3).
            retry_mode: ``"standard"`` (default) or ``"adaptive"`` (client-side rate limiting).
            connect_timeout: Seconds to establish a connection (default 60, as boto3;
                ``math.inf`` for no limit).
            read_timeout: Seconds to wait for the response after sending (default 60;
                ``math.inf`` for no limit).
            operation_timeout: Seconds for a whole call, retries included (default: no limit).
            picklable_credentials: Let a pickle of this client (multiprocessing, Dask, Ray)
                carry the explicit credentials and an endpoint password; without it, pickling
                such a client raises ``TypeError`` so that secrets never travel by accident.
            on_call: A callable (or several) receiving an immutable :class:`eksy.CallRecord`
                after each call, success or failure: sync clients call it in the calling
                thread, async ones in the awaiting task. A hook that raises is reported as a
                ``RuntimeWarning`` and never breaks the call. Hooks stay in this process: a
                pickled client leaves them behind.
            user_agent_extra: Appended to the User-Agent header after the SDK's own and
                ``eksy/<version>`` (printable ASCII), as botocore's ``user_agent_extra``.
        """
        # As given, for pickling: a worker rebuilds the client from its configuration.
        self._config: dict[str, Any] = {
            name: value
            for name, value in (
                ("profile", profile),
                ("endpoint_url", endpoint_url),
                ("aws_access_key_id", aws_access_key_id),
                ("aws_secret_access_key", aws_secret_access_key),
                ("aws_session_token", aws_session_token),
                ("max_attempts", max_attempts),
                ("retry_mode", retry_mode),
                ("connect_timeout", connect_timeout),
                ("read_timeout", read_timeout),
                ("operation_timeout", operation_timeout),
                ("picklable_credentials", picklable_credentials),
                ("user_agent_extra", user_agent_extra),
            )
            if value is not None and value is not False
        }
        try:
            self._core = ClientCore(
                self._service,
                region=region,
                profile=profile,
                endpoint_url=endpoint_url,
                aws_access_key_id=aws_access_key_id,
                aws_secret_access_key=aws_secret_access_key,
                aws_session_token=aws_session_token,
                max_attempts=max_attempts,
                retry_mode=retry_mode,
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                operation_timeout=operation_timeout,
                on_call=on_call,
                user_agent_extra=user_agent_extra,
            )
        except UnicodeEncodeError:
            raise _not_utf8(locals()) from None

    @property
    def region(self) -> str | None:
        """The region requests are signed for."""
        return self._core.region

    @property
    def endpoint_url(self) -> str | None:
        """The custom endpoint, or None for the AWS endpoint of the region."""
        return self._core.endpoint_url

    @property
    def connect_timeout(self) -> float | None:
        """Seconds allowed to establish a connection (default 60, as boto3); None: no limit."""
        return self._core.timeouts[0]

    @property
    def read_timeout(self) -> float | None:
        """Seconds allowed for the response to start after sending (default 60); None: no limit."""
        return self._core.timeouts[1]

    @property
    def operation_timeout(self) -> float | None:
        """Seconds allowed for a whole call, retries included (default None: no limit)."""
        return self._core.timeouts[2]

    def __reduce__(self) -> tuple[Any, ...]:
        config = dict(self._config)
        # The region as resolved here, so a worker with another environment signs the same way.
        if self.region is not None:
            config["region"] = self.region
        secret = [name for name in _SECRET_OPTIONS if name in config]
        if "endpoint_url" in config and self.endpoint_url != config["endpoint_url"]:
            secret.append("a password in endpoint_url")
        if secret and not config.get("picklable_credentials"):
            raise TypeError(
                f"{type(self).__name__} was created with {', '.join(secret)}, which are not pickled "
                "unless you opt in: create it with picklable_credentials=True to send them with the "
                "client, or let the workers find credentials themselves (environment, profile= or an "
                "instance role)"
            )
        return (_rebuild, (type(self), config))

    def __repr__(self) -> str:
        endpoint = f", endpoint_url={self.endpoint_url!r}" if self.endpoint_url else ""
        return f"{type(self).__name__}(region={self.region!r}{endpoint})"

    def _repr_html_(self) -> str:
        # Jupyter: region and endpoint, never credentials; loaded on first display.
        from eksy._display_html import client_html

        return client_html(self)


class SyncClientBase(_ClientBase):
    __slots__ = ()


class AsyncClientBase(_ClientBase):
    __slots__ = ()
