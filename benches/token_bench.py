#!/usr/bin/env python3
"""Token section of the benchmarks (issue 10): `eksy token` as kubectl runs it, against
`aws eks get-token` from PyPI's awscli and a bare `python -c pass`.

    python benches/token_bench.py [--quick] [--json FILE]     # alone
    python benches/run.py [--quick]                            # also runs this section

Four commands, each a fresh process, run in interleaved rounds (bare, cached, uncached, CLI,
then again) after a warm-up, so drift on a busy machine hits all alike; the table shows the
median CPU (user + system, from ``getrusage(RUSAGE_CHILDREN)``) and wall time of each:

- ``python -c pass``: the floor, an interpreter that starts and exits;
- ``eksy token`` cached: a fresh token is on disk (what almost every kubectl call hits);
- ``eksy token --no-cache``: resolve credentials and sign (what a cache miss costs);
- ``aws eks get-token``: awscli from PyPI in its own venv (``~/.cache/eksy-bench-awscli``,
  created on first use: awscli pins a botocore other than the one eksy's tests need).

``eksy token`` is run the way a kubeconfig written by ``eksy kubeconfig`` runs it: the ``eksy``
console script beside the interpreter running this harness (else ``python -m eksy``), with
``KUBERNETES_EXEC_INFO`` set as kubectl sets it. Every process gets test credentials, no
profile files, no instance metadata; nothing leaves the machine (presigning is local).
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

from _section import section_main

AWSCLI_VERSION = "1.46.3"
AWSCLI_VENV = Path.home() / ".cache" / "eksy-bench-awscli"
# (full, quick): interleaved rounds after WARMUP runs of each command.
ROUNDS = (40, 4)
WARMUP = 2
CLUSTER_ARGS = ["--cluster-name", "bench", "--region", "us-west-2"]
ROLE_ARGS = ["--role-arn", "arn:aws:iam::123456789012:role/bench"]
EXEC_INFO = '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}'
# Issue 10's targets: (name, figure, bound)
TARGETS = [
    ("eksy token uncached >= 5x faster than aws eks get-token (wall)", "uncached_speedup", 5.0),
    ("eksy token cached >= 15x faster than aws eks get-token (wall)", "cached_speedup", 15.0),
    ("eksy token cached within 15 ms CPU of python -c pass", "cached_cpu_over_bare_ms", 15.0),
]


def log(msg: str) -> None:
    print(f"[token bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def env_for(cache_home: str) -> dict[str, str]:
    drop = ("AWS_", "KUBERNETES_EXEC_INFO", "XDG_CACHE_HOME", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # timings assume the usual bytecode cache
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        KUBERNETES_EXEC_INFO=EXEC_INFO,
        XDG_CACHE_HOME=cache_home,
    )
    return env


def eksy_command(python: str) -> list[str]:
    """What a kubeconfig from `eksy kubeconfig` runs (its ``token_command``), else the console
    script beside the interpreter."""
    code = "import json; from eksy.kube._kubeconfig import token_command as t; c, a = t(); print(json.dumps([c, *a]))"
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
        command = json.loads(out)
        if isinstance(command, list) and all(isinstance(part, str) for part in command):
            return [*command, "token"]
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    script = Path(os.path.abspath(python)).parent / "eksy"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "token"]
    return [python, "-m", "eksy", "token"]


# Other ways to start the same command, measured cached for comparison (how a kubeconfig's exec
# block starts eksy changes what the interpreter imports before eksy runs).
def launch_forms(python: str) -> dict[str, list[str]]:
    forms = {
        "python -m eksy token": [python, "-m", "eksy", "token"],
        "python -c <main> token": [python, "-c", "from eksy.cli import main; raise SystemExit(main())", "token"],
    }
    script = Path(os.path.abspath(python)).parent / "eksy"
    if script.is_file():
        forms["console script"] = [str(script), "token"]
    return forms


def awscli() -> str | None:
    """`aws` from PyPI's awscli in its own venv, created (pinned version) when missing."""
    aws = AWSCLI_VENV / "bin" / "aws"
    if aws.exists():
        return str(aws)
    base = str(Path(sys.base_prefix) / "bin" / "python3")
    log(f"creating {AWSCLI_VENV} with awscli=={AWSCLI_VERSION} (once)")
    try:
        subprocess.run([base, "-m", "venv", str(AWSCLI_VENV)], check=True, timeout=300)
        pip = [str(AWSCLI_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", f"awscli=={AWSCLI_VERSION}"]
        subprocess.run(pip, check=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as e:
        log(f"could not install awscli: {e}")
        return None
    return str(aws) if aws.exists() else None


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``cmd``, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed ({r.returncode}): {r.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def start_emulator(python: str, env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    """`eksy local` on a free port of 127.0.0.1 (its STS answers AssumeRole); (process, URL)."""
    cmd = [python, "-m", "eksy", "local", "--host", "127.0.0.1", "--port", "0", "--timing", "all=0"]
    with log_path.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        found = re.search(r"http://127\.0\.0\.1:\d+", log_path.read_text(errors="replace"))
        if found:
            return proc, found.group(0)
        time.sleep(0.05)
    stop(proc)
    return None


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # this process only, by pid
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def section(quick: bool = False, python: str | None = None) -> tuple[str, dict[str, Any]]:
    """Runs the measurements; returns the printed section and its figures (for JSON)."""
    python = python or sys.executable
    rounds = ROUNDS[1] if quick else ROUNDS[0]
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="eksy-token-bench-") as cache_home:
        env = env_for(cache_home)
        eksy = eksy_command(python)
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([python, "-c", "pass"], env),
            "eksy token (cached)": ([*eksy, *CLUSTER_ARGS], env),
            "eksy token --no-cache": ([*eksy, *CLUSTER_ARGS, "--no-cache"], env),
        }
        for form, cmd in launch_forms(python).items():
            commands[f"  cached, started as {form}"] = ([*cmd, *CLUSTER_ARGS], env)
        aws = awscli()
        if aws:
            commands["aws eks get-token"] = ([aws, "eks", "get-token", *CLUSTER_ARGS], env)
        else:
            errors["aws eks get-token"] = f"awscli not available in {AWSCLI_VENV}"
        # With --role-arn, each signature first needs STS AssumeRole: on the emulator here.
        emulator = start_emulator(python, env, Path(cache_home) / "emulator.log")
        if emulator is None:
            errors["role"] = "eksy local did not start; no --role-arn figures"
        else:
            role_env = {**env, "AWS_ENDPOINT_URL_STS": emulator[1]}
            commands["--role-arn: eksy token (cached)"] = ([*eksy, *CLUSTER_ARGS, *ROLE_ARGS], role_env)
            commands["--role-arn: eksy token --no-cache"] = ([*eksy, *CLUSTER_ARGS, *ROLE_ARGS, "--no-cache"], role_env)
            if aws:
                commands["--role-arn: aws eks get-token"] = (
                    [aws, "eks", "get-token", *CLUSTER_ARGS, *ROLE_ARGS],
                    role_env,
                )
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        wall: dict[str, list[float]] = {name: [] for name in commands}
        log(f"{rounds} interleaved rounds of {len(commands)} commands (+{WARMUP} warm-up each)")
        cache_dir = Path(cache_home) / "eksy" / "tokens"
        start = time.monotonic()
        try:
            for i in range(WARMUP + rounds):
                if time.monotonic() - start > 10 * 60:
                    errors["rounds"] = f"stopped after {i} rounds: the cached tokens would near their expiry"
                    break
                for name, (cmd, cmd_env) in commands.items():
                    try:
                        c, w = run_once(cmd, cmd_env)
                    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                        errors.setdefault(name, str(e)[:1000])
                        continue
                    if i >= WARMUP:
                        cpu[name].append(c)
                        wall[name].append(w)
        finally:
            if emulator is not None:
                stop(emulator[0])
        cached_files = sorted(cache_dir.glob("*.token")) if cache_dir.is_dir() else []
        # The cached runs must all have been hits: one file per case, written by the warm-up.
        expected_files = 1 if emulator is None else 2
        if len(cached_files) != expected_files:
            errors["cache"] = f"expected {expected_files} cache files, found {len(cached_files)}"

    def med(series: dict[str, list[float]], name: str) -> float | None:
        values = series.get(name) or []
        return median(values) if values else None

    figures: dict[str, Any] = {
        "cpu_ms": {n: (m * 1e3 if (m := med(cpu, n)) is not None else None) for n in commands},
        "wall_ms": {n: (m * 1e3 if (m := med(wall, n)) is not None else None) for n in commands},
        "samples": {"cpu_s": cpu, "wall_s": wall},
        "rounds": rounds,
        "commands": {name: cmd for name, (cmd, _) in commands.items()},
    }
    w, c = figures["wall_ms"], figures["cpu_ms"]
    cli_wall = w.get("aws eks get-token")
    values = {
        "uncached_speedup": ratio(cli_wall, w["eksy token --no-cache"]),
        "cached_speedup": ratio(cli_wall, w["eksy token (cached)"]),
        "cached_cpu_over_bare_ms": (
            c["eksy token (cached)"] - c["python -c pass"]
            if c["eksy token (cached)"] is not None and c["python -c pass"] is not None
            else None
        ),
    }
    figures["ratios"] = {
        **values,
        "uncached_cpu_speedup": ratio(c.get("aws eks get-token"), c["eksy token --no-cache"]),
        "cached_cpu_speedup": ratio(c.get("aws eks get-token"), c["eksy token (cached)"]),
        "role_uncached_speedup": ratio(
            w.get("--role-arn: aws eks get-token"), w.get("--role-arn: eksy token --no-cache")
        ),
        "role_cached_speedup": ratio(w.get("--role-arn: aws eks get-token"), w.get("--role-arn: eksy token (cached)")),
    }
    figures["targets"] = []
    for target, key, bound in TARGETS:
        value = values[key]
        if value is None:
            verdict = "n/a"
        elif key.endswith("_ms"):
            verdict = "PASS" if value <= bound else "MISS"
        else:
            verdict = "PASS" if value >= bound else "MISS"
        figures["targets"].append({"target": target, "value": value, "bound": bound, "verdict": verdict})
    figures["errors"] = errors
    figures["extension"] = extension_info(python)

    lines = [
        f"EKSY TOKEN vs AWS EKS GET-TOKEN (medians of {rounds} interleaved runs; {figures['extension']})",
        "-" * 32,
        f"eksy token is started as a kubeconfig from `eksy kubeconfig` starts it: {' '.join(eksy)}",
    ]
    width = max(len(n) for n in commands)
    for name in commands:
        cm, wm = c.get(name), w.get(name)
        cell = "n/a" if cm is None or wm is None else f"CPU {cm:7.1f} ms   wall {wm:7.1f} ms"
        lines.append(f"{name:<{width}}  {cell}")
    lines += ["", "ISSUE-10 TOKEN TARGETS", "-" * 22]
    for t in figures["targets"]:
        shown = "n/a" if t["value"] is None else f"{t['value']:.1f}"
        lines.append(f"{t['verdict']:<4}  {t['target']}: {shown}")
    other = figures["ratios"]
    for label, key in (
        ("uncached, CPU", "uncached_cpu_speedup"),
        ("cached, CPU", "cached_cpu_speedup"),
        ("--role-arn uncached, wall", "role_uncached_speedup"),
        ("--role-arn cached, wall", "role_cached_speedup"),
    ):
        shown = "n/a" if other[key] is None else f"{other[key]:.1f}x"
        lines.append(f"      (aws eks get-token / eksy token {label}: {shown})")
    if errors:
        lines += ["", "TOKEN ERRORS", "-" * 12]
        lines += [f"{k}: {v.splitlines()[-1] if v else v}"[:240] for k, v in errors.items()]
    return "\n".join(lines), figures


def extension_info(python: str) -> str:
    """Which build of the extension was measured (a debug build is several times slower)."""
    code = "import eksy._eksy as m, os; print(m.__file__); print(os.path.getsize(m.__file__))"
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
        path, size = out.split()
    except (OSError, subprocess.SubprocessError, ValueError):
        return "extension: unknown"
    return f"extension {path}, {int(size) / 2**20:.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    return section_main(__doc__, f"{ROUNDS[1]} rounds instead of {ROUNDS[0]}", section, argv)


if __name__ == "__main__":
    sys.exit(main())
