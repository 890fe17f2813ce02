"""eksy.kube.get_token against the AWS CLI's recipe: with fixed credentials and a frozen clock
the token's URL is byte for byte the one botocore presigns; plus the Token type, the async
twin, errors, and what importing it costs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import eksy
import pytest
from eksy.kube import Token, async_get_token, get_token
from kube.conftest import ACCESS_KEY, NOW, SECRET_KEY, SESSION_TOKEN, cli_presigned_url, url_of

pytestmark = pytest.mark.usefixtures("token_env")

KEYS = {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY}
# Regional endpoints in the aws, aws-cn and aws-us-gov partitions, legacy regions and not.
REGIONS = ["us-west-2", "us-east-1", "eu-central-1", "ap-southeast-5", "cn-north-1", "us-gov-west-1"]


def url(cluster: str = "prod", **kwargs: object) -> str:
    return url_of(get_token(cluster, _now=NOW, **kwargs).token)  # type: ignore[arg-type]


@pytest.mark.parametrize("session_token", [None, SESSION_TOKEN], ids=["long-term", "session"])
@pytest.mark.parametrize("region", REGIONS)
def test_url_is_the_cli_url(region: str, session_token: str | None) -> None:
    ours = url(region=region, aws_session_token=session_token, **KEYS)
    assert ours == cli_presigned_url("prod", region=region, session_token=session_token)
    # What the issue asks for, spelled out (the comparison above already covers it).
    assert "Action=GetCallerIdentity&Version=2011-06-15&" in ours
    assert "&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&" in ours
    assert ("X-Amz-Security-Token=" in ours) == (session_token is not None)


def test_cluster_id_goes_in_the_header() -> None:
    cluster_id = "8a3b6c1e-5f2d-4c7a-9e0b-1d2c3b4a5f6e"
    token = get_token(cluster_id=cluster_id, region="us-west-2", _now=NOW, **KEYS)
    assert url_of(token.token) == cli_presigned_url(cluster_id, region="us-west-2")
    # The header is signed, so a token names exactly one cluster.
    assert url_of(token.token) != url("other", region="us-west-2", **KEYS)


@pytest.mark.parametrize(
    ("setting", "region", "host"),
    [
        ("legacy", "us-west-2", "sts.amazonaws.com"),  # a legacy region: the global endpoint
        ("legacy", "eu-west-1", "sts.amazonaws.com"),
        ("legacy", "ap-southeast-5", "sts.ap-southeast-5.amazonaws.com"),  # not a legacy region
        ("legacy", "cn-north-1", "sts.cn-north-1.amazonaws.com.cn"),
        ("regional", "us-west-2", "sts.us-west-2.amazonaws.com"),
        ("", "us-east-1", "sts.us-east-1.amazonaws.com"),
    ],
)
def test_sts_regional_endpoints(monkeypatch: pytest.MonkeyPatch, setting: str, region: str, host: str) -> None:
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", setting)
    ours = url(region=region, **KEYS)
    assert ours == cli_presigned_url("prod", region=region)
    assert ours.startswith(f"https://{host}/?")
    if host == "sts.amazonaws.com":
        assert "%2Fus-east-1%2Fsts%2F" in ours  # the global endpoint is signed for us-east-1


def test_sts_regional_endpoints_from_the_profile(token_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (token_env / "aws-config").write_text("[default]\nsts_regional_endpoints = legacy\n")
    assert url(region="us-west-2", **KEYS) == cli_presigned_url("prod", region="us-west-2")
    assert url(region="us-west-2", **KEYS).startswith("https://sts.amazonaws.com/?")


def test_an_invalid_sts_regional_endpoints_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", "nearest")
    with pytest.raises(eksy.ClientSideError, match="'legacy' or 'regional'") as caught:
        get_token("prod", region="us-west-2", **KEYS)
    assert SECRET_KEY not in str(caught.value)


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"])
@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:4566", "https://sts.internal.example:8443", "http://localhost"])
def test_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch, variable: str, endpoint: str) -> None:
    monkeypatch.setenv(variable, endpoint)
    ours = url(region="eu-west-1", aws_session_token=SESSION_TOKEN, **KEYS)
    assert ours == cli_presigned_url("prod", region="eu-west-1", session_token=SESSION_TOKEN)
    assert ours.startswith(endpoint + "/?Action=")


def test_endpoint_url_argument_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1111")
    ours = url(region="us-west-2", endpoint_url="http://127.0.0.1:2222", **KEYS)
    assert ours == cli_presigned_url("prod", region="us-west-2", endpoint_url="http://127.0.0.1:2222")


def test_an_sts_endpoint_with_a_path_is_kept_as_botocore_keeps_it() -> None:
    endpoint = "https://proxy.example/sts"
    ours = url(region="us-west-2", endpoint_url=endpoint, **KEYS)
    assert ours == cli_presigned_url("prod", region="us-west-2", endpoint_url=endpoint)


def test_fips_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    ours = url(region="us-east-2", **KEYS)
    assert ours == cli_presigned_url("prod", region="us-east-2")
    assert ours.startswith("https://sts-fips.us-east-2.amazonaws.com/?")


def test_credentials_and_region_from_a_profile(token_env: Path) -> None:
    (token_env / "aws-credentials").write_text(
        f"[team]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        f"aws_session_token = {SESSION_TOKEN}\n"
    )
    (token_env / "aws-config").write_text("[profile team]\nregion = ap-northeast-1\n")
    ours = url(profile="team")
    assert ours == cli_presigned_url("prod", region=None, access_key=None, profile="team")
    assert "%2Fap-northeast-1%2Fsts%2F" in ours


def test_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    monkeypatch.setenv("AWS_REGION", "sa-east-1")
    assert url() == cli_presigned_url("prod", region="sa-east-1", session_token=SESSION_TOKEN)


def test_expires_at_is_issue_time_plus_14_minutes() -> None:
    token = get_token("prod", region="us-west-2", _now=NOW, **KEYS)
    issued = dt.datetime(2025, 12, 2, 8, 0, 0, tzinfo=dt.timezone.utc)
    assert dt.datetime.fromtimestamp(int(NOW), tz=dt.timezone.utc) == issued
    assert token.expires_at == issued + dt.timedelta(minutes=14)
    assert token.expires_at.tzinfo is not None and token.expires_at.utcoffset() == dt.timedelta(0)
    assert "X-Amz-Date=20251202T080000Z" in url_of(token.token)


def test_the_real_clock() -> None:
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    token = get_token("prod", region="us-west-2", **KEYS)
    after = dt.datetime.now(dt.timezone.utc)
    assert before + dt.timedelta(minutes=14) <= token.expires_at <= after + dt.timedelta(minutes=14)


def test_token_is_frozen_and_its_repr_hides_the_token() -> None:
    token = get_token("prod", region="us-west-2", aws_session_token=SESSION_TOKEN, **KEYS)
    shown = repr(token) + str(token) + repr([token]) + f"{token}"
    assert token.token not in shown and token.token[11:40] not in shown
    assert "<redacted>" in shown and repr(token.expires_at) in shown
    with pytest.raises(dataclasses.FrozenInstanceError):
        token.token = "x"  # type: ignore[misc]
    assert token == Token(token=token.token, expires_at=token.expires_at)


async def test_async_twin_makes_the_same_token() -> None:
    sync = get_token("prod", region="us-west-2", aws_session_token=SESSION_TOKEN, _now=NOW, **KEYS)
    made = await async_get_token("prod", region="us-west-2", aws_session_token=SESSION_TOKEN, _now=NOW, **KEYS)
    assert made == sync
    with pytest.raises(eksy.NoRegionError):
        await async_get_token("prod", **KEYS)


async def test_the_sync_function_works_inside_a_running_event_loop() -> None:
    # A notebook cell runs inside a loop: the sync call must not need (or block) that loop.
    token = get_token("prod", region="us-west-2", _now=NOW, **KEYS)
    assert url_of(token.token) == cli_presigned_url("prod", region="us-west-2")


def test_concurrent_calls_from_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    clusters = [f"c{i}" for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda c: get_token(c, region="us-west-2", _now=NOW, **KEYS), clusters))
    for cluster, token in zip(clusters, tokens, strict=True):
        assert url_of(token.token) == cli_presigned_url(cluster, region="us-west-2")


def test_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(eksy.NoCredentialsError, match="No AWS credentials"):
        get_token("prod", region="us-west-2")


def test_no_credentials_says_why() -> None:
    # The provider chain's reason: what it tried and why each provider had nothing.
    with pytest.raises(eksy.NoCredentialsError, match=r"The provider said: (.|\n)*Environment") as caught:
        get_token("prod", region="us-west-2", profile="nope")
    assert "IMDS disabled" in str(caught.value)


def test_no_region() -> None:
    with pytest.raises(eksy.NoRegionError):
        get_token("prod", **KEYS)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({}, "cluster_name"),
        ({"cluster_name": "prod", "cluster_id": "abc"}, "cluster_id"),
        ({"cluster_name": ""}, "cluster_name"),
        ({"cluster_name": "two words"}, "cluster_name"),
        ({"cluster_id": "line\nbreak"}, "cluster_id"),
        ({"cluster_name": "prod", "aws_access_key_id": ACCESS_KEY}, "aws_secret_access_key"),
        ({"cluster_name": "prod", "aws_secret_access_key": SECRET_KEY}, "aws_access_key_id"),
        ({"cluster_name": "prod", "aws_session_token": SESSION_TOKEN}, "aws_session_token"),
        ({"cluster_name": "prod", "external_id": "x"}, "external_id"),
        ({"cluster_name": "prod", "role_session_name": "x"}, "role_session_name"),
        ({"cluster_name": "prod", "endpoint_url": "ftp://sts.example", **KEYS}, "endpoint_url"),
        ({"cluster_name": "prod", "endpoint_url": "https://sts.example/?x=1", **KEYS}, "endpoint_url"),
    ],
)
def test_invalid_parameters(kwargs: dict[str, str], path: str) -> None:
    with pytest.raises(eksy.ParamValidationError) as caught:
        get_token(region="us-west-2", **kwargs)  # type: ignore[arg-type]
    assert caught.value.path == path
    assert SECRET_KEY not in str(caught.value) and SESSION_TOKEN not in str(caught.value)


def test_an_unreachable_sts_for_assume_role_names_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(eksy.EndpointConnectionError) as caught:
        get_token(
            "prod",
            region="us-west-2",
            role_arn="arn:aws:iam::123456789012:role/eks-admin",
            endpoint_url="http://127.0.0.1:9",  # discard port: nothing listens
            aws_session_token=SESSION_TOKEN,
            **KEYS,
        )
    text = str(caught.value) + repr(caught.value) + repr(caught.value.args)
    assert "AssumeRole" in text
    for secret in (SECRET_KEY, SESSION_TOKEN):
        assert secret not in text


def test_import_is_cheap() -> None:
    code = (
        "import sys, eksy.kube\n"
        "eksy.kube.get_token, eksy.kube.Token, eksy.kube.async_get_token\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = set(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "eksy.kube._token" in loaded
    for heavy in ("asyncio", "eksy.models", "eksy._model_base", "eksy._client_base", "eksy._generated.eks_client"):
        assert heavy not in loaded, heavy
