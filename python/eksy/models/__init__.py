"""Data types of the Amazon EKS API: frozen dataclasses and ``Literal`` enumerations.

EKS Auth's types are in :mod:`eksy.models.auth`.
"""

from eksy._generated.eks_inputs import *  # noqa: F403
from eksy._generated.eks_models import *  # noqa: F403
from eksy._generated.eks_models import __all__ as _models

__all__ = list(_models)
