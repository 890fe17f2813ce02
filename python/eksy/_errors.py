"""The exception hierarchy of eksy.

``EksError`` is the root. ``ServiceError`` and its generated subclasses (one per error shape of
the EKS and EKS Auth models) are answers from the service; ``ClientSideError`` and its
subclasses are failures detected before or instead of an answer. ``WaiterError`` (and its
``WaiterTimeoutError``) ends a wait, ``PaginationError`` a walk over pages. Every exception of
the clients, waiters and paginators is defined here or generated from ``ServiceError``
(eksy/_generated/errors.py). Only the standard library's basics are imported here: ``import
eksy`` loads this module.
"""

from __future__ import annotations

# Annotations only: typing would be most of what `import eksy` costs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

    from eksy._eksy import ResponseMetadata


def _restore(cls: type[EksError], args: tuple[Any, ...], state: dict[str, Any]) -> EksError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class EksError(Exception):
    """Base class of every exception eksy raises.

    ``metadata``: on an exception a call raised, that call's metadata (request id, HTTP status,
    attempts, duration, retry reasons); None on others (a waiter's, a paginator's).
    """

    metadata: ResponseMetadata | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, self.__dict__))

    # IPython and Jupyter (message, code, status, request id, fields); loaded on first display.
    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        from eksy._display import pretty_error

        pretty_error(self, printer, cycle)

    def _repr_html_(self) -> str:
        from eksy._display_html import error_html

        return error_html(self)


class ClientSideError(EksError):
    """A failure detected on this side: bad parameters, configuration, connection, timeout."""


class ParamValidationError(ClientSideError, ValueError):
    """A parameter has the wrong type, is missing, unknown, or outside the model's limits.

    Raised before anything is sent. ``path`` names the parameter, e.g. ``scaling_config.min_size``.
    """

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"Invalid parameter {path}: {message}" if path else message)
        self.path = path
        self.reason = message


class NoRegionError(ClientSideError):
    """No AWS region was given or found in the environment or profile."""


class NoCredentialsError(ClientSideError):
    """No AWS credentials could be found by the default provider chain."""


class EndpointConnectionError(ClientSideError, ConnectionError):
    """The endpoint could not be reached, or dropped the connection (refused, unreachable, DNS,
    TLS, closed without an answer)."""


class RequestTimeoutError(ClientSideError, TimeoutError):
    """The request did not complete within the configured connect, read or operation timeout."""


class ResponseParseError(ClientSideError):
    """The service answered with a success status, but its body could not be read.

    ``status_code`` and ``request_id`` are those of the answer, ``operation`` the call.
    """

    def __init__(
        self, message: str, *, operation: str, status_code: int | None = None, request_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.status_code = status_code
        self.request_id = request_id


class InternalError(ClientSideError):
    """eksy or the AWS SDK failed unexpectedly (a panic in the Rust core was caught).

    This is a bug: please report it with the message. The call was abandoned; the client stays
    usable.
    """


class ServiceError(EksError):
    """An error answer from the service.

    Attributes: ``code`` (e.g. ``ResourceNotFoundException``), ``message``, ``status_code``,
    ``request_id``, ``operation``, plus the members the model defines for the error
    (``cluster_name``, ``nodegroup_name``, ...). An error code the model does not know raises
    ``ServiceError`` itself with ``code`` set.
    """

    _fields: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.operation = operation
        values = fields or {}
        for wire_name, attribute in self._fields.items():
            setattr(self, attribute, values.get(wire_name))

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.operation,
                f"HTTP {self.status_code}" if self.status_code else "",
                f"request id {self.request_id}" if self.request_id else "",
            )
            if part
        )
        return f"{self.code}: {self.message}" + (f" ({where})" if where else "")


