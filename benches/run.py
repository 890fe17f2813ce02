#!/usr/bin/env python3
"""eksy benchmark harness: eksy vs boto3 vs aiobotocore vs the native Rust SDK, in one run.

    python benches/run.py [--quick] [--json benches/results/latest.json]

Starts ONE ``eksy local`` emulator (zero lifecycle delays, free port, its own process),
runs every client measurement against it, then starts moto's server to compare the
emulator's requests/s with moto's, stops both, prints a table of medians with the issue-5
targets (PASS/MISS) and writes everything as JSON. See benches/README.md.

Every measurement runs in a fresh subprocess (``benches/_worker.py`` or ``python -c``),
times with ``time.perf_counter`` and is repeated; the table shows medians. Only 127.0.0.1
is ever contacted.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import queue
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

BENCHES = Path(__file__).resolve().parent
ROOT = BENCHES.parent
WORKER = BENCHES / "_worker.py"
NATIVE_DIR = BENCHES / "native"
HOME_CACHE = Path.home() / ".cache"
# A member of the root workspace: it shares the extension's compiled AWS SDK crates.
NATIVE_TARGET = Path(
    os.environ.get("EKSY_BENCH_NATIVE_TARGET") or os.environ.get("CARGO_TARGET_DIR") or HOME_CACHE / "eksy-target"
)
AIO_VENV = HOME_CACHE / "eksy-bench-aio"
BUILD_RECORD = BENCHES / "results" / "build.json"  # the last --cold-build, shown by every run
MOTO_VENV = HOME_CACHE / "eksy-bench-moto"
CLUSTER = "bench"
INFLIGHT = 64

# (full, quick) counts. --quick keeps the whole run under a minute on 2 cores.
COUNTS = {
    "rounds": (3, 1),  # interleaved rounds of every client measurement; medians across rounds
    "import_runs": (15, 3),
    "process_runs": (31, 5),  # whole fresh processes per library, interleaved
    "construct_procs": (5, 2),
    "construct_repeat": (20, 3),
    "rss_runs": (3, 1),
    "seq_calls": (2000, 200),
    "conc_calls": (10_000, 1000),
    "thread_calls": (6400, 640),
    "threads": (16, 16),
    "clusters": (1000, 120),
    "list_repeat": (10, 2),
    "addon_repeat": (30, 3),
    "emu_calls": (20_000, 1000),
    "moto_calls": (2000, 200),
    "pingpong": (20_000, 2000),
}

# Environment of every process the harness starts: test credentials, no profile files, no
# instance metadata, no proxies, so nothing can leave 127.0.0.1.
CHILD_ENV_SET = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-west-2",
    "AWS_REGION": "us-west-2",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
CHILD_ENV_DROP = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_EKS",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "PYTHONDONTWRITEBYTECODE",  # import timings assume the usual bytecode cache
)


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_DROP}
    env.update(CHILD_ENV_SET)
    return env


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- interpreters


def can_import(python: str, module: str) -> bool:
    try:
        r = subprocess.run(
            [python, "-c", f"import {module}"],
            capture_output=True,
            timeout=60,
            env=child_env(),
            cwd=tempfile.gettempdir(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def find_python(module: str, explicit: str | None, venv: Path, extra: tuple[str, ...] = ()) -> str | None:
    """The first interpreter that can import ``module``: --flag, this one, the bench venv, extras."""
    candidates = [explicit] if explicit else [sys.executable, str(venv / "bin" / "python"), *extra]
    for cand in candidates:
        if cand and (os.path.exists(cand) or shutil.which(cand)) and can_import(cand, module):
            return cand
    return None


# --------------------------------------------------------------------------- processes


def run_json(cmd: list[str], timeout: float) -> dict[str, Any]:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=child_env(), cwd=tempfile.gettempdir())
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} ... failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"no JSON from {' '.join(cmd[:3])}: {r.stdout[-500:]} {r.stderr[-500:]}")
    return json.loads(lines[-1])


def worker(python: str, timeout: float, **spec: Any) -> dict[str, Any]:
    return run_json([python, str(WORKER), json.dumps(spec)], timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A server process started and stopped by the harness; its URL is read from stdout."""

    def __init__(self, name: str, cmd: list[str], url: str | None = None, ready_timeout: float = 60.0) -> None:
        self.name = name
        self.cmd = cmd
        self.url = url
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Server:
        log(f"starting {self.name}: {' '.join(self.cmd)}")
        self.proc = subprocess.Popen(
            self.cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=child_env(),
            cwd=tempfile.gettempdir(),
            start_new_session=True,
        )
        deadline = time.monotonic() + self.ready_timeout
        lines = self._drain()
        seen: list[str] = []
        while self.url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and lines.empty():
                    break
                continue
            if line is None:
                break
            seen.append(line)
            m = re.search(r"http://127\.0\.0\.1:\d+", line)
            if m:
                self.url = m.group(0)
        if self.url is None:
            self.stop()
            raise RuntimeError(f"{self.name} did not print its endpoint: {''.join(seen)[-2000:]}")
        self._wait_port(deadline)
        log(f"{self.name} ready at {self.url} (pid {self.proc.pid})")
        return self

    def _drain(self) -> queue.Queue[str | None]:
        """Read the server's output on a thread (so it never blocks on a full pipe); lines go
        to the returned queue until the URL is found, then are dropped."""
        proc = self.proc
        assert proc is not None and proc.stdout is not None
        stream = proc.stdout
        lines: queue.Queue[str | None] = queue.Queue()

        def drain() -> None:
            for line in iter(stream.readline, ""):
                if self.url is None:
                    lines.put(line)
            lines.put(None)

        threading.Thread(target=drain, daemon=True).start()
        return lines

    def _wait_port(self, deadline: float) -> None:
        assert self.url is not None and self.proc is not None
        port = int(self.url.rsplit(":", 1)[1])
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} is not listening on {self.url}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # this process only, by pid
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        log(f"stopped {self.name} (exit {self.proc.returncode})")

    def __exit__(self, *exc: object) -> None:
        self.stop()


