"""Kubernetes tokens for EKS clusters: what `aws eks get-token` makes, without the AWS CLI.

    token = eksy.kube.get_token("prod", region="us-west-2")
    headers = {"Authorization": f"Bearer {token.token}"}     # valid until token.expires_at

A token is a presigned STS ``GetCallerIdentity`` URL that EKS (aws-iam-authenticator) replays to
learn who is calling. It is signed in Rust (aws-sigv4) with the credentials the clients use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from eksy import _eksy
from eksy._errors import ParamValidationError


@dataclass(frozen=True, repr=False)
class Token:
    """A bearer token for a cluster's Kubernetes API and when clients should stop using it.

    ``expires_at`` is an aware UTC datetime: the issue time + 14 minutes (EKS accepts a token for
    15). The repr never shows ``token``.
    """

    token: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"Token(expires_at={self.expires_at!r}, token=<redacted>)"


def _cluster(cluster_name: str | None, cluster_id: str | None) -> str:
    if (cluster_name is None) == (cluster_id is None):
        raise ParamValidationError(
            "pass exactly one of cluster_name and cluster_id (the id only for local clusters on AWS Outposts)",
            path="cluster_id" if cluster_name is not None else "cluster_name",
        )
    path, value = ("cluster_name", cluster_name) if cluster_name is not None else ("cluster_id", cluster_id)
    if not isinstance(value, str) or not value or not value.isascii() or not value.isprintable() or " " in value:
        raise ParamValidationError("must be a non-empty string of printable ASCII without spaces", path=path)
    return value


def _check_keys(key: str | None, secret: str | None, session_token: str | None) -> None:
    if (key is None) != (secret is None):
        missing = "aws_secret_access_key" if secret is None else "aws_access_key_id"
        raise ParamValidationError("pass both aws_access_key_id and aws_secret_access_key, or neither", path=missing)
    if session_token is not None and key is None:
        raise ParamValidationError("needs aws_access_key_id and aws_secret_access_key", path="aws_session_token")


def _check_role(role_arn: str | None, role_session_name: str | None, external_id: str | None) -> None:
    if role_arn is None:
        for path, value in (("role_session_name", role_session_name), ("external_id", external_id)):
            if value is not None:
                raise ParamValidationError("only applies with role_arn", path=path)


def _token(result: tuple[str, int, str]) -> Token:
    token, expires_at, _cache_key = result
    return Token(token=token, expires_at=datetime.fromtimestamp(expires_at, tz=timezone.utc))


def get_token(
    cluster_name: str | None = None,
    *,
    region: str | None = None,
    profile: str | None = None,
    role_arn: str | None = None,
    role_session_name: str | None = None,
    external_id: str | None = None,
    cluster_id: str | None = None,
    endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
    _now: float | None = None,
) -> Token:
    """A token for the cluster's Kubernetes API, as ``aws eks get-token`` makes it.

    Args:
        cluster_name: The cluster's name (exactly one of this and ``cluster_id``).
        region: The cluster's region; else the environment or profile, as for the clients.
        profile: Named profile for credentials and region.
        role_arn: Assume this IAM role first (STS AssumeRole) and sign with its credentials. They
            are kept in this process and reused while they stay valid 15 more minutes.
        role_session_name: The role session's name (default ``EKSGetTokenAuth``, as the CLI).
        external_id: The external id the role's trust policy asks for.
        cluster_id: The cluster id, for local clusters on AWS Outposts.
        endpoint_url: A custom STS endpoint (else ``AWS_ENDPOINT_URL_STS`` / ``AWS_ENDPOINT_URL``,
            else the region's regional endpoint, or the global one for the legacy regions with
            ``AWS_STS_REGIONAL_ENDPOINTS=legacy``).
        aws_access_key_id: Explicit access key (with ``aws_secret_access_key``).
        aws_secret_access_key: Explicit secret key; never shown in reprs or errors.
        aws_session_token: Session token for temporary credentials.

    Raises ``ParamValidationError``, ``NoRegionError``, ``NoCredentialsError``, and
    ``ServiceError`` when STS refuses AssumeRole. Nothing is sent to STS without ``role_arn``.
    """
    cluster = _cluster(cluster_name, cluster_id)
    _check_keys(aws_access_key_id, aws_secret_access_key, aws_session_token)
    _check_role(role_arn, role_session_name, external_id)
    return _token(
        _eksy._kube_token(
            cluster,
            region=region,
            profile=profile,
            role_arn=role_arn,
            role_session_name=role_session_name,
            external_id=external_id,
            endpoint_url=endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            _now=_now,
        )
    )


async def async_get_token(
    cluster_name: str | None = None,
    *,
    region: str | None = None,
    profile: str | None = None,
    role_arn: str | None = None,
    role_session_name: str | None = None,
    external_id: str | None = None,
    cluster_id: str | None = None,
    endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
    _now: float | None = None,
) -> Token:
    """``get_token`` for asyncio: the same parameters and result; cancelling drops the work."""
    cluster = _cluster(cluster_name, cluster_id)
    _check_keys(aws_access_key_id, aws_secret_access_key, aws_session_token)
    _check_role(role_arn, role_session_name, external_id)
    result = await _eksy._kube_token_async(
        cluster,
        region=region,
        profile=profile,
        role_arn=role_arn,
        role_session_name=role_session_name,
        external_id=external_id,
        endpoint_url=endpoint_url,
        aws_access_key_id=aws_access_key_id,
        aws_secret_access_key=aws_secret_access_key,
        aws_session_token=aws_session_token,
        _now=_now,
    )
    return _token(result)


__all__ = ["Token", "async_get_token", "get_token"]
