"""LocalEKS's controls for identities (STS, token checks) and the clusters' Kubernetes endpoints.

The emulator keeps a registry of credentials: access key id -> secret, account and IAM
principal. The default test credentials (``testing``/``testing``) are the IAM user
``arn:aws:iam::<account>:user/testing``. STS (``GetCallerIdentity``, ``AssumeRole``) answers
from the registry, and each cluster's Kubernetes endpoint accepts only tokens signed with a
registered key's secret. The EKS API itself stays permissive: any key works there.
"""

from __future__ import annotations

import base64
import os
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, cast

if TYPE_CHECKING:
    import kubernetes.client

    import eksy


@dataclass(frozen=True)
class Credentials:
    """Credentials the emulator knows; the secret and session token stay out of ``repr``."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    #: The IAM principal they authenticate as.
    arn: str = ""


class IdentityInfo(TypedDict):
    """An identity as the emulator lists it (never with its secret)."""

    access_key_id: str
    account_id: str
    arn: str
    user_id: str
    expires_at: float | None
    has_session_token: bool


class KubeEndpoint(TypedDict):
    """A Kubernetes endpoint being served."""

    account_id: str
    region: str
    cluster: str
    port: int


class _Controls(Protocol):
    @property
    def region(self) -> str: ...

    def control(self, command: str, args: Any = None) -> dict[str, Any]: ...

    def client(self, credentials: Credentials | None = None) -> eksy.EKS: ...


class KubeControls:
    """Mixed into :class:`LocalEKS`."""

    def add_identity(
        self: _Controls,
        arn: str,
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
    ) -> Credentials:
        """Registers an IAM user or role (``arn:aws:iam::ACCOUNT:user/NAME`` or ``:role/NAME``).

        Keys are generated unless given. Returns the credentials to sign with, e.g. for
        ``local.client(credentials=...)`` or ``eksy.kube.get_token(...)``.
        """
        args: dict[str, Any] = {"arn": arn}
        for key, value in (
            ("access_key_id", access_key_id),
            ("secret_access_key", secret_access_key),
            ("session_token", session_token),
        ):
            if value is not None:
                args[key] = value
        identity = self.control("add_identity", args)["identity"]
        return Credentials(
            access_key_id=identity["access_key_id"],
            secret_access_key=identity["secret_access_key"],
            session_token=session_token,
            arn=identity["arn"],
        )

    def identities(self: _Controls) -> list[IdentityInfo]:
        """Every registered identity, secrets left out (assumed roles included)."""
        return cast(list[IdentityInfo], self.control("identities")["identities"])

    def remove_identity(self: _Controls, access_key_id: str) -> None:
        """Forgets an identity: its tokens and STS calls are refused from now on."""
        self.control("remove_identity", {"access_key_id": access_key_id})

    def set_kube_settings(self: _Controls, *, token_max_age: float | None = None) -> dict[str, float]:
        """Settings of the Kubernetes endpoints; ``token_max_age`` is how old (emulator seconds)
        a token's signing date may be (EKS: 900). Returns them all."""
        args = {} if token_max_age is None else {"token_max_age": token_max_age}
        return cast(dict[str, float], self.control("set_kube_settings", args)["kube_settings"])

    def kube_endpoints(self: _Controls) -> list[KubeEndpoint]:
        """The Kubernetes endpoints being served (one per ACTIVE or UPDATING cluster)."""
        return cast(list[KubeEndpoint], self.control("kube_endpoints")["endpoints"])

    def cluster_ca(self: _Controls, cluster: str) -> str:
        """The PEM of a cluster's CA (the cluster must be ACTIVE or UPDATING)."""
        described = self.client().describe_cluster(name=cluster).cluster
        data = described.certificate_authority.data if described and described.certificate_authority else None
        if not data:
            raise ValueError(f"cluster {cluster!r} has no certificate authority yet (it is not ACTIVE)")
        return base64.b64decode(data).decode()

    def kubernetes_client(
        self: _Controls, cluster: str, *, credentials: Credentials | None = None
    ) -> kubernetes.client.ApiClient:
        """An official ``kubernetes`` client for the cluster's endpoint, trusting its CA, with a
        token for ``credentials`` (default: the test credentials), valid for 14 minutes.

        Needs the ``kubernetes`` package (``pip install 'eksy[kubernetes]'``).
        """
        import tempfile

        try:
            import kubernetes.client
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("LocalEKS.kubernetes_client needs: pip install 'eksy[kubernetes]'") from None
        from eksy.kube import get_token

        described = self.client().describe_cluster(name=cluster).cluster
        if described is None or not described.endpoint or described.certificate_authority is None:
            raise ValueError(f"cluster {cluster!r} has no Kubernetes endpoint yet (it is not ACTIVE)")
        creds = credentials or Credentials("testing", "testing")
        token = get_token(
            cluster,
            region=self.region,
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
            aws_session_token=creds.session_token,
        )
        with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as ca:
            ca.write(base64.b64decode(described.certificate_authority.data or "").decode())
        configuration = kubernetes.client.Configuration()
        configuration.host = described.endpoint
        configuration.ssl_ca_cert = ca.name
        configuration.api_key = {"authorization": token.token}
        configuration.api_key_prefix = {"authorization": "Bearer"}
        api = kubernetes.client.ApiClient(configuration)
        weakref.finalize(api, os.unlink, ca.name)
        return api
