"""`eksy local` as a subprocess serves boto3 in another process and stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import resource
import signal
import socket
import subprocess
import sys

import boto3
import botocore.config
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


def _at_most_1024_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def test_idle_connections_past_the_descriptor_limit_do_not_lock_clients_out() -> None:
    """With `ulimit -n 1024`, 1,100 idle sockets: the emulator closes the oldest ones, so a new
    client with a 1 s timeout and no retries is still served."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1_300  # this process's 1,100 sockets and its usual descriptors
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"this process may open only {hard} files")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    proc = subprocess.Popen(
        [sys.executable, "-m", "eksy", "local", "--port", "0", "--timing", "all=0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_at_most_1024_descriptors,
    )
    idle: list[socket.socket] = []
    try:
        assert proc.stdout is not None
        match = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", proc.stdout.readline())
        assert match
        url, port = match.group(1), int(match.group(2))
        for _ in range(1_100):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        eks = boto3.client(
            "eks",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="a",
            aws_secret_access_key="b",
            config=botocore.config.Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1}),
        )
        assert eks.list_clusters()["clusters"] == []
        assert proc.poll() is None, "the emulator is still running"
    finally:
        for sock in idle:
            sock.close()
        proc.kill()
        proc.wait()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