class WaiterError(EksError):
    """A waiter reached a failure state, or a poll failed with an error no acceptor expects.

    Attributes:
        waiter: The waiter's method name, e.g. ``"cluster_active"``.
        reason: Why the wait ended, e.g. ``"cluster.status is FAILED"``.
        status: The last observed status (or error code), if any.
        last_response: The typed response of the last poll (``None`` if it raised).
        last_error: The error of the last poll, if it raised.
        attempts: Polls made.
        elapsed: Seconds waited.
    """

    def __init__(
        self,
        message: str,
        *,
        waiter: str,
        reason: str,
        status: str | None = None,
        last_response: Any = None,
        last_error: BaseException | None = None,
        attempts: int = 0,
        elapsed: float = 0.0,
    ) -> None:
        super().__init__(message)
        self.waiter = waiter
        self.reason = reason
        self.status = status
        self.last_response = last_response
        self.last_error = last_error
        self.attempts = attempts
        self.elapsed = elapsed


class WaiterTimeoutError(WaiterError, TimeoutError):
    """The waiter's ``timeout`` or ``max_attempts`` ran out before a success or failure state.

    Carries the same attributes as :class:`WaiterError`; also a built-in ``TimeoutError``.
    """


class PaginationError(EksError):
    """The service broke pagination (it sent a token it had already sent), or a bad token."""

    def __init__(self, message: str, *, paginator: str, token: str | None = None) -> None:
        super().__init__(message)
        self.paginator = paginator
        self.token = token


_NO_CREDENTIALS_HELP = (
    "No AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, choose a profile "
    "(profile=... or AWS_PROFILE; run `aws sso login` for SSO profiles), or pass "
    "aws_access_key_id= and aws_secret_access_key= to the client."
)


# The generated ServiceError subclasses by error code. eksy/_generated/errors.py fills it as it
# loads (eksy/__init__.py imports it): those classes build on this module, so it cannot import them.
SERVICE_ERROR_CLASSES: dict[str, type[ServiceError]] = {}


def _param_error(path: str, message: str) -> ParamValidationError:
    return ParamValidationError(message, path=path)


def _no_region_error() -> NoRegionError:
    return NoRegionError(
        "No AWS region configured. Pass region='us-west-2' (for example) to the client, set "
        "AWS_REGION, or set `region` in your profile in ~/.aws/config."
    )


def _call_error(
    kind: str,
    operation: str,
    code: str | None,
    message: str,
    status: int | None,
    request_id: str | None,
    body: str | None,
) -> EksError:
    """Builds the exception for a failed call; called from Rust."""
    if kind == "service":
        fields: dict[str, Any] = {}
        if body:
            import json  # here, not at import: only failed calls parse a body

            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                fields = parsed
        if not message:
            message = str(fields.get("message") or fields.get("Message") or "")
        name = code or "Unknown"
        cls = SERVICE_ERROR_CLASSES.get(name, ServiceError)
        return cls(message, code=name, status_code=status, request_id=request_id, operation=operation, fields=fields)
    if kind == "deadline":
        return RequestTimeoutError(f"{operation}: {message}")
    if kind == "parse":
        return ResponseParseError(
            f"{operation}: the service answered HTTP {status} but its body could not be read ({message})",
            operation=operation,
            status_code=status,
            request_id=request_id,
        )
    if kind == "internal":
        return InternalError(f"{operation}: eksy failed unexpectedly, a bug to report: {message}")
    if kind == "no_credentials":
        # The provider's reason tells a missing profile from a failing credential_process.
        return NoCredentialsError(f"{operation}: {_NO_CREDENTIALS_HELP} The provider said: {message.strip()}")
    if kind == "connection":
        return EndpointConnectionError(
            f"{operation}: the connection to the endpoint failed ({message}). Check endpoint_url, the "
            "network, and that the service (or `eksy local`) is running."
        )
    if kind == "timeout":
        return RequestTimeoutError(
            f"{operation}: the request timed out ({message}). Raise connect_timeout, read_timeout or "
            "operation_timeout on the client, or check the network."
        )
    return ClientSideError(f"{operation}: {message}")
