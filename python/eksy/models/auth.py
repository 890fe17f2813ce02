"""Data types of the Amazon EKS Auth API, each loaded the first time it is asked for."""

from __future__ import annotations

from eksy._generated import eksauth_models as _models

TYPE_CHECKING = False
if TYPE_CHECKING:
    from eksy._generated.eksauth_models import *  # noqa: F403

__all__ = list(_models.__all__)

if not TYPE_CHECKING:

    def __getattr__(name):
        if name not in _models._HOMES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_models, name)
        globals()[name] = value
        return value

    def __dir__():
        return sorted(set(globals()) | set(__all__))
