"""Tests written the way moto users write theirs: the code under test (app_under_test) builds its
own clients with no endpoint, and runs unchanged inside ``mock_eks`` and the ``eks_env`` fixture.
The conftest checks that each test leaves ``os.environ`` exactly as it found it."""

from __future__ import annotations

import base64
import os
import shutil
import unittest
from pathlib import Path
from urllib.parse import urlsplit

import app_under_test as app
import boto3
import eksy
import pytest
from botocore.exceptions import ClientError
from eksy.testing import LocalEKS, mock_eks

needs_aws_cli = pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI (aws) is not on PATH")


@mock_eks
def test_decorated_function_reaches_the_emulator_from_boto3_and_eksy() -> None:
    assert app.create_cluster("demo") == "CREATING"
    assert app.cluster_names() == ["demo"]
    assert app.cluster_names_eksy() == ["demo"]


@mock_eks()
def test_decorator_with_parentheses_and_pytest_fixtures(tmp_path: Path) -> None:
    assert tmp_path.is_dir()
    assert app.cluster_names() == []


@mock_eks
async def test_decorated_async_function() -> None:
    app.create_cluster("from-async")
    assert await app.cluster_names_async() == ["from-async"]


@needs_aws_cli
@mock_eks
def test_aws_cli_subprocess() -> None:
    app.create_cluster("seen-by-the-cli")
    assert app.cluster_names_cli() == ["seen-by-the-cli"]


@mock_eks
def test_sts_answers_from_the_emulator() -> None:
    assert app.caller_arn() == "arn:aws:iam::123456789012:user/testing"


@mock_eks(region="eu-west-1", account_id="210987654321")
def test_region_and_account_of_the_emulator() -> None:
    app.create_cluster("irish")
    described = boto3.client("eks").describe_cluster(name="irish")["cluster"]
    assert described["arn"] == "arn:aws:eks:eu-west-1:210987654321:cluster/irish"
    assert eksy.EKS().region == "eu-west-1"


@mock_eks
class TestDecoratedClass:
    """Each test method gets its own emulator: both create the same cluster name."""

    def test_first(self) -> None:
        app.create_cluster("shared-name")
        assert app.cluster_names_eksy() == ["shared-name"]

    def test_second(self) -> None:
        app.create_cluster("shared-name")
        assert app.cluster_names() == ["shared-name"]

    async def test_async_method(self) -> None:
        assert await app.cluster_names_async() == []

    def helper_not_a_test(self) -> str:
        return os.environ.get("AWS_ENDPOINT_URL_EKS", "")


def test_class_decorator_leaves_helpers_alone() -> None:
    assert TestDecoratedClass().helper_not_a_test() == os.environ.get("AWS_ENDPOINT_URL_EKS", "")


@mock_eks
class TestDecoratedUnittestCase(unittest.TestCase):
    """setUp, the test and tearDown share one emulator per test."""

    def setUp(self) -> None:
        self.status = app.create_cluster("from-setup")

    def tearDown(self) -> None:
        assert app.cluster_names() == ["from-setup"]

    def test_sees_what_set_up_made(self) -> None:
        self.assertEqual(self.status, "CREATING")
        self.assertEqual(app.cluster_names_eksy(), ["from-setup"])

    def test_again_with_a_fresh_emulator(self) -> None:
        self.assertEqual(app.cluster_names(), ["from-setup"])


def test_context_manager_gives_the_emulator() -> None:
    with mock_eks() as local:
        app.create_cluster("demo")
        local.advance(3600)
        assert app.add_nodegroup("demo", "workers") == "CREATING"
        assert [r["operation"] for r in local.requests()] == ["CreateCluster", "CreateNodegroup"]
        with pytest.raises(eksy.EksError):
            app.pod_credentials("demo")
        assert len(local.requests("AssumeRoleForPodIdentity")) == 1
    assert not local.running


def test_eks_env_fixture(eks_env: LocalEKS) -> None:
    assert app.create_cluster("demo") == "CREATING"
    assert app.cluster_names_eksy() == ["demo"]
    assert eks_env.requests("CreateCluster")[0]["headers"]["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=testing/"
    )


async def test_eks_env_fixture_async(eks_env: LocalEKS) -> None:
    app.create_cluster("demo")
    assert await app.cluster_names_async() == ["demo"]


@needs_aws_cli
def test_eks_env_fixture_with_the_aws_cli(eks_env: LocalEKS) -> None:
    app.create_cluster("demo")
    assert app.cluster_names_cli() == ["demo"]
    assert len(eks_env.requests("ListClusters")) == 1


def test_a_missing_cluster_is_the_emulators_error(eks_env: LocalEKS) -> None:
    with pytest.raises(ClientError) as raised:
        boto3.client("eks").describe_cluster(name="missing")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(eksy.ResourceNotFoundException):
        eksy.EKS().describe_cluster(name="missing")


def test_kubernetes_tokens_are_signed_for_the_emulators_sts(eks_env: LocalEKS) -> None:
    from eksy.kube import get_token

    token = get_token("demo").token
    url = base64.urlsafe_b64decode(token.removeprefix("k8s-aws-v1.") + "==").decode()
    assert urlsplit(url).netloc == urlsplit(eks_env.endpoint_url).netloc
