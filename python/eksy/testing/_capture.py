"""mock_eks: the whole process pointed at a LocalEKS for a scope, as moto's ``mock_aws`` does.

Inside the scope every client that reads the standard AWS configuration (boto3/botocore, eksy,
the AWS CLI and Terraform in a subprocess) sends EKS, EKS Auth and STS requests to the emulator,
signed with the test credentials, and nothing from the user's own AWS files or identity variables
is used, so no real account can be reached. On exit (also on error) the environment is exactly
as before.

Clients read the environment when they are created: a client created before the scope (say, at
module level) keeps its own endpoint and credentials. Scopes nest (the inner one restores the
outer's values); they change ``os.environ``, which is process-wide, so do not overlap scopes from
several threads.
"""

from __future__ import annotations

import functools
import inspect
import os
import shutil
import sys
import tempfile
import unittest
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar, cast, overload
from urllib.parse import urlsplit

from eksy.testing._local import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, LocalEKS

__all__ = ["CLEARED_VARIABLES", "ENDPOINT_VARIABLES", "EKSCapture", "mock_eks"]

_Target = TypeVar("_Target", bound=Callable[..., Any])

#: ``AWS_ENDPOINT_URL_<service id>``, the id upper-cased with spaces as underscores: the rule of
#: botocore, the AWS CLI, the Rust SDK (aws-config) and the other SDKs' shared configuration.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_EKS", "AWS_ENDPOINT_URL_EKS_AUTH", "AWS_ENDPOINT_URL_STS")

#: Removed for the scope: each could select the user's identity or another endpoint for the
#: emulated services, or conflict with a custom endpoint (FIPS and dual-stack endpoints cannot be
#: combined with one: the EKS rule set raises an error).
CLEARED_VARIABLES = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCOUNT_ID",
    "AWS_CREDENTIAL_FILE",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_STS_REGIONAL_ENDPOINTS",
)

_PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
_NO_PROXY_VARIABLES = ("NO_PROXY", "no_proxy")


