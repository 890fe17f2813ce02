"""The `eksy` command: the demo (the main job) and the dispatcher."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eksy", *args], capture_output=True, text=True, timeout=120)


def test_demo_walks_through_a_session() -> None:
    result = run("demo", "--speed", "0")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in (
        "cluster demo: ACTIVE",
        "node group general: ACTIVE",
        "add-on vpc-cni: ACTIVE",
        "13 in 3 pages of 5",
        ": Successful",
        "ResourceNotFoundException: No cluster found for name: no-such-cluster.",
        "Invalid parameter scaling_config.min_size",
        "'cost-center': '1234'",
        "cluster demo: gone",
        "requests served by the emulator",
    ):
        assert expected in out, f"{expected!r} missing from:\n{out}"


def test_help_and_unknown_command() -> None:
    assert "demo" in run("--help").stdout
    unknown = run("frobnicate")
    assert unknown.returncode == 2 and "unknown command" in unknown.stderr
