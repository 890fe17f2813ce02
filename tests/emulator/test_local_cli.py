"""`eksy local` as a subprocess serves boto3 in another process and stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys

import boto3
import pytest
from emulator_support import HAVE_EXTENSION, ROLE, VPC

pytestmark = pytest.mark.skipif(not HAVE_EXTENSION, reason="needs the built extension (eksy._eksy.Emulator)")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_eksy_local_serves_and_stops(stop_signal: signal.Signals) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "eksy", "local", "--port", "0", "--region", "eu-west-1", "--timing", "all=0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", line)
        assert match, line
        url, port = match.group(1), int(match.group(2))
        eks = boto3.client(
            "eks", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        cluster = eks.create_cluster(name="c", roleArn=ROLE, resourcesVpcConfig=VPC)["cluster"]
        assert cluster["arn"].startswith("arn:aws:eks:eu-west-1:")
        assert eks.describe_cluster(name="c")["cluster"]["status"] == "ACTIVE"
        proc.send_signal(stop_signal)
        assert proc.wait(10) == 0
        assert "stopped" in proc.stdout.read()
        with socket.socket() as probe:  # the port is free again (TIME_WAIT aside, as for any server)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_non_loopback_host_warns() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "eksy.cli.local", "--host", "0.0.0.0", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert "listening on" in proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert "warning" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
