"""`kubernetes_client`: the official Kubernetes client for an EKS cluster, with tokens that never go stale.

The official client's exec-plugin support does not renew tokens reliably (kubernetes-client/python
#741: calls fail after 15 minutes). Here the ApiClient holds no plugin and no kubeconfig: its
bearer token comes from `get_token` in this process, is renewed before it expires, and a 401
answer (the server thinks the token is too old: clock skew, a shorter accepted age) gets one retry
with a fresh token.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import tempfile
import threading
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from eksy.kube._kubeconfig_file import KubeconfigError

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

    from eksy.kube._token import Token

__all__ = ["kubernetes_client"]

# A token is renewed this long before its `expires_at` (itself a minute before EKS stops accepting
# it), so a request that starts just before never carries a token that expires in flight.
RENEW_BEFORE_EXPIRY = timedelta(seconds=60)

_INSTALL_HINT = (
    "eksy.kube.kubernetes_client returns the official Kubernetes client, which is not installed: "
    "pip install 'eksy[kubernetes]'"
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def kubernetes_client(
    cluster_name: str,
    *,
    region: str | None = None,
    profile: str | None = None,
    role_arn: str | None = None,
    role_session_name: str | None = None,
    external_id: str | None = None,
    endpoint_url: str | None = None,
    sts_endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
) -> ApiClient:
    """An official ``kubernetes.client.ApiClient`` for an EKS cluster, ready to use with any API
    class (``kubernetes.client.CoreV1Api(api)``, ...).

    The API server's endpoint and CA come from describe_cluster; TLS is verified against that CA.
    Requests carry a bearer token from :func:`eksy.kube.get_token` (the same credentials chain
    and options), renewed a minute before it expires; a request answered 401 is retried once with
    a fresh token. No subprocess, no kubeconfig file.

    Args:
        cluster_name: The EKS cluster (ACTIVE or UPDATING).
        region: Its region (default: the environment's or the profile's).
        profile: AWS profile for describe_cluster and the tokens.
        role_arn: A role to assume for the tokens (as ``eksy token --role-arn``).
        role_session_name: Session name for ``role_arn``.
        external_id: External id for ``role_arn``.
        endpoint_url: EKS endpoint for describe_cluster (e.g. a ``LocalEKS`` emulator).
        sts_endpoint_url: STS endpoint for the tokens (``get_token``'s ``endpoint_url``).
        aws_access_key_id, aws_secret_access_key, aws_session_token: Explicit credentials.

    Raises:
        ImportError: the ``kubernetes`` package is missing (``pip install 'eksy[kubernetes]'``).
        KubeconfigError: the cluster is not ACTIVE or UPDATING, or has no usable CA.
        eksy.ServiceError: describe_cluster failed.
    """
    try:
        import kubernetes.client
    except ImportError as error:
        raise ImportError(_INSTALL_HINT, name="kubernetes") from error

    import eksy
    from eksy.kube._kubeconfig import describe_ready_cluster
    from eksy.kube._token import get_token

    eks = eksy.EKS(
        region=region,
        profile=profile,
        endpoint_url=endpoint_url,
        aws_access_key_id=aws_access_key_id,
        aws_secret_access_key=aws_secret_access_key,
        aws_session_token=aws_session_token,
    )
    cluster = describe_ready_cluster(eks, cluster_name)
    arn = cluster.arn or ""
    cluster_region = arn.split(":")[3] if arn.count(":") >= 5 else eks.region
    ca_pem = _ca_pem(cluster_name, cluster.certificate_authority.data if cluster.certificate_authority else None)

    # Local clusters on Outposts are named by their id in tokens, as the AWS CLI does.
    on_outposts = cluster.outpost_config is not None and bool(cluster.id)
    tokens = TokenSource(
        functools.partial(
            get_token,
            None if on_outposts else cluster_name,
            cluster_id=cluster.id if on_outposts else None,
            region=cluster_region,
            profile=profile,
            role_arn=role_arn,
            role_session_name=role_session_name,
            external_id=external_id,
            endpoint_url=sts_endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
        )
    )

    # Any: the client's classes are typed differently (or not at all) across supported versions.
    configuration: Any = kubernetes.client.Configuration()
    configuration.host = cluster.endpoint
    configuration.verify_ssl = True
    ca_file = _trust(configuration, ca_pem)
    configuration.api_key = {"authorization": tokens.current()}
    configuration.api_key_prefix = {"authorization": "Bearer"}
    configuration.refresh_api_key_hook = tokens.refresh_hook

    api = kubernetes.client.ApiClient(configuration)
    _retry_once_on_401(api, tokens)
    if ca_file is not None:
        weakref.finalize(api, _remove, ca_file)
    return api


class TokenSource:
    """The current token of one client: minted on first use, renewed near expiry or on demand.

    Shared by the client's threads: one renewal at a time, and a renewal asked for because of a
    401 is skipped if another thread has renewed since that request's token was read.
    """

    def __init__(self, mint: Callable[[], Token]) -> None:
        self._mint = mint
        self._lock = threading.Lock()
        self._token: Token | None = None

    def __repr__(self) -> str:
        expires = self._token.expires_at.isoformat() if self._token else None
        return f"TokenSource(expires_at={expires!r})"

    def current(self) -> str:
        """The token to send now; renewed first when it expires within RENEW_BEFORE_EXPIRY."""
        with self._lock:
            token = self._token
            if token is None or _now() >= token.expires_at - RENEW_BEFORE_EXPIRY:
                token = self._token = self._mint()
            return token.token

    def renew(self, rejected: str | None) -> str:
        """A fresh token after the server rejected ``rejected`` (unless already replaced)."""
        with self._lock:
            if self._token is None or rejected is None or self._token.token == rejected:
                self._token = self._mint()
            return self._token.token

    def refresh_hook(self, configuration: Any) -> None:
        """For ``Configuration.refresh_api_key_hook``: runs before every request's auth header."""
        configuration.api_key["authorization"] = self.current()


def _retry_once_on_401(api: Any, tokens: TokenSource) -> None:
    """Wraps the client's HTTP layer so a 401 is retried once with a fresh token.

    The REST layer is the one place every request goes through in all supported versions of the
    official client (older ones raise ApiException there, newer ones return the response).
    """
    from kubernetes.client.exceptions import ApiException

    rest = api.rest_client
    send: Callable[..., Any] = rest.request

    def request(*args: Any, **kwargs: Any) -> Any:
        headers = kwargs.get("headers")
        rejected = _bearer(headers)
        try:
            response = send(*args, **kwargs)
        except ApiException as error:
            if error.status != 401 or rejected is None:
                raise
        else:
            if getattr(response, "status", None) != 401 or rejected is None:
                return response
            _release(response)
        assert isinstance(headers, dict)
        for name in [name for name in headers if name.lower() == "authorization"]:
            headers[name] = f"Bearer {tokens.renew(rejected)}"
        return send(*args, **kwargs)

    rest.request = request


def _bearer(headers: Any) -> str | None:
    if not isinstance(headers, dict):
        return None
    for name, value in headers.items():
        if name.lower() == "authorization" and isinstance(value, str) and value.startswith("Bearer "):
            return value[len("Bearer ") :]
    return None


def _release(response: Any) -> None:
    # Give the 401's connection back to the pool before the retry opens another.
    raw = getattr(response, "response", None) or getattr(response, "urllib3_response", None)
    release = getattr(raw, "release_conn", None)
    if callable(release):
        release()


def _ca_pem(cluster_name: str, data: str | None) -> str:
    if not data:
        raise KubeconfigError(f"cluster {cluster_name!r} has no certificate authority data to verify its API server")
    try:
        pem = base64.b64decode(data, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise KubeconfigError(f"cluster {cluster_name!r}: its certificateAuthority.data is not base64 PEM") from None
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise KubeconfigError(f"cluster {cluster_name!r}: its certificateAuthority.data holds no PEM certificate")
    return pem


def _trust(configuration: Any, ca_pem: str) -> str | None:
    """Makes the client verify the server against ``ca_pem``; returns a file to remove later, if any.

    Newer clients (35+) take the PEM itself; older ones only a file path: a private temporary
    file (0600, created exclusively), which lives as long as the client.
    """
    if hasattr(configuration, "ca_cert_data"):
        configuration.ca_cert_data = ca_pem
        return None
    fd, path = tempfile.mkstemp(prefix="eksy-cluster-ca-", suffix=".pem")
    with os.fdopen(fd, "w", encoding="ascii") as stream:
        stream.write(ca_pem)
    configuration.ssl_ca_cert = path
    return path


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
