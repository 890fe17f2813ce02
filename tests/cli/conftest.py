"""`eksy token` tests: a private environment (test credentials, no user configuration, its own
cache directory) and a runner for the command in a fresh process."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEJr//////////wEaDEXAMPLE+session/token=="
REGION = "us-west-2"
CLUSTER_ARGS = ("--cluster-name", "prod", "--region", REGION)


@dataclass
class TokenEnv:
    """The environment of the command under test; ``env`` is passed to each process."""

    home: Path
    env: dict[str, str]

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache" / "eksy" / "tokens"

    def cache_files(self) -> list[Path]:
        return sorted(self.cache_dir.glob("*.token")) if self.cache_dir.is_dir() else []


@pytest.fixture
def token_cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> TokenEnv:
    """Test credentials in the environment, empty AWS config files, no instance metadata, and a
    cache directory of its own; the test process's environment is set the same way."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name in ("KUBERNETES_EXEC_INFO", "XDG_CACHE_HOME"):
            monkeypatch.delenv(name)
    settings = {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return TokenEnv(home=tmp_path, env=dict(os.environ))


def run_token(
    env: Mapping[str, str], *args: str, extra_env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m eksy token ARGS`` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "eksy", "token", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, **(extra_env or {})},
    )


def exec_credential(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


def token_url(token: str) -> str:
    assert token.startswith("k8s-aws-v1.")
    body = token[len("k8s-aws-v1.") :]
    assert "=" not in body
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
