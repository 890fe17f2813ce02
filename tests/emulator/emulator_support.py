"""Helpers of the emulator tests, imported by name (``from emulator_support import ...``).

They live here rather than in conftest.py: several test directories have a conftest.py, and
``from conftest import`` finds whichever was loaded last when pytest runs them together.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parents[2]


def _have_extension() -> bool:
    try:
        from eksy._eksy import Emulator  # noqa: F401
    except ImportError:
        return False
    return True


HAVE_EXTENSION = _have_extension()

# The start-up line of both launchers (`eksy local` and the eksy-emulator binary).
START_LINE = re.compile(
    r"^(?P<prog>eksy local|eksy-emulator): EKS emulator listening on (?P<url>http://127\.0\.0\.1:(?P<port>\d+)) "
    r"\(region (?P<region>\S+), account (?P<account>\d{12})\); press Ctrl-C to stop$"
)


@functools.cache
def emulator_binary() -> str | None:
    """The eksy-emulator binary: ``EKSY_EMULATOR_BIN`` if set, else built here with cargo (a no-op
    when up to date); None without cargo."""
    if "EKSY_EMULATOR_BIN" in os.environ:
        return os.environ["EKSY_EMULATOR_BIN"]
    if shutil.which("cargo") is None:
        return None
    build = ["cargo", "build", "--quiet", "-p", "eksy-emulator", "--bin", "eksy-emulator"]
    subprocess.run(build, cwd=ROOT, check=True, timeout=900)
    metadata = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return str(Path(json.loads(metadata.stdout)["target_directory"]) / "debug" / "eksy-emulator")


def boto_client(local: Any, service: str = "eks", **config: Any) -> Any:
    return boto3.client(
        service,
        endpoint_url=local.endpoint_url,
        region_name=local.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, **config),
    )


ROLE = "arn:aws:iam::123456789012:role/eks"
VPC = {"subnetIds": ["subnet-0a1", "subnet-0b2"], "securityGroupIds": ["sg-1"]}


SIGV4 = (
    "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/eks/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)


def error_of(call: Any, **kwargs: Any) -> tuple[str, int, dict[str, Any]]:
    """The code, HTTP status and whole response of the ClientError a boto3 call must raise."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response


def upgradable(eks: Any) -> tuple[str, str]:
    """The two newest Kubernetes versions the emulator offers now, for boto3 ``eks``: its
    version catalog follows the clock, so a fixed version would fall out of support."""
    offered = [v["clusterVersion"] for v in eks.describe_cluster_versions()["clusterVersions"]]
    newest = sorted(offered, key=lambda v: int(v.split(".")[1]))
    return newest[-2], newest[-1]
