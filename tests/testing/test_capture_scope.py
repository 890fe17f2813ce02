"""mock_eks's scope: what it sets and removes, restoring it all (on error too, nested, in
unittest), the user's own AWS files and boto3 session kept out, proxies, pytest-xdist."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

import app_under_test as app
import boto3
import eksy
import pytest
import test_capture_moto_style as moto_style
from capture_support import assert_environment_is
from eksy.testing import LocalEKS, mock_eks

ROOT = Path(__file__).resolve().parents[2]

OUTER = {
    "AWS_PROFILE": "outer-profile",
    "AWS_SESSION_TOKEN": "outer-session-token",
    "AWS_ENDPOINT_URL_EKS": "https://eks.outer.example",
    "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/outer",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/outer/token",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
    "AWS_USE_FIPS_ENDPOINT": "true",
    "AWS_DEFAULT_REGION": "ap-southeast-2",
}
ABSENT = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL_STS")


@pytest.fixture
def outer_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment with a user's identity in it, and some of the scope's keys absent."""
    for key, value in OUTER.items():
        monkeypatch.setenv(key, value)
    for key in ABSENT:
        monkeypatch.delenv(key, raising=False)
    return dict(os.environ)


def test_the_scope_sets_and_removes_then_restores_key_by_key(outer_environment: dict[str, str]) -> None:
    with mock_eks(region="us-west-2") as local:
        for key in ("AWS_ENDPOINT_URL_EKS", "AWS_ENDPOINT_URL_EKS_AUTH", "AWS_ENDPOINT_URL_STS"):
            assert os.environ[key] == local.endpoint_url
        assert (os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]) == ("testing", "testing")
        assert (os.environ["AWS_REGION"], os.environ["AWS_DEFAULT_REGION"]) == ("us-west-2", "us-west-2")
        assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
        for key in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            assert Path(os.environ[key]).read_text() == ""
        config_dir = Path(os.environ["AWS_CONFIG_FILE"]).parent
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
            assert key not in os.environ
        assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in os.environ
        assert "AWS_USE_FIPS_ENDPOINT" not in os.environ
        assert app.cluster_names_eksy() == []
    assert_environment_is(outer_environment)
    assert not config_dir.exists()
    assert not local.running


def test_restored_after_an_error_in_a_with_block(outer_environment: dict[str, str]) -> None:
    with pytest.raises(ZeroDivisionError), mock_eks() as local:
        app.create_cluster("doomed")
        _ = 1 / 0
    assert_environment_is(outer_environment)
    assert not local.running


def test_restored_after_an_error_in_a_decorated_function(outer_environment: dict[str, str]) -> None:
    @mock_eks
    def failing() -> None:
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        raise RuntimeError("code under test failed")

    with pytest.raises(RuntimeError, match="code under test failed"):
        failing()
    assert_environment_is(outer_environment)


async def test_restored_after_an_error_in_a_decorated_async_function(outer_environment: dict[str, str]) -> None:
    @mock_eks
    async def failing() -> None:
        await app.cluster_names_async()
        raise RuntimeError("async code under test failed")

    with pytest.raises(RuntimeError, match="async code under test failed"):
        await failing()
    assert_environment_is(outer_environment)


def test_moto_style_tests_called_directly_leave_the_environment_as_before(outer_environment: dict[str, str]) -> None:
    moto_style.test_decorated_function_reaches_the_emulator_from_boto3_and_eksy()
    assert_environment_is(outer_environment)
    moto_style.TestDecoratedClass().test_first()
    assert_environment_is(outer_environment)


def test_unittest_case_whose_set_up_fails_still_leaves_the_scope(outer_environment: dict[str, str]) -> None:
    @mock_eks
    class Failing(unittest.TestCase):
        def setUp(self) -> None:
            app.create_cluster("half-set-up")
            raise RuntimeError("setUp failed")

        def test_never_runs(self) -> None:
            raise AssertionError("unreachable")

    result = unittest.TextTestRunner(stream=io.StringIO()).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Failing)
    )
    assert len(result.errors) == 1 and "setUp failed" in result.errors[0][1]
    assert_environment_is(outer_environment)