def _environment_changes(local: LocalEKS, config_dir: str, environ: Mapping[str, str]) -> dict[str, str | None]:
    """The changes a scope makes to ``environ``: a value to set, or None to remove the variable."""
    changes: dict[str, str | None] = dict.fromkeys(CLEARED_VARIABLES)
    changes.update(dict.fromkeys(ENDPOINT_VARIABLES, local.endpoint_url))
    changes.update(
        {
            "AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": TEST_SECRET_ACCESS_KEY,
            "AWS_REGION": local.region,
            "AWS_DEFAULT_REGION": local.region,
            # Empty files: no profile, credential_process, SSO session or endpoint of the user's.
            "AWS_CONFIG_FILE": os.path.join(config_dir, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(config_dir, "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    # A proxy from the environment would be asked for 127.0.0.1 too; go around it.
    if any(environ.get(name) for name in _PROXY_VARIABLES):
        host = urlsplit(local.endpoint_url).hostname or "127.0.0.1"
        present = [name for name in _NO_PROXY_VARIABLES if environ.get(name)]
        for name in present or _NO_PROXY_VARIABLES:
            changes[name] = f"{environ[name]},{host}" if name in present else host
    return changes


class _Scope:
    """One entered scope: what it changed, to undo it in reverse."""

    def __init__(self, local: LocalEKS | None, options: Mapping[str, Any]) -> None:
        self._given = local
        self._options = options
        self._local: LocalEKS | None = None
        self._config_dir: str | None = None
        self._saved_environ: dict[str, str | None] = {}
        self._boto3_imported = False
        self._saved_boto3_session: Any = None

    def enter(self) -> LocalEKS:
        try:
            local = self._local = self._given if self._given is not None else LocalEKS(**self._options)
            self._config_dir = tempfile.mkdtemp(prefix="eksy-mock-eks-")
            for name in ("config", "credentials"):
                with open(os.path.join(self._config_dir, name), "w"):
                    pass
            changes = _environment_changes(local, self._config_dir, os.environ)
            self._saved_environ = {name: os.environ.get(name) for name in changes}
            _apply(changes)
            # boto3.client() uses one default session, which caches the credentials it found
            # first: the scope gets a new one, and the one from before comes back on exit.
            boto3: Any = sys.modules.get("boto3")
            if boto3 is not None:
                self._boto3_imported = True
                self._saved_boto3_session = boto3.DEFAULT_SESSION
                boto3.DEFAULT_SESSION = None
        except BaseException:
            self.exit()
            raise
        return local

    def exit(self) -> None:
        try:
            _apply(self._saved_environ)
            self._saved_environ = {}
            boto3: Any = sys.modules.get("boto3")
            if boto3 is not None:
                # Imported inside the scope: its session holds test credentials, so it goes too.
                boto3.DEFAULT_SESSION = self._saved_boto3_session if self._boto3_imported else None
        finally:
            if self._config_dir is not None:
                shutil.rmtree(self._config_dir, ignore_errors=True)
                self._config_dir = None
            local, self._local = self._local, None
            if local is not None and self._given is None:
                local.stop()


def _apply(changes: Mapping[str, str | None]) -> None:
    for name, value in changes.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


class EKSCapture:
    """What :func:`mock_eks` returns: a context manager (giving the :class:`LocalEKS`) and a decorator."""

    def __init__(self, local: LocalEKS | None, options: Mapping[str, Any]) -> None:
        self._local = local
        self._options = dict(options)
        self._entered: list[_Scope] = []

    def _scope(self) -> _Scope:
        return _Scope(self._local, self._options)

    def __enter__(self) -> LocalEKS:
        scope = self._scope()
        local = scope.enter()
        self._entered.append(scope)
        return local

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._entered.pop().exit()

    def __call__(self, target: _Target) -> _Target:
        """Decorates a function, an async function or a class (see :func:`mock_eks`)."""
        if isinstance(target, type):
            return cast(_Target, self._decorate_class(target))
        return self._decorate_function(target)

    def _decorate_function(self, function: _Target) -> _Target:
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                scope = self._scope()
                scope.enter()
                try:
                    return await function(*args, **kwargs)
                finally:
                    scope.exit()

            wrapper: Callable[..., Any] = run_async
        else:

            @functools.wraps(function)
            def run(*args: Any, **kwargs: Any) -> Any:
                scope = self._scope()
                scope.enter()
                try:
                    return function(*args, **kwargs)
                finally:
                    scope.exit()

            wrapper = run
        wrapper.__eksy_mock_eks__ = True  # type: ignore[attr-defined]
        return cast(_Target, wrapper)

    def _decorate_class(self, cls: type) -> type:
        if issubclass(cls, unittest.TestCase):
            # One scope from setUp to the last cleanup: setUp, the test and tearDown share it.
            original_set_up = cls.setUp

            @functools.wraps(original_set_up)
            def set_up(test: unittest.TestCase) -> None:
                scope = self._scope()
                scope.enter()
                test.addCleanup(scope.exit)
                original_set_up(test)

            cls.setUp = set_up  # type: ignore[method-assign,assignment]
            return cls
        # Other classes (pytest's): each method pytest collects runs in its own scope.
        for name in dir(cls):
            if not name.startswith("test"):
                continue
            attribute = inspect.getattr_static(cls, name)
            if isinstance(attribute, (staticmethod, classmethod)):
                function = attribute.__func__
                if inspect.isfunction(function) and not hasattr(function, "__eksy_mock_eks__"):
                    setattr(cls, name, type(attribute)(self._decorate_function(function)))
            elif inspect.isfunction(attribute) and not hasattr(attribute, "__eksy_mock_eks__"):
                setattr(cls, name, self._decorate_function(attribute))
        return cls


@overload
def mock_eks(target: _Target, /) -> _Target: ...


@overload
def mock_eks(
    local: LocalEKS | None = None,
    /,
    *,
    region: str | None = None,
    account_id: str | None = None,
    timings: Mapping[str, float] | None = None,
) -> EKSCapture: ...


def mock_eks(
    target: Any = None,
    /,
    *,
    region: str | None = None,
    account_id: str | None = None,
    timings: Mapping[str, float] | None = None,
) -> Any:
    """Points the whole process at a local EKS emulator for a scope.

    As a context manager it gives the :class:`LocalEKS`::

        with mock_eks() as local:
            boto3.client("eks").list_clusters()      # reaches ``local``

    As a decorator (``@mock_eks`` or ``@mock_eks(...)``) it wraps a function or an async function
    (one scope per call), or a class: on a ``unittest.TestCase`` one scope per test from ``setUp``
    to the last cleanup, on another class one per ``test*`` method.

    A new emulator (``region`` (default ``us-east-1``), ``account_id``, ``timings`` as for
    :class:`LocalEKS`) is started for each scope and stopped at its end, unless one is given:
    ``mock_eks(local)`` uses it and leaves it running.
    """
    options: dict[str, Any] = {"account_id": account_id, "timings": timings}
    if region is not None:
        options["region"] = region
    if callable(target):
        return EKSCapture(None, options)(target)
    if target is not None and not isinstance(target, LocalEKS):
        raise TypeError(f"mock_eks() takes a LocalEKS, a function or a class, not {type(target).__name__}")
    if target is not None and (region is not None or account_id is not None or timings is not None):
        raise TypeError("mock_eks(local) uses the given emulator's settings: pass no region, account_id or timings")
    return EKSCapture(target, options)