def eksy_local_cmd(python: str) -> list[str]:
    return [python, "-m", "eksy", "local", "--host", "127.0.0.1", "--port", "0", "--timing", "all=0"]


def record_responses(url: str, path: Path) -> None:
    """What `eksy local` answers to the native client's describe_cluster and list_clusters(100),
    written for the fixed-answer server (status, headers, body), keyed by request path."""
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    routes = {}
    for route, query in ((f"/clusters/{CLUSTER}", ""), ("/clusters", "?maxResults=100")):
        # Signed as the clients sign (the emulator refuses unsigned requests).
        signed = AWSRequest(method="GET", url=url + route + query)
        SigV4Auth(Credentials("testing", "testing"), "eks", "us-west-2").add_auth(signed)
        request = urllib.request.Request(url + route + query, headers=dict(signed.headers.items()))
        with urllib.request.urlopen(request, timeout=30) as r:
            body = r.read().decode()
            # As received; the fixed server leaves out the hop-by-hop ones (urllib's `Connection: close`).
            routes[route] = {"status": r.status, "headers": list(r.headers.items()), "body": body}
    path.write_text(json.dumps(routes))


def fixed_server_cmd(exe: Path, responses: Path) -> list[str]:
    return [str(exe.parent / "eksy-bench-fixed-server"), "--port", "0", str(responses)]


def moto_cmd(python: str) -> tuple[list[str], str]:
    port = free_port()
    return [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], f"http://127.0.0.1:{port}"


# --------------------------------------------------------------------------- native


def native_binary(build: bool) -> Path | None:
    exe = NATIVE_TARGET / "release" / "eksy-bench-native"
    if build and shutil.which("cargo"):
        log(f"cargo build --release in benches/native (target {NATIVE_TARGET}); first build takes minutes")
        env = dict(os.environ, CARGO_TARGET_DIR=str(NATIVE_TARGET))
        r = subprocess.run(
            ["cargo", "build", "--release", "--quiet", "-p", "eksy-bench-native"], cwd=NATIVE_DIR, env=env, timeout=3600
        )
        if r.returncode != 0:
            log("native build failed; native figures will be n/a")
    return exe if exe.exists() else None


def native(exe: Path, endpoint: str, *args: str | int, timeout: float = 600) -> dict[str, Any]:
    return run_json([str(exe), "--endpoint", endpoint, "--cluster", CLUSTER, *map(str, args)], timeout)


# --------------------------------------------------------------------------- measurement plan


class Results:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {}
        self.extra: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def add(self, key: str, value: float | None) -> None:
        if value is not None:
            self.samples.setdefault(key, []).append(float(value))

    def med(self, key: str) -> float | None:
        v = self.samples.get(key)
        return median(v) if v else None

    def attempt(self, key: str, fn: Callable[[], None]) -> None:
        """Run one measurement; a failure is recorded (figure shows n/a), not fatal."""
        try:
            fn()
        except Exception as e:
            msg = f"{type(e).__name__}: {e}"
            self.errors.setdefault(key, msg[:2000])
            last = msg.strip().splitlines()[-1] if msg.strip() else msg
            log(f"{key} FAILED: {last[:300]}")


def import_time(python: str, stmt: str) -> float:
    code = f"import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
    r = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, timeout=120, env=child_env(), cwd=tempfile.gettempdir()
    )
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip()[-1000:])
    return float(r.stdout.strip().splitlines()[-1])


RSS_CODE = {
    "eksy": "import eksy; c = eksy.EKS(region='us-west-2', endpoint_url=URL, aws_access_key_id='testing', "
    "aws_secret_access_key='testing')",
    "boto3": "import boto3; c = boto3.client('eks', region_name='us-west-2', endpoint_url=URL, "
    "aws_access_key_id='testing', aws_secret_access_key='testing')",
    "aiobotocore": "import asyncio\nfrom aiobotocore.session import get_session\nasync def m():\n"
    "    async with get_session().create_client('eks', region_name='us-west-2', endpoint_url=URL, "
    "aws_access_key_id='testing', aws_secret_access_key='testing') as c:\n        pass\nasyncio.run(m())",
}


def peak_rss_kib(python: str, lib: str, endpoint: str) -> float:
    tail = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    code = f"URL = {endpoint!r}\n{RSS_CODE[lib]}\n{tail}"
    r = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, timeout=120, env=child_env(), cwd=tempfile.gettempdir()
    )
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip()[-1000:])
    return float(r.stdout.strip().splitlines()[-1])