def test_nested_scopes_restore_the_outer_ones_values() -> None:
    with mock_eks() as outer:
        app.create_cluster("outer")
        outer_endpoint = os.environ["AWS_ENDPOINT_URL_EKS"]
        eksy_before = eksy.EKS()
        boto3_before = boto3.client("eks")
        with mock_eks() as inner:
            assert inner.endpoint_url != outer.endpoint_url
            app.create_cluster("inner")
            assert app.cluster_names() == ["inner"]
            assert app.cluster_names_eksy() == ["inner"]
            # Clients read the configuration when they are built: those from before stay outside.
            assert eksy_before.list_clusters().clusters == ["outer"]
            assert boto3_before.list_clusters()["clusters"] == ["outer"]
            eksy_inside = eksy.EKS()
        assert os.environ["AWS_ENDPOINT_URL_EKS"] == outer_endpoint
        assert app.cluster_names() == ["outer"]
        assert app.cluster_names_eksy() == ["outer"]
        assert not inner.running
        assert outer.running
    assert not outer.running
    assert eksy_inside.region == "us-east-1"


def test_the_same_capture_object_nests() -> None:
    capture = mock_eks()
    with capture as first, capture as second:
        assert first is not second
        assert os.environ["AWS_ENDPOINT_URL_EKS"] == second.endpoint_url
    assert not first.running and not second.running


def test_a_given_emulator_is_used_and_left_running(local_eks: LocalEKS) -> None:
    with mock_eks(local_eks) as local:
        assert local is local_eks
        app.create_cluster("kept")

    @mock_eks(local_eks)
    def decorated() -> list[str]:
        return app.cluster_names()

    assert decorated() == ["kept"]
    assert decorated() == ["kept"]
    assert local_eks.running
    with pytest.raises(TypeError, match="given emulator's settings"):
        mock_eks(local_eks, region="eu-west-1")
    with pytest.raises(TypeError, match="takes a LocalEKS"):
        mock_eks("http://127.0.0.1:9566")  # type: ignore[call-overload]


def test_the_users_own_aws_files_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real-looking default profile and a profile whose credential_process leaves a mark."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    mark = tmp_path / "credential_process_ran"
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    process = f"{sys.executable} -c \"open({str(mark)!r}, 'w')\""
    (home / ".aws" / "config").write_text(
        f"[default]\nregion = eu-west-3\n\n[profile work]\nregion = sa-east-1\ncredential_process = {process}\n"
        "endpoint_url = https://eks.work.example\n"
    )
    monkeypatch.setenv("HOME", str(home))
    for key in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_PROFILE", "work")
    # The files are found from HOME: outside the scope they would be used.
    default = boto3.Session(profile_name="default")
    assert default.get_credentials().access_key == "AKIAIOSFODNN7EXAMPLE"
    assert default.region_name == "eu-west-3"

    with mock_eks() as local:
        session = boto3.Session()
        assert session.get_credentials().access_key == "testing"
        assert session.region_name == "us-east-1"
        app.create_cluster("demo")
        app.cluster_names_eksy()
        if shutil.which("aws"):
            app.cluster_names_cli()
        requests = local.requests()
    assert len(requests) == (3 if shutil.which("aws") else 2)
    for request in requests:
        assert "Credential=testing/" in request["headers"]["authorization"]
        assert "AKIAIOSFODNN7EXAMPLE" not in str(request)
        assert request["region"] == "us-east-1"
    assert not mark.exists()


def test_boto3s_default_session_is_new_inside_and_restored_after() -> None:
    boto3.setup_default_session(aws_access_key_id="outer-key", aws_secret_access_key="outer-secret")
    outer_session = boto3.DEFAULT_SESSION
    try:
        with mock_eks() as local:
            app.cluster_names()
            assert boto3.DEFAULT_SESSION is not outer_session
            assert "Credential=testing/" in local.requests()[0]["headers"]["authorization"]
        assert boto3.DEFAULT_SESSION is outer_session
    finally:
        boto3.DEFAULT_SESSION = None


def test_a_proxy_in_the_environment_is_bypassed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Port 9 (discard) on 127.0.0.1: nothing listens, a request through it would fail.
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(key, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "corp.example")
    monkeypatch.delenv("no_proxy", raising=False)
    before = dict(os.environ)
    with mock_eks():
        assert os.environ["NO_PROXY"] == "corp.example,127.0.0.1"
        assert "no_proxy" not in os.environ
        app.create_cluster("behind-a-proxy")
        assert app.cluster_names_eksy() == ["behind-a-proxy"]
        if shutil.which("aws"):
            assert app.cluster_names_cli() == ["behind-a-proxy"]
    assert_environment_is(before)


def test_no_proxy_is_left_alone_without_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "NO_PROXY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("no_proxy", "corp.example")
    with mock_eks():
        assert os.environ["no_proxy"] == "corp.example"
        assert "NO_PROXY" not in os.environ


def test_the_moto_style_module_under_pytest_xdist() -> None:
    """Two workers, each starting its own emulators on free ports: same results as in one process."""
    pytest.importorskip("xdist")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "tests/testing/test_capture_moto_style.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
