"""Token tests: an environment that reads none of the user's AWS configuration, and the
reference URL botocore presigns for the request `aws eks get-token` builds."""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import botocore.session
import pytest
from eksy import _eksy
from eksy.testing import LocalEKS

# Fixed credentials: AWS's documentation example keys; the secret is distinctive so a test can
# look for it in error messages.
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEJr//////////wEaDEXAMPLE+session/token=="
# A frozen clock: 2025-12-02T08:00:00.75Z (the fraction must not reach the token).
NOW = 1764662400.75
TOKEN_PREFIX = "k8s-aws-v1."
EMULATOR_REGION = "us-west-2"
_URLSAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS_* variable from the outside, empty config files, no instance metadata, and a
    private cache directory; returns the directory holding the config files."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name in ("KUBERNETES_EXEC_INFO", "XDG_CACHE_HOME"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def url_of(token: str) -> str:
    """The presigned URL inside a token, checking the encoding on the way (base64url, unpadded)."""
    assert token.startswith(TOKEN_PREFIX)
    body = token[len(TOKEN_PREFIX) :]
    assert set(body) <= _URLSAFE, "not unpadded base64url"
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()


def cli_presigned_url(
    k8s_aws_id: str,
    *,
    region: str | None,
    now: float = NOW,
    access_key: str | None = ACCESS_KEY,
    secret_key: str | None = SECRET_KEY,
    session_token: str | None = None,
    endpoint_url: str | None = None,
    profile: str | None = None,
) -> str:
    """The URL `aws eks get-token` presigns (awscli/customizations/eks/get_token.py): an STS client
    of the session, the cluster moved from the call's parameters to the `x-k8s-aws-id` header
    before signing, `generate_presigned_url('get_caller_identity', ExpiresIn=60, HttpMethod='GET')`."""
    session = botocore.session.Session(profile=profile)
    kwargs: dict[str, Any] = {"region_name": region, "endpoint_url": endpoint_url}
    if access_key is not None:
        kwargs.update(aws_access_key_id=access_key, aws_secret_access_key=secret_key, aws_session_token=session_token)
    sts = session.create_client("sts", **kwargs)

    def retrieve_k8s_aws_id(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if "x-k8s-aws-id" in params:
            context["x-k8s-aws-id"] = params.pop("x-k8s-aws-id")

    def inject_k8s_aws_id_header(request: Any, **_: Any) -> None:
        if "x-k8s-aws-id" in request.context:
            request.headers["x-k8s-aws-id"] = request.context["x-k8s-aws-id"]

    sts.meta.events.register("provide-client-params.sts.GetCallerIdentity", retrieve_k8s_aws_id)
    sts.meta.events.register("before-sign.sts.GetCallerIdentity", inject_k8s_aws_id_header)
    frozen = dt.datetime.fromtimestamp(now, tz=dt.timezone.utc)
    with mock.patch("botocore.auth.get_current_datetime", return_value=frozen):
        url: str = sts.generate_presigned_url(
            "get_caller_identity", Params={"x-k8s-aws-id": k8s_aws_id}, ExpiresIn=60, HttpMethod="GET"
        )
    return url


@pytest.fixture(scope="module")
def token_emulator() -> Iterator[LocalEKS]:
    with LocalEKS(region=EMULATOR_REGION) as local:
        yield local


@pytest.fixture
def token_local(token_emulator: LocalEKS) -> LocalEKS:
    """The module's emulator, reset, with immediate lifecycles (tokens age on its clock, so tests
    do not advance it to make clusters ACTIVE)."""
    token_emulator.reset()
    # The reset forgot the roles the emulator issued; so must this process.
    _eksy._kube_forget_assumed_roles()
    token_emulator.set_timings(all=0)
    return token_emulator