# A whole fresh process: what a script, a CLI or a Lambda cold start pays, interpreter included.
PROCESS_CODE = {
    "bare": "pass",
    "eksy": "import eksy; eksy.EKS(region='us-west-2', endpoint_url=URL, aws_access_key_id='testing', "
    "aws_secret_access_key='testing').describe_cluster(name=NAME)",
    "boto3": "import boto3; boto3.client('eks', region_name='us-west-2', endpoint_url=URL, "
    "aws_access_key_id='testing', aws_secret_access_key='testing').describe_cluster(name=NAME)",
}


def whole_process(python: str, lib: str, endpoint: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one fresh ``python -c`` from spawn to exit; the CPU is the
    child's own (every thread), from wait4."""
    code = PROCESS_CODE[lib].replace("URL", repr(endpoint)).replace("NAME", repr(CLUSTER))
    t = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-c", code],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=child_env(),
        cwd=tempfile.gettempdir(),
    )
    assert proc.stderr is not None
    timer = threading.Timer(120, proc.kill)  # a hung child ends the measurement, not the run
    timer.start()
    try:
        err = proc.stderr.read()  # until the child exits; it prints nothing unless it fails
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        proc.stderr.close()
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(err.decode(errors="replace").strip()[-1000:])
    return usage.ru_utime + usage.ru_stime, wall


def measure_processes(res: Results, main_py: str, url: str, runs: int) -> None:
    """Whole processes, interleaved (bare, eksy, boto3, bare, ...); the first round warms the
    bytecode caches and is dropped. "above" is each library's process minus the bare
    interpreter's of the same round."""
    for rnd in range(runs + 1):
        got: dict[str, tuple[float, float]] = {}
        for lib in ("bare", "eksy", "boto3"):

            def one(lib: str = lib, got: dict[str, tuple[float, float]] = got) -> None:
                got[lib] = whole_process(main_py, lib, url)

            res.attempt(f"process.{lib}", one)
        if rnd == 0:
            continue
        for lib, (cpu, wall) in got.items():
            res.add(f"proc_cpu.{lib}", cpu)
            res.add(f"proc_wall.{lib}", wall)
            if lib != "bare" and "bare" in got:
                res.add(f"proc_cpu_above.{lib}", cpu - got["bare"][0])
                res.add(f"proc_wall_above.{lib}", wall - got["bare"][1])


