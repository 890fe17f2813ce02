"""Type stubs of the Rust extension module (checked against it by stubtest in the test suite)."""

from collections.abc import Awaitable
from typing import Any, final

__all__ = [
    "ClientCore",
    "Emulator",
    "ResponseMetadata",
    "__version__",
    "_begin_shutdown",
    "_error_factories",
    "_kube_forget_assumed_roles",
    "_kube_token",
    "_kube_token_async",
    "_kube_token_cache_key",
]
__version__: str

def _begin_shutdown() -> None: ...

# The factories of eksy._errors Rust calls, with their parameter names (src/py_errors.rs).
def _error_factories() -> list[tuple[str, list[str]]]: ...

# eksy.kube tokens: (token, expires_at as epoch seconds, disk-cache key).
def _kube_forget_assumed_roles() -> None: ...
def _kube_token(
    cluster: str,
    *,
    region: str | None = None,
    profile: str | None = None,
    role_arn: str | None = None,
    role_session_name: str | None = None,
    external_id: str | None = None,
    endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
    _now: float | None = None,
) -> tuple[str, int, str]: ...
def _kube_token_async(
    cluster: str,
    *,
    region: str | None = None,
    profile: str | None = None,
    role_arn: str | None = None,
    role_session_name: str | None = None,
    external_id: str | None = None,
    endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
    _now: float | None = None,
) -> Awaitable[tuple[str, int, str]]: ...
def _kube_token_cache_key(
    cluster: str,
    *,
    region: str | None = None,
    profile: str | None = None,
    role_arn: str | None = None,
    role_session_name: str | None = None,
    external_id: str | None = None,
    endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
) -> str: ...

@final
class ClientCore:
    def __new__(
        cls,
        service: str,
        *,
        region: str | None = None,
        profile: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        max_attempts: int | None = None,
        retry_mode: str | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        operation_timeout: float | None = None,
        on_call: Any = None,
        user_agent_extra: str | None = None,
    ) -> ClientCore: ...
    @property
    def region(self) -> str | None: ...
    @property
    def endpoint_url(self) -> str | None: ...
    @property
    def service(self) -> str: ...
    @property
    def timeouts(self) -> tuple[float | None, float | None, float | None]: ...
    @staticmethod
    def _deadline_next_call(seconds: float | None) -> None: ...
    def _force_panic(self, stage: str) -> None: ...
    def call(self, op: int, args: tuple[Any, ...]) -> Any: ...
    def call_async(self, op: int, args: tuple[Any, ...]) -> Any: ...

@final
class ResponseMetadata:
    """A call's metadata: request id, HTTP status, attempts, duration, retry reasons."""

    def __new__(
        cls,
        service: str,
        operation: str,
        request_id: str | None,
        http_status: int | None,
        attempts: int,
        duration: float,
        retries: list[str],
    ) -> ResponseMetadata: ...
    @property
    def service(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def http_status(self) -> int | None: ...
    @property
    def attempts(self) -> int: ...
    @property
    def retry_attempts(self) -> int: ...
    @property
    def duration(self) -> float: ...
    @property
    def retries(self) -> tuple[str, ...]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Emulator:
    def __new__(
        cls,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        account_id: str | None = None,
        timings: dict[str, float] | None = None,
        state_file: str | None = None,
        strict: bool = False,
    ) -> Emulator: ...
    @property
    def endpoint_url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def control_token(self) -> str | None: ...
    def control(self, command: str, args_json: str) -> str: ...
    def stop(self) -> None: ...
