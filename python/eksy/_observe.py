"""Observing calls: ``on_call`` hooks, the ``eksy`` loggers and OpenTelemetry spans.

The Rust core imports this module only when a call has an observer: a client with ``on_call``
hooks, an ``eksy.<service>`` logger enabled for INFO, or an application that imported
``opentelemetry.trace`` (eksy never imports it). Without them a call costs nothing here. Like the
models, this module avoids ``typing`` and ``dataclasses`` at run time: both would add
milliseconds to a first call.

What is observed never holds a secret, a token or a body: operation, parameter *names*, HTTP
status, error code, duration, attempts, request id, and retry reasons (codes and statuses).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import Any

    from eksy._eksy import ResponseMetadata

    Hook = Callable[["CallRecord"], object]

__all__ = ["CallRecord"]

# rpc.service, as botocore's service id (what opentelemetry-instrumentation-botocore reports).
_SERVICE_IDS = {"eks": "EKS", "eks-auth": "EKS Auth"}
_DEBUG = 10
_INFO = 20


class CallRecord:
    """One finished call, as ``on_call`` hooks receive it (immutable).

    Attributes:
        service: ``"eks"`` or ``"eks-auth"``.
        operation: The model's operation name, e.g. ``"DescribeCluster"``.
        parameters: The names of the parameters given (not None), never their values.
        status: The HTTP status of the last answer, or None if none came.
        duration: Seconds the call took, retries included.
        attempts: Attempts made (1 when the first one answered).
        request_id: The service's request id of the last answer, if any.
        error_code: The service's error code (``ServiceError.code``) of a failed call.
        error: The exception class name of a failed call (``"ThrottlingException"``,
            ``"RequestTimeoutError"``); None on success.
    """

    __slots__ = (
        "attempts",
        "duration",
        "error",
        "error_code",
        "operation",
        "parameters",
        "request_id",
        "service",
        "status",
    )

    _order = (
        "service",
        "operation",
        "parameters",
        "status",
        "duration",
        "attempts",
        "request_id",
        "error_code",
        "error",
    )

    service: str
    operation: str
    parameters: tuple[str, ...]
    status: int | None
    duration: float
    attempts: int
    request_id: str | None
    error_code: str | None
    error: str | None

    def __init__(
        self,
        service: str,
        operation: str,
        parameters: tuple[str, ...],
        status: int | None,
        duration: float,
        attempts: int,
        request_id: str | None,
        error_code: str | None,
        error: str | None,
    ) -> None:
        values = (service, operation, parameters, status, duration, attempts, request_id, error_code, error)
        for name, value in zip(self._order, values, strict=True):
            object.__setattr__(self, name, value)

    @property
    def succeeded(self) -> bool:
        return self.error is None

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._order)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CallRecord is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"CallRecord is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CallRecord) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[object, ...]:
        return (CallRecord, self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._order)
        return f"CallRecord({shown})"


def begin(
    service: str,
    operation: str,
    region: str | None,
    parameters: tuple[str, ...],
    hooks: tuple[Hook, ...] | None,
    logger: Any,
    tracing: bool,
) -> _Observation:
    """Called by the Rust core as a call starts; the span (if any) starts here, as a child of
    the caller's current context (an async caller's task context: this runs in the coroutine)."""
    span = _start_span(service, operation, region) if tracing else None
    return _Observation(service, operation, parameters, hooks, logger, span)


class _Observation:
    __slots__ = ("hooks", "logger", "operation", "parameters", "service", "span")

    def __init__(
        self,
        service: str,
        operation: str,
        parameters: tuple[str, ...],
        hooks: tuple[Hook, ...] | None,
        logger: Any,
        span: Any,
    ) -> None:
        self.service = service
        self.operation = operation
        self.parameters = parameters
        self.hooks = hooks
        self.logger = logger
        self.span = span

    def finish(self, response: object, error: BaseException | None, metadata: ResponseMetadata | None) -> None:
        """Logs, ends the span and runs the hooks; never raises (a failure is reported)."""
        code = getattr(error, "code", None) if error is not None else None
        code = code if isinstance(code, str) else None
        kind = type(error).__name__ if error is not None else None
        for step in (self._log, self._end_span):
            try:
                step(error, code, kind, metadata)
            except Exception as failure:  # observing must never break the call
                _report(f"eksy could not {step.__name__.strip('_').replace('_', ' ')}", failure)
        if self.hooks:
            record = CallRecord(
                self.service,
                self.operation,
                self.parameters,
                metadata.http_status if metadata else None,
                metadata.duration if metadata else 0.0,
                metadata.attempts if metadata else 0,
                metadata.request_id if metadata else None,
                code,
                kind,
            )
            for hook in self.hooks:
                try:
                    hook(record)
                except Exception as failure:
                    _report(f"eksy on_call hook {_name(hook)} raised; the call went on", failure)

    async def wrap(self, future: Awaitable[tuple[Any, ResponseMetadata]]) -> Any:
        """The async call: awaits the core's future (``(model, metadata)``), then finishes here, in
        the caller's task and thread."""
        try:
            model, metadata = await future
        except Exception as error:
            self.finish(None, error, getattr(error, "metadata", None))
            raise
        except BaseException as error:  # cancelled: the request was dropped
            self.finish(None, error, None)
            raise
        self.finish(model, None, metadata)
        return model

    def _log(self, error: BaseException | None, code: str | None, kind: str | None, metadata: Any) -> None:
        logger = self.logger
        if logger is None or metadata is None:
            return
        for attempt, reason in enumerate(metadata.retries, start=1):
            logger.info("%s: attempt %d failed with %s; retrying", self.operation, attempt, reason)
        if not logger.isEnabledFor(_DEBUG):
            return
        attempts = metadata.attempts
        plural = "attempt" if attempts == 1 else "attempts"
        status = f"HTTP {metadata.http_status}" if metadata.http_status is not None else "no answer"
        if error is None:
            outcome = status
        else:
            outcome = f"failed with {code or kind} ({status})"
        logger.debug(
            "%s: %s in %.1f ms, %d %s, request id %s",
            self.operation,
            outcome,
            metadata.duration * 1000,
            attempts,
            plural,
            metadata.request_id,
        )

    def _end_span(self, error: BaseException | None, code: str | None, kind: str | None, metadata: Any) -> None:
        span = self.span
        if span is None:
            return
        try:
            if span.is_recording():
                if metadata is not None:
                    if metadata.request_id is not None:
                        span.set_attribute("aws.request_id", metadata.request_id)
                    if metadata.http_status is not None:
                        span.set_attribute("http.response.status_code", metadata.http_status)
                    span.set_attribute("aws.attempts", metadata.attempts)
                if error is not None:
                    trace = sys.modules["opentelemetry.trace"]
                    span.set_attribute("error.type", code or kind or "error")
                    if isinstance(error, Exception):
                        span.record_exception(error)
                    span.set_status(trace.Status(trace.StatusCode.ERROR, code or kind))
        finally:
            span.end()


_TRACER: Any = None


def _start_span(service: str, operation: str, region: str | None) -> Any:
    global _TRACER
    trace = sys.modules["opentelemetry.trace"]
    if _TRACER is None:
        from eksy import __version__

        # A proxy of the global provider: one set later is used from then on.
        _TRACER = trace.get_tracer("eksy", __version__)
    service_id = _SERVICE_IDS.get(service, service)
    attributes = {"rpc.system": "aws-api", "rpc.service": service_id, "rpc.method": operation}
    if region:
        attributes["cloud.region"] = region
    return _TRACER.start_span(f"{service_id}.{operation}", kind=trace.SpanKind.CLIENT, attributes=attributes)


def _name(hook: object) -> str:
    return getattr(hook, "__qualname__", None) or repr(hook)


def _report(what: str, failure: Exception) -> None:
    """A warning (RuntimeWarning); if warnings are errors here, a log record instead."""
    message = f"{what}: {type(failure).__name__}: {failure}"
    try:
        import warnings

        warnings.warn(message, RuntimeWarning, stacklevel=4)
    except Exception:
        try:
            import logging

            logging.getLogger("eksy").error("%s", message)
        except Exception:
            pass