def measure_clients(
    res: Results, url: str, main_py: str, aio_py: str | None, exe: Path | None, c: dict[str, int], quick: bool
) -> None:
    wt = 300 if quick else 1800  # worker timeout, seconds
    libs_py = [("eksy", main_py), ("boto3", main_py)] + ([("aiobotocore", aio_py)] if aio_py else [])

    log("import time")
    # "import": the statement a user writes first. "ready": everything needed before the first
    # client can be constructed (eksy loads its client classes lazily on first attribute access).
    stmts = {
        "import": {"eksy": "import eksy", "boto3": "import boto3", "aiobotocore": "import aiobotocore.session"},
        "import_ready": {
            "eksy": "import eksy; eksy.EKS; eksy.AsyncEKS",
            "boto3": "import boto3",
            "aiobotocore": "from aiobotocore.session import get_session",
        },
    }
    for _ in range(c["import_runs"] + 1):  # the first run per statement only warms the bytecode caches; dropped
        for lib, py in libs_py:
            for key, by_lib in stmts.items():
                stmt = by_lib[lib]
                res.attempt(
                    f"{key}.{lib}",
                    lambda k=key, lib=lib, py=py, st=stmt: res.add(f"{k}.{lib}.raw", import_time(py, st)),
                )
    for lib, _ in libs_py:
        for key in stmts:
            raw = res.samples.pop(f"{key}.{lib}.raw", [])
            if raw:
                res.samples[f"{key}.{lib}"] = raw[1:] if len(raw) > 1 else raw

    log(f"whole process: python -c 'import; client; describe_cluster' x{c['process_runs']}, and python -c pass")
    measure_processes(res, main_py, url, c["process_runs"])

    log("client construction")
    for _ in range(c["construct_procs"]):
        for lib, py in libs_py:

            def go(lib: str = lib, py: str = py) -> None:
                r = worker(
                    py, wt, mode="construct", lib=lib, endpoint=url, cluster=CLUSTER, repeat=c["construct_repeat"]
                )
                res.add(f"construct_first.{lib}", r["first_s"])
                res.add(f"first_call.{lib}", r["first_call_s"])
                res.add(f"construct_next.{lib}", r["subsequent_s"])

            res.attempt(f"construct.{lib}", go)

    log("peak RSS after import + one client")
    for _ in range(c["rss_runs"]):
        for lib, py in libs_py:
            res.attempt(f"rss.{lib}", lambda lib=lib, py=py: res.add(f"rss.{lib}", peak_rss_kib(py, lib, url)))

    for rnd in range(c["rounds"]):
        log(f"round {rnd + 1}/{c['rounds']}: sequential describe_cluster x{c['seq_calls']}")
        for lib in ("eksy", "boto3"):

            def seq(lib: str = lib) -> None:
                r = worker(main_py, wt, mode="sequential", lib=lib, endpoint=url, cluster=CLUSTER, n=c["seq_calls"])
                res.add(f"seq_cps.{lib}", r["calls_per_s"])
                res.add(f"seq_us.{lib}", r["median_us"])
                res.add(f"seq_cpu_us.{lib}", r.get("cpu_us_per_call"))

            res.attempt(f"seq.{lib}", seq)

        def seq_logged() -> None:
            # issue 18: what a call costs once eksy's loggers are enabled (DEBUG, to a file).
            r = worker(
                main_py, wt, mode="sequential", lib="eksy-logged", endpoint=url, cluster=CLUSTER, n=c["seq_calls"]
            )
            res.add("seq_us_logged.eksy", r["median_us"])
            res.add("seq_cpu_us_logged.eksy", r.get("cpu_us_per_call"))

        res.attempt("seq.eksy-logged", seq_logged)
        if exe:

            def seq_native() -> None:
                r = native(exe, url, "sequential", c["seq_calls"], timeout=wt)
                res.add("seq_cps.native", r["calls_per_s"])
                res.add("seq_us.native", r["median_us"])
                res.add("seq_cpu_us.native", r.get("cpu_us_per_call"))

            res.attempt("seq.native", seq_native)

        log(f"round {rnd + 1}: concurrent describe_cluster x{c['conc_calls']}, {INFLIGHT} in flight")
        conc = [("eksy-async", main_py), ("boto3-threads", main_py)] + ([("aiobotocore", aio_py)] if aio_py else [])
        for lib, py in conc:

            def cc(lib: str = lib, py: str = py) -> None:
                r = worker(
                    py,
                    wt,
                    mode="concurrent",
                    lib=lib,
                    endpoint=url,
                    cluster=CLUSTER,
                    n=c["conc_calls"],
                    inflight=INFLIGHT,
                )
                res.add(f"conc_cps.{lib}", r["calls_per_s"])
                res.add(f"conc_cpu_us.{lib}", r.get("cpu_us_per_call"))

            res.attempt(f"conc.{lib}", cc)
        if exe:

            def cc_native() -> None:
                r = native(exe, url, "concurrent", c["conc_calls"], INFLIGHT, timeout=wt)
                res.add("conc_cps.native", r["calls_per_s"])
                res.add("conc_cpu_us.native", r.get("cpu_us_per_call"))

            res.attempt("conc.native", cc_native)

        log(f"round {rnd + 1}: {c['threads']} threads vs 1 thread on one sync eksy client x{c['thread_calls']}")
        for t in (1, c["threads"]):

            def th(t: int = t) -> None:
                r = worker(main_py, wt, mode="threads", endpoint=url, cluster=CLUSTER, n=c["thread_calls"], threads=t)
                res.add(f"threads_cps.{t}", r["calls_per_s"])

            res.attempt(f"threads.{t}", th)

        log(f"round {rnd + 1}: list_clusters all pages; describe_addon_versions")
        for lib in ("eksy", "boto3"):

            def li(lib: str = lib) -> None:
                r = worker(main_py, wt, mode="list", lib=lib, endpoint=url, repeat=c["list_repeat"], page_size=100)
                res.add(f"list_us.{lib}", r["median_us"])
                res.extra[f"list_shape.{lib}"] = {"clusters": r["clusters"], "pages": r["pages"]}

            res.attempt(f"list.{lib}", li)

            def ad(lib: str = lib) -> None:
                r = worker(main_py, wt, mode="addons", lib=lib, endpoint=url, repeat=c["addon_repeat"])
                res.add(f"addons_us.{lib}", r["median_us"])
                res.extra[f"addons_count.{lib}"] = r["addons"]

            res.attempt(f"addons.{lib}", ad)
        if exe:

            def li_native() -> None:
                r = native(exe, url, "list", c["list_repeat"], 100, timeout=wt)
                res.add("list_us.native", r["median_us"])
                res.extra["list_shape.native"] = {"clusters": r["clusters"], "pages": r["pages"]}

            res.attempt("list.native", li_native)


