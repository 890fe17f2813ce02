"""One launcher behind both entry points: `eksy local` and the eksy-emulator binary take the same
flags with the same defaults, print the same start-up line, serve, and stop cleanly on a signal."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest
from emulator_support import HAVE_EXTENSION, ROLE, START_LINE, VPC, emulator_binary

needs_extension = pytest.mark.skipif(not HAVE_EXTENSION, reason="`eksy local` needs the built extension")
# A cold build of the binary takes minutes on a small machine; it is a no-op when up to date.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def binary() -> str:
    path = emulator_binary()
    if path is None:
        pytest.skip("needs cargo to build the eksy-emulator binary (or EKSY_EMULATOR_BIN)")
    return path


def launchers(binary: str) -> dict[str, list[str]]:
    return {"eksy local": [sys.executable, "-m", "eksy", "local"], "eksy-emulator": [binary]}


def options(help_text: str) -> dict[str, tuple[str, str | None]]:
    """flag -> (metavar, default) from an argparse-style help text."""
    section = help_text.split("\noptions:\n", 1)[1]
    found: dict[str, tuple[str, str | None]] = {}
    # Each option starts a line with two spaces and a dash; its help may wrap onto the next lines.
    for entry in re.split(r"\n(?=  -)", "\n" + section):
        match = re.match(r"\s*(?:-h, )?(--[a-z-]+)(?: (\S+))?\s+(.*)", entry.strip(), re.S)
        if match:
            default = re.search(r"\(default (\S+?)\)", match.group(3))
            found[match.group(1)] = (match.group(2) or "", default.group(1) if default else None)
    return found


def help_of(command: list[str]) -> str:
    # A wide terminal keeps argparse's usage on one line; the flags are what is compared.
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, env=env, timeout=60, check=True)
    return result.stdout


@needs_extension
def test_both_launchers_take_the_same_flags_with_the_same_defaults(binary: str) -> None:
    helps = {name: help_of(command) for name, command in launchers(binary).items()}
    python_flags, rust_flags = (options(text) for text in helps.values())
    assert set(python_flags) == {"--help", "--host", "--port", "--region", "--account-id", "--timing", "--state-file"}
    assert rust_flags == python_flags
    assert python_flags["--port"][1] == "9566"
    usages = {name: text.splitlines()[0].replace(name, "PROG") for name, text in helps.items()}
    assert usages["eksy local"] == usages["eksy-emulator"]


@pytest.fixture
def started(request: pytest.FixtureRequest, binary: str) -> Iterator[tuple[subprocess.Popen[str], re.Match[str]]]:
    command = launchers(binary)[request.param]
    args = ["--port", "0", "--region", "eu-west-1", "--account-id", "111122223333", "--timing", "all=0"]
    proc = subprocess.Popen([*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().rstrip("\n")
        match = START_LINE.match(line)
        assert match, line
        assert (match["prog"], match["region"], match["account"]) == (request.param, "eu-west-1", "111122223333")
        yield proc, match
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("started", [pytest.param("eksy local", marks=needs_extension), "eksy-emulator"], indirect=True)
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_each_launcher_serves_and_stops_on_a_signal(
    started: tuple[subprocess.Popen[str], re.Match[str]], stop_signal: signal.Signals
) -> None:
    proc, match = started
    eks = boto3.client(
        "eks", endpoint_url=match["url"], region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    cluster = eks.create_cluster(name="c", roleArn=ROLE, resourcesVpcConfig=VPC)["cluster"]
    assert cluster["arn"] == "arn:aws:eks:eu-west-1:111122223333:cluster/c"
    assert eks.describe_cluster(name="c")["cluster"]["status"] == "ACTIVE"  # --timing all=0 applied
    proc.send_signal(stop_signal)
    assert proc.wait(10) == 0
    assert proc.stdout is not None
    assert proc.stdout.read() == f"{match['prog']}: stopped\n"


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--port", "70000"], 2, "invalid port 70000"),
        (["--port", "0", "--timing", "bogus=1"], 2, 'unknown timing "bogus"'),
        (["--timing", "x"], 2, "argument --timing: expected NAME=SECONDS"),
        (["--bogus"], 2, "unrecognized arguments: --bogus"),
    ],
)
@needs_extension
def test_both_launchers_refuse_the_same_mistakes_alike(binary: str, args: list[str], status: int, message: str) -> None:
    for name, command in launchers(binary).items():
        result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=60)
        assert result.returncode == status, (name, result.stderr)
        assert f"{name}: " in result.stderr and message in result.stderr, (name, result.stderr)
        assert result.stdout == "", name
