"""Data types of the Amazon EKS API: frozen dataclasses and ``Literal`` enumerations.

EKS Auth's types are in :mod:`eksy.models.auth`. Each type loads the first time it is asked for
(``eksy.models.Cluster``, ``from eksy.models import Cluster``), with the few types defined next to it.
"""

from __future__ import annotations

from eksy._generated import eks_models as _models

TYPE_CHECKING = False
if TYPE_CHECKING:
    from eksy._generated.eks_inputs import *  # noqa: F403
    from eksy._generated.eks_models import *  # noqa: F403

__all__ = list(_models.__all__)

if not TYPE_CHECKING:

    def __getattr__(name):
        if name in _models._HOMES:
            value = getattr(_models, name)
        elif name.endswith("Dict") and not name.startswith("_"):
            # The plain-dict input types (for type checkers) load only when asked for.
            from eksy._generated import eks_inputs

            value = getattr(eks_inputs, name, None)
            if value is None:
                raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value
        return value

    def __dir__():
        return sorted(set(globals()) | set(__all__))
