"""eksy: typed sync and async clients for Amazon EKS on the AWS Rust SDK, with a local emulator.

import eksy
eks = eksy.EKS(region="us-west-2")
cluster = eks.describe_cluster(name="prod").cluster
"""

from __future__ import annotations

# The native core loads with the package, as in any extension package: every client needs it.
from eksy import _eksy
from eksy._errors import (
    ClientSideError,
    EksError,
    EndpointConnectionError,
    InternalError,
    NoCredentialsError,
    NoRegionError,
    PaginationError,
    ParamValidationError,
    RequestTimeoutError,
    ResponseParseError,
    ServiceError,
    WaiterError,
    WaiterTimeoutError,
)
from eksy._generated.errors import *  # noqa: F403
from eksy._generated.errors import __all__ as _service_errors

TYPE_CHECKING = False  # `typing` costs milliseconds on paths that must start fast (eksy token)
if TYPE_CHECKING:
    from typing import Any

    from eksy import models
    from eksy._generated.eks_async_client import AsyncEKS
    from eksy._generated.eks_client import EKS
    from eksy._generated.eksauth_async_client import AsyncEKSAuth
    from eksy._generated.eksauth_client import EKSAuth
    from eksy._observe import CallRecord
    from eksy._paginate import AsyncPaginator, Paginator
    from eksy._rows import to_rows
    from eksy.progress import PageProgress, WaitProgress

# Written once, in Cargo.toml: the extension is built with it and maturin puts it in the metadata.
__version__: str = _eksy.__version__

# What every response's (and a failed call's exception's) `metadata` holds.
ResponseMetadata = _eksy.ResponseMetadata

# Clients, models, paginators and waiters load on first use, which keeps `import eksy` cheap
# (waiters need asyncio, which alone costs more than the rest of the package).
_LAZY = {
    "WaitProgress": "eksy.progress",
    "PageProgress": "eksy.progress",
    "Paginator": "eksy._paginate",
    "AsyncPaginator": "eksy._paginate",
    "EKS": "eksy._generated.eks_client",
    "AsyncEKS": "eksy._generated.eks_async_client",
    "EKSAuth": "eksy._generated.eksauth_client",
    "AsyncEKSAuth": "eksy._generated.eksauth_async_client",
    "to_rows": "eksy._rows",
    "CallRecord": "eksy._observe",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        # __import__ with a fromlist returns the module itself; importlib would add ~0.7 ms.
        value = getattr(__import__(_LAZY[name], fromlist=["__name__"]), name)
        globals()[name] = value
        return value
    if name in ("models", "progress", "testing"):
        module = __import__(f"eksy.{name}", fromlist=["__name__"])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'eksy' has no attribute {name!r}")


__all__ = [
    "EKS",
    "AsyncEKS",
    "EKSAuth",
    "AsyncEKSAuth",
    "EksError",
    "ServiceError",
    "ClientSideError",
    "ParamValidationError",
    "NoRegionError",
    "NoCredentialsError",
    "EndpointConnectionError",
    "RequestTimeoutError",
    "ResponseParseError",
    "InternalError",
    "WaiterError",
    "WaiterTimeoutError",
    "PaginationError",
    "Paginator",
    "AsyncPaginator",
    "WaitProgress",
    "PageProgress",
    "to_rows",
    "ResponseMetadata",
    "CallRecord",
    "models",
    *_service_errors,
]
