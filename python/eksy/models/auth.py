"""Data types of the Amazon EKS Auth API."""

from eksy._generated.eksauth_models import *  # noqa: F403
from eksy._generated.eksauth_models import __all__ as _models

__all__ = list(_models)
