"""Kubernetes access for EKS clusters: tokens, kubeconfig files, and a Kubernetes client.

    token = eksy.kube.get_token("prod", region="us-west-2")    # what `aws eks get-token` makes
    eksy.kube.update_kubeconfig("prod", region="us-west-2")    # what `aws eks update-kubeconfig` does
    api = eksy.kube.kubernetes_client("prod")                  # an official kubernetes ApiClient

Each name loads its module on first use: `eksy token` (kubectl's exec plugin) must stay cheap.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # `typing` costs milliseconds on paths that must start fast (eksy token)
if TYPE_CHECKING:
    from typing import Any

    from eksy.kube._client import kubernetes_client
    from eksy.kube._kubeconfig import KubeconfigError, KubeconfigResult, update_kubeconfig
    from eksy.kube._token import Token, async_get_token, get_token

_LAZY = {
    "Token": "eksy.kube._token",
    "get_token": "eksy.kube._token",
    "async_get_token": "eksy.kube._token",
    "update_kubeconfig": "eksy.kube._kubeconfig",
    "KubeconfigError": "eksy.kube._kubeconfig",
    "KubeconfigResult": "eksy.kube._kubeconfig",
    "kubernetes_client": "eksy.kube._client",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'eksy.kube' has no attribute {name!r}")


__all__ = [
    "KubeconfigError",
    "KubeconfigResult",
    "Token",
    "async_get_token",
    "get_token",
    "kubernetes_client",
    "update_kubeconfig",
]