def loopback_round_trip_us(count: int) -> float:
    """The machine's floor for any request: the mean of one-byte TCP round trips on 127.0.0.1
    between this process and a child echo process (each side woken once per trip)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        echo = (
            "import socket,sys\n"
            f"c=socket.create_connection(('127.0.0.1',{port}))\n"
            "c.setsockopt(socket.IPPROTO_TCP,socket.TCP_NODELAY,1)\n"
            "while (d:=c.recv(64)):\n c.sendall(d)\n"
        )
        child = subprocess.Popen([sys.executable, "-c", echo], env=child_env())
        try:
            listener.settimeout(30)
            conn, _ = listener.accept()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.settimeout(30)
                for _ in range(min(count, 500)):
                    conn.sendall(b"x")
                    conn.recv(64)
                t = time.perf_counter()
                for _ in range(count):
                    conn.sendall(b"x")
                    conn.recv(64)
                elapsed = time.perf_counter() - t
        finally:
            child.wait(timeout=30)
    return elapsed / count * 1e6


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a running process (Linux /proc), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # utime and stime are fields 14 and 15 of stat; the split above starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_server(
    res: Results, name: str, url: str, pid: int | None, exe: Path | None, calls: int, rounds: int, wt: float
) -> None:
    """Requests/s served to the native client, and the CPU each side spent per request: on a
    2-core machine the load generator and the server share the cores, so requests/s alone
    cannot tell a slow server from a busy client."""
    if not exe:
        res.errors.setdefault(f"server.{name}", "native client not built")
        return
    for _ in range(rounds):
        for op in ("describe", "list"):

            def run(op: str = op) -> None:
                server_before, client_before = (process_cpu_s(pid) if pid else None), children_cpu_s()
                r = native(exe, url, "concurrent", calls, INFLIGHT, op, timeout=wt)
                server_after, client_after = (process_cpu_s(pid) if pid else None), children_cpu_s()
                res.add(f"server_rps.{op}.{name}", r["calls_per_s"])
                res.add(f"client_cpu_us.{op}.{name}", (client_after - client_before) / calls * 1e6)
                if server_before is not None and server_after is not None:
                    res.add(f"server_cpu_us.{op}.{name}", (server_after - server_before) / calls * 1e6)

            res.attempt(f"server_rps.{op}.{name}", run)


def measure_fixed_server(res: Results, url: str, exe: Path, c: dict[str, int], wt: float) -> None:
    """The floor under the emulator's server CPU: a minimal hyper server answering the bytes
    `eksy local` answered, measured like it (benches/native/src/fixed_server.rs)."""
    with tempfile.TemporaryDirectory() as tmp:
        responses = Path(tmp) / "responses.json"
        record_responses(url, responses)
        with Server("minimal hyper server", fixed_server_cmd(exe, responses)) as fixed:
            assert fixed.url is not None
            log("minimal hyper server requests/s to the native client")
            pid = fixed.proc.pid if fixed.proc else None
            measure_server(res, "fixed", fixed.url, pid, exe, c["emu_calls"], c["rounds"], wt)


def cold_build(timeout: float) -> dict[str, Any]:
    """A cold `pip install .` as a newcomer runs it: a fresh virtualenv, an empty cargo target
    directory (the crates themselves come from cargo's download cache, as after any earlier
    build on the machine)."""
    with tempfile.TemporaryDirectory(prefix="eksy-cold-build-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300, capture_output=True)
        env = dict(child_env(), CARGO_TARGET_DIR=str(Path(tmp) / "target"))
        load_start = os.getloadavg()[0]
        t = time.perf_counter()
        r = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", str(ROOT)],
            env=env,
            timeout=timeout,
            capture_output=True,
            text=True,
            cwd=tmp,
        )
        elapsed = time.perf_counter() - t
        if r.returncode != 0:
            raise RuntimeError(f"pip install failed: {r.stderr.strip()[-2000:]}")
    return {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cold_pip_install_s": round(elapsed, 1),
        "nproc": os.cpu_count(),
        "loadavg_1m_start_end": [round(load_start, 2), round(os.getloadavg()[0], 2)],
    }


def build_figures(res: Results, measure: bool) -> None:
    """The cold build: measured now with --cold-build (and recorded), else the last record."""
    if measure:
        log("cold pip install . into a fresh venv, empty target directory: minutes on both cores")
        record = cold_build(timeout=3600)
        BUILD_RECORD.parent.mkdir(parents=True, exist_ok=True)
        BUILD_RECORD.write_text(json.dumps(record, indent=2) + "\n")
        res.extra["build"] = record
    elif BUILD_RECORD.exists():
        record = json.loads(BUILD_RECORD.read_text())
        res.extra["build"] = dict(record, recorded=True)
    else:
        return
    res.add("build_s.cold", record["cold_pip_install_s"])


def seed(res: Results, python: str, url: str, count: int, name: str) -> None:
    log(f"seeding {name} with {count} clusters")
    r = worker(python, 1800, mode="seed", endpoint=url, cluster=CLUSTER, count=count)
    res.extra[f"seeded.{name}"] = r["clusters"]


# --------------------------------------------------------------------------- report


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


# (label, key, unit, scale): one row per figure; columns are the libraries that have it.
FIGURES = [
    ("whole process: import, client, describe_cluster (wall)", "proc_wall", "ms", 1e3),
    ("whole process: CPU", "proc_cpu", "ms", 1e3),
    ("whole process: CPU above a bare interpreter", "proc_cpu_above", "ms", 1e3),
    ("import time (import eksy / boto3 / aiobotocore.session)", "import", "ms", 1e3),
    ("import until a client class is loaded", "import_ready", "ms", 1e3),
    ("first client construction", "construct_first", "ms", 1e3),
    ("later client construction", "construct_next", "ms", 1e3),
    ("first describe_cluster on the first client", "first_call", "ms", 1e3),
    ("peak RSS, import + one client", "rss", "MiB", 1 / 1024),
    ("sequential describe_cluster", "seq_cps", "calls/s", 1),
    ("sequential describe_cluster, per call", "seq_us", "us", 1),
    ("sequential describe_cluster, client CPU per call", "seq_cpu_us", "us", 1),
    ("sequential, per call, eksy loggers at DEBUG (to a file)", "seq_us_logged", "us", 1),
    ("sequential, client CPU per call, eksy loggers at DEBUG", "seq_cpu_us_logged", "us", 1),
    (f"concurrent describe_cluster, {INFLIGHT} in flight", "conc_cps", "calls/s", 1),
    (f"concurrent describe_cluster, {INFLIGHT} in flight, client CPU per call", "conc_cpu_us", "us", 1),
    ("one sync eksy client: 1 thread / N threads", "threads_cps", "calls/s", 1),
    ("list_clusters, all pages", "list_us", "ms", 1e-3),
    ("describe_addon_versions (all add-ons)", "addons_us", "ms", 1e-3),
    ("emulator describe_cluster served to native", "server_rps.describe", "req/s", 1),
    ("emulator list_clusters(100) served to native", "server_rps.list", "req/s", 1),
    ("server CPU per describe_cluster served", "server_cpu_us.describe", "us", 1),
    ("server CPU per list_clusters(100) served", "server_cpu_us.list", "us", 1),
    ("native load generator CPU per describe_cluster", "client_cpu_us.describe", "us", 1),
    ("cold `pip install .` (empty target directory)", "build_s", "min", 1 / 60),
    ("floor: TCP round trip between two processes", "loopback_rtt_us", "us", 1),
]


def targets(res: Results, nthreads: int) -> list[dict[str, Any]]:
    """Issue 5's targets that still measure eksy, and issue 16's (which retired issue 5's
    "sequential >= 5x boto3", "concurrent >= 10x aiobotocore" and "emulator >= 50x moto in
    requests/s": even the native SDK misses them here, the round trip and the load generator
    being the bound; see benches/README.md)."""
    m = res.med
    rows = [
        (
            "import <= 1/4 of boto3's",
            "eksy / boto3 import time",
            ratio(m("import.eksy"), m("import.boto3")),
            "<=",
            0.25,
        ),
        (
            "first client >= 20x faster than boto3",
            "boto3 / eksy first construction",
            ratio(m("construct_first.boto3"), m("construct_first.eksy")),
            ">=",
            20.0,
        ),
        ("RSS <= boto3's", "eksy / boto3 peak RSS", ratio(m("rss.eksy"), m("rss.boto3")), "<=", 1.0),
        (
            f"{nthreads} threads >= 1.5x one thread",
            f"{nthreads} threads / 1 thread calls/s",
            ratio(m(f"threads_cps.{nthreads}"), m("threads_cps.1")),
            ">=",
            1.5,
        ),
        (
            "whole process >= 20x less CPU than boto3's",
            "boto3 / eksy CPU above bare python",
            ratio(m("proc_cpu_above.boto3"), m("proc_cpu_above.eksy")),
            ">=",
            20.0,
        ),
        (
            "first call no slower than boto3's",
            "eksy / boto3 first describe_cluster",
            ratio(m("first_call.eksy"), m("first_call.boto3")),
            "<=",
            1.0,
        ),
        (
            "per-call time <= 1.1x native",
            "eksy / native median per call",
            ratio(m("seq_us.eksy"), m("seq_us.native")),
            "<=",
            1.1,
        ),
        (
            "concurrent >= 0.9x native",
            "eksy async / native calls/s",
            ratio(m("conc_cps.eksy-async"), m("conc_cps.native")),
            ">=",
            0.9,
        ),
        (
            "emulator CPU/request >= 50x less than moto (describe)",
            "moto / eksy local server CPU",
            ratio(m("server_cpu_us.describe.moto"), m("server_cpu_us.describe.eksy-local")),
            ">=",
            50.0,
        ),
        (
            "emulator CPU/request >= 50x less than moto (list)",
            "moto / eksy local server CPU",
            ratio(m("server_cpu_us.list.moto"), m("server_cpu_us.list.eksy-local")),
            ">=",
            50.0,
        ),
        (
            "emulator CPU/request <= 1.5x minimal hyper (describe)",
            "eksy local / minimal server CPU",
            ratio(m("server_cpu_us.describe.eksy-local"), m("server_cpu_us.describe.fixed")),
            "<=",
            1.5,
        ),
        (
            "emulator CPU/request <= 1.5x minimal hyper (list)",
            "eksy local / minimal server CPU",
            ratio(m("server_cpu_us.list.eksy-local"), m("server_cpu_us.list.fixed")),
            "<=",
            1.5,
        ),
        (
            "cold pip install . <= 4 min on this machine",
            "minutes, empty target directory",
            None if m("build_s.cold") is None else m("build_s.cold") / 60,  # type: ignore[operator]
            "<=",
            4.0,
        ),
    ]
    out = []
    for name, what, value, op, bound in rows:
        if value is None:
            verdict = "N/A"
        else:
            verdict = "PASS" if (value <= bound if op == "<=" else value >= bound) else "MISS"
        out.append({"target": name, "ratio": what, "value": value, "op": op, "bound": bound, "verdict": verdict})
    return out


def info_ratios(res: Results) -> list[tuple[str, float | None]]:
    m = res.med
    return [
        ("later construction: boto3 / eksy", ratio(m("construct_next.boto3"), m("construct_next.eksy"))),
        ("first construction: aiobotocore / eksy", ratio(m("construct_first.aiobotocore"), m("construct_first.eksy"))),
        (
            "first construction + first call: boto3 / eksy",
            ratio(
                _sum(m("construct_first.boto3"), m("first_call.boto3")),
                _sum(m("construct_first.eksy"), m("first_call.eksy")),
            ),
        ),
        ("import: aiobotocore / eksy", ratio(m("import.aiobotocore"), m("import.eksy"))),
        (
            "whole process wall above bare python: boto3 / eksy",
            ratio(m("proc_wall_above.boto3"), m("proc_wall_above.eksy")),
        ),
        ("whole process CPU: boto3 / eksy (bare python included)", ratio(m("proc_cpu.boto3"), m("proc_cpu.eksy"))),
        ("import until client class loaded: eksy / boto3", ratio(m("import_ready.eksy"), m("import_ready.boto3"))),
        ("sequential calls/s: eksy / native", ratio(m("seq_cps.eksy"), m("seq_cps.native"))),
        ("sequential calls/s: eksy / boto3 (issue 5 asked 5)", ratio(m("seq_cps.eksy"), m("seq_cps.boto3"))),
        ("sequential CPU per call: eksy / native", ratio(m("seq_cpu_us.eksy"), m("seq_cpu_us.native"))),
        ("concurrent CPU per call: eksy async / native", ratio(m("conc_cpu_us.eksy-async"), m("conc_cpu_us.native"))),
        (
            "concurrent: eksy async / aiobotocore (issue 5 asked 10)",
            ratio(m("conc_cps.eksy-async"), m("conc_cps.aiobotocore")),
        ),
        ("concurrent: eksy async / boto3 64 threads", ratio(m("conc_cps.eksy-async"), m("conc_cps.boto3-threads"))),
        ("list all pages: boto3 / eksy time", ratio(m("list_us.boto3"), m("list_us.eksy"))),
        ("list all pages: eksy / native time", ratio(m("list_us.eksy"), m("list_us.native"))),
        ("describe_addon_versions: boto3 / eksy time", ratio(m("addons_us.boto3"), m("addons_us.eksy"))),
        (
            "emulator req/s: eksy local / moto, describe_cluster (issue 5 asked 50)",
            ratio(m("server_rps.describe.eksy-local"), m("server_rps.describe.moto")),
        ),
        (
            "emulator req/s: eksy local / minimal hyper, describe_cluster",
            ratio(m("server_rps.describe.eksy-local"), m("server_rps.describe.fixed")),
        ),
    ]


def _sum(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b


def fmt(v: float | None) -> str:
    if v is None:
        return "n/a"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def table(res: Results, nthreads: int) -> tuple[str, list[dict[str, Any]]]:
    cols = [
        "eksy",
        "eksy-async",
        "boto3",
        "boto3-threads",
        "aiobotocore",
        "native",
        "1",
        str(nthreads),
        "eksy-local",
        "moto",
        "fixed",
        "loopback",
        "bare",
        "cold",
    ]
    heads = {
        "1": "1 thread",
        str(nthreads): f"{nthreads} threads",
        "fixed": "minimal-hyper",
        "bare": "python -c pass",
    }
    rows: list[list[str]] = []
    for label, key, unit, scale in FIGURES:
        present = [col for col in cols if f"{key}.{col}" in res.samples]
        if not present and not any(k.startswith(f"{key}.") for k in res.errors):
            continue
        cells = [f"{heads.get(col, col)} {fmt(res.med(f'{key}.{col}') * scale)}" for col in present]  # type: ignore[operator]
        rows.append([label, unit, "  |  ".join(cells) if cells else "n/a"])
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines = ["FIGURES (medians)", "-" * 17]
    lines += [f"{r[0]:<{w0}}  {r[1]:<{w1}}  {r[2]}" for r in rows]
    build = res.extra.get("build")
    if build and build.get("recorded"):
        lines.append(f"(cold build: recorded {build['date']} by `run.py --cold-build`, not in this run)")
    tg = targets(res, nthreads)
    lines += ["", "TARGETS (ratios from this run)", "-" * 30]
    wt = max(len(t["target"]) for t in tg)
    wr = max(len(t["ratio"]) for t in tg)
    for t in tg:
        lines.append(
            f"{t['verdict']:<4}  {t['target']:<{wt}}  {t['ratio']:<{wr}}  {fmt(t['value']):>8}"
            f"  (need {t['op']} {t['bound']:g})"
        )
    lines += ["", "OTHER RATIOS (>1 means eksy is faster unless stated)", "-" * 51]
    info = info_ratios(res)
    wi = max(len(n) for n, _ in info)
    lines += [f"{n:<{wi}}  {fmt(v):>8}" for n, v in info]
    if res.errors:
        lines += ["", "ERRORS (figures shown as n/a)", "-" * 29]
        lines += [f"{k}: {v.strip().splitlines()[-1] if v.strip() else v}"[:240] for k, v in res.errors.items()]
    return "\n".join(lines), tg


def version_of(python: str | None, module: str) -> str | None:
    if not python:
        return None
    code = f"import importlib.metadata as m; print(m.version({module!r}))"
    try:
        r = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60, env=child_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() or None


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick", action="store_true", help="shrink every count (whole run < 60 s); proves the harness works"
    )
    ap.add_argument("--json", type=Path, default=None, help="write the results here (e.g. benches/results/latest.json)")
    ap.add_argument("--rounds", type=int, default=None, help="interleaved rounds of the client measurements")
    ap.add_argument(
        "--aio-python", default=os.environ.get("EKSY_BENCH_AIO_PYTHON"), help="interpreter with aiobotocore"
    )
    ap.add_argument(
        "--moto-python", default=os.environ.get("EKSY_BENCH_MOTO_PYTHON"), help="interpreter with moto[server]"
    )
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build for the native client")
    ap.add_argument(
        "--cold-build",
        action="store_true",
        help="also time a cold `pip install .` (fresh venv, empty target dir; minutes) and record it",
    )
    ap.add_argument("--no-moto", action="store_true", help="skip the moto server comparison")
    ap.add_argument(
        "--server",
        choices=("eksy-local", "moto"),
        default="eksy-local",
        help="server for the client measurements (moto only to develop the harness itself)",
    )
    args = ap.parse_args(argv)
    c = {k: v[1] if args.quick else v[0] for k, v in COUNTS.items()}
    if args.rounds:
        c["rounds"] = args.rounds
    t_start = time.perf_counter()
    load_start = os.getloadavg()

    main_py = sys.executable
    for mod in ("eksy", "boto3"):
        if not can_import(main_py, mod):
            log(f"this interpreter ({main_py}) cannot import {mod}; run the harness with the eksy venv's python")
            return 2
    aio_py = find_python("aiobotocore", args.aio_python, AIO_VENV)
    if not aio_py:
        log(f"aiobotocore not found (looked in this interpreter and {AIO_VENV}); its figures will be n/a")
    moto_py = None
    if not args.no_moto or args.server == "moto":
        # The base interpreter behind this venv too: `python3` on PATH may be the venv's own.
        base_python = str(Path(sys.base_prefix) / "bin" / "python3")
        moto_py = find_python("moto.server", args.moto_python, MOTO_VENV, extra=("python3", base_python))
        if not moto_py:
            log(f"moto[server] not found (looked in this interpreter, {MOTO_VENV}, python3, {base_python}); moto n/a")
    exe = native_binary(build=not args.no_build)
    if not exe:
        log("native client not built; native figures will be n/a")

    res = Results()
    res.attempt("build_s", lambda: build_figures(res, args.cold_build))
    wt = 300 if args.quick else 1800
    if args.server == "eksy-local":
        server = Server("eksy local", eksy_local_cmd(main_py))
    else:
        if not moto_py:
            return 2
        cmd, url = moto_cmd(moto_py)
        server = Server("moto (harness development)", cmd, url=url)
    with server:
        assert server.url is not None
        seed(res, main_py, server.url, c["clusters"], args.server)
        log("loopback TCP round trip (the floor of every call)")
        floor = lambda: res.add("loopback_rtt_us.loopback", loopback_round_trip_us(c["pingpong"]))  # noqa: E731
        res.attempt("loopback_rtt_us", floor)
        measure_clients(res, server.url, main_py, aio_py, exe, c, args.quick)
        log(f"{args.server} requests/s to the native client")
        measure_server(
            res,
            "eksy-local" if args.server == "eksy-local" else "moto",
            server.url,
            server.proc.pid if server.proc else None,
            exe,
            c["emu_calls"],
            c["rounds"],
            wt,
        )
        if exe and args.server == "eksy-local":
            res.attempt("server.fixed", lambda: measure_fixed_server(res, server.url or "", exe, c, wt))
    if moto_py and not args.no_moto and args.server == "eksy-local":
        cmd, url = moto_cmd(moto_py)
        try:
            with Server("moto server", cmd, url=url) as moto:
                assert moto.url is not None
                seed(res, main_py, moto.url, c["clusters"], "moto")
                log("moto requests/s to the native client")
                moto_pid = moto.proc.pid if moto.proc else None
                measure_server(res, "moto", moto.url, moto_pid, exe, c["moto_calls"], c["rounds"], wt)
        except Exception as e:
            res.errors["server.moto"] = f"{type(e).__name__}: {e}"[:2000]
            log(f"moto comparison failed: {e}")

    import token_bench  # issue 10: eksy token vs aws eks get-token, in the same run

    token_text, token_figures = token_bench.section(quick=args.quick, python=main_py)
    import state_bench  # issue 13: snapshot and restore with 1,000 resources

    state_text, state_figures = state_bench.section(quick=args.quick)
    nthreads = c["threads"]
    text, tg = table(res, nthreads)
    elapsed = time.perf_counter() - t_start
    meta = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "machine": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "quick": args.quick,
        "server": args.server,
        "elapsed_s": round(elapsed, 1),
        "loadavg_1m_start_end": [round(load_start[0], 2), round(os.getloadavg()[0], 2)],
        "counts": c,
        "inflight": INFLIGHT,
        "interpreters": {
            "eksy/boto3": main_py,
            "aiobotocore": aio_py,
            "moto": moto_py,
            "native": str(exe) if exe else None,
        },
        "versions": {
            "eksy": version_of(main_py, "eksy"),
            "boto3": version_of(main_py, "boto3"),
            "botocore": version_of(main_py, "botocore"),
            "aiobotocore": version_of(aio_py, "aiobotocore"),
            "aiobotocore's botocore": version_of(aio_py, "botocore"),
            "moto": version_of(moto_py, "moto"),
        },
    }
    header = (
        f"eksy benchmarks  {meta['date']}  nproc={meta['nproc']}  {meta['machine']}  Python {meta['python']}"
        f"{'  (QUICK: counts shrunk, figures not meaningful)' if args.quick else ''}  elapsed {elapsed:.0f}s"
    )
    print(header)
    print(text)
    print("\n" + token_text)
    print("\n" + state_text)
    if args.json:
        out = {
            "meta": meta,
            "medians": {k: median(v) for k, v in sorted(res.samples.items()) if v},
            "samples": dict(sorted(res.samples.items())),
            "extra": res.extra,
            "targets": tg,
            "other_ratios": dict(info_ratios(res)),
            "errors": res.errors,
            "table": header + "\n" + text + "\n\n" + token_text + "\n\n" + state_text,
            "token": token_figures,
            "state": state_figures,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
