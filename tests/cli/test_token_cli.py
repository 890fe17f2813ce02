"""`eksy token`, kubectl's exec plugin: the ExecCredential, KUBERNETES_EXEC_INFO as the AWS CLI
reads it, the disk cache shared by processes, errors, and what the cached path loads."""

from __future__ import annotations

import calendar
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cli.conftest import (
    ACCESS_KEY,
    CLUSTER_ARGS,
    REGION,
    SECRET_KEY,
    SESSION_TOKEN,
    TokenEnv,
    exec_credential,
    run_token,
    token_url,
)
from eksy import _eksy
from eksy.cli import main
from eksy.kube import _cache

pytestmark = pytest.mark.usefixtures("token_cli_env")

BETA = "client.authentication.k8s.io/v1beta1"
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def cache_key(**settings: str) -> str:
    return _eksy._kube_token_cache_key("prod", region=REGION, **settings)


def plant(env: TokenEnv, key: str, token: str, expires_at: int) -> Path:
    """A cache file written as `eksy token` writes one, with a token no signer would make."""
    env.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = env.cache_dir / f"{key}.token"
    path.write_text(f"{_cache.FORMAT}\n{key}\n{expires_at}\n{token}\n")
    path.chmod(0o600)
    return path


PLANTED = "k8s-aws-v1.cGxhbnRlZC1ieS10aGUtdGVzdA"  # base64url("planted-by-the-test")


def test_prints_an_exec_credential(token_cli_env: TokenEnv) -> None:
    before = int(time.time())
    cred = exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS))
    after = int(time.time())
    assert list(cred) == ["kind", "apiVersion", "spec", "status"]
    assert cred["kind"] == "ExecCredential" and cred["apiVersion"] == BETA and cred["spec"] == {}
    assert list(cred["status"]) == ["expirationTimestamp", "token"]
    stamp = cred["status"]["expirationTimestamp"]
    assert RFC3339_UTC.match(stamp)
    expires = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
    assert before + 840 <= expires <= after + 840
    url = token_url(cred["status"]["token"])
    assert url.startswith(f"https://sts.{REGION}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&")
    assert f"X-Amz-Credential={ACCESS_KEY}%2F" in url and "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id" in url


def test_the_console_script_and_cluster_id(token_cli_env: TokenEnv) -> None:
    script = Path(sys.executable).parent / "eksy"
    if not script.exists():
        pytest.skip("no eksy console script next to this interpreter")
    result = subprocess.run(
        [str(script), "token", "--cluster-id", "8a3b6c1e-5f2d", "--region", REGION],
        capture_output=True,
        text=True,
        timeout=120,
        env=token_cli_env.env,
    )
    assert token_url(exec_credential(result)["status"]["token"]).startswith("https://sts.us-west-2.")


# KUBERNETES_EXEC_INFO -> (apiVersion printed, words of the warning on stderr or None)
EXEC_INFO_CASES = {
    "unset": (None, BETA, None),
    "empty": ("", BETA, None),
    "v1": ('{"apiVersion": "client.authentication.k8s.io/v1", "spec": {"interactive": false}}', "v1", None),
    "v1beta1": ('{"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1"}', "v1beta1", None),
    "v1alpha1": ('{"apiVersion": "client.authentication.k8s.io/v1alpha1"}', "v1alpha1", "deprecated API version"),
    "unknown": ('{"apiVersion": "client.authentication.k8s.io/v2"}', BETA, "Unrecognized API version"),
    "no apiVersion": ("{}", BETA, "Unrecognized API version"),
    "not JSON": ("{apiVersion: v1", BETA, "Error parsing KUBERNETES_EXEC_INFO"),
    "not an object": ("[]", BETA, "Error parsing KUBERNETES_EXEC_INFO"),
}


@pytest.mark.parametrize("case", list(EXEC_INFO_CASES))
def test_api_version_follows_kubernetes_exec_info(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, expected, warning = EXEC_INFO_CASES[case]
    if raw is not None:
        monkeypatch.setenv("KUBERNETES_EXEC_INFO", raw)
    assert main(["token", *CLUSTER_ARGS]) == 0
    out, err = capsys.readouterr()
    version = json.loads(out)["apiVersion"]
    assert version == (expected if "/" in expected else f"client.authentication.k8s.io/{expected}")
    if warning is None:
        assert err == ""
    else:
        assert warning in err and len(err.splitlines()) == 1


JSON_CORPUS = [
    '{"apiVersion": "client.authentication.k8s.io/v1"}',
    ' \n{"a": [1, 2.5, -0, 1e400, NaN, -Infinity, true, false, null, "\\u00e9\\ud800"]}\t',
    "[]",
    '"text"',
    "NaN",
    '{"a": 1, "a": 2}',
    "",
    "   ",
    "{",
    '{"a": 1} x',
    '{"a": 1}{}',
    "\ufeff{}",
    '{"a": "\x01"}',
    "nul",
    "{'a': 1}",
    '{"a": 01}',
]


@pytest.mark.parametrize("raw", JSON_CORPUS)
def test_kubernetes_exec_info_is_parsed_as_json_loads_parses_it(raw: str) -> None:
    from eksy.cli.token import _loads

    try:
        expected: object = ("value", json.loads(raw))
    except ValueError:
        expected = "error"
    try:
        ours: object = ("value", _loads(raw))
    except ValueError:
        ours = "error"
    assert repr(ours) == repr(expected)


@pytest.mark.parametrize("case", ["v1alpha1", "not JSON", "not an object"])
def test_api_version_in_a_fresh_process(token_cli_env: TokenEnv, case: str) -> None:
    # A fresh process has not imported json: malformed values take another path than in-process.
    raw, expected, warning = EXEC_INFO_CASES[case]
    assert raw is not None and warning is not None
    result = run_token(token_cli_env.env, *CLUSTER_ARGS, extra_env={"KUBERNETES_EXEC_INFO": raw})
    assert exec_credential(result)["apiVersion"].endswith(expected)
    assert warning in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
@pytest.mark.parametrize("case", [c for c in EXEC_INFO_CASES if c != "not an object"])  # the CLI crashes on []
def test_api_version_matches_the_aws_cli(token_cli_env: TokenEnv, case: str) -> None:
    raw, _, _ = EXEC_INFO_CASES[case]
    extra = {} if raw is None else {"KUBERNETES_EXEC_INFO": raw}
    env = {k: v for k, v in token_cli_env.env.items() if not k.startswith("PYTHON")}
    cli = subprocess.run(
        ["aws", "eks", "get-token", "--cluster-name", "prod", "--region", REGION],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, **extra},
    )
    ours = run_token(token_cli_env.env, *CLUSTER_ARGS, extra_env=extra)
    assert json.loads(cli.stdout)["apiVersion"] == exec_credential(ours)["apiVersion"]
    assert bool(cli.stderr.strip()) == bool(ours.stderr.strip())


def test_a_second_run_signs_nothing(token_cli_env: TokenEnv) -> None:
    first = run_token(token_cli_env.env, *CLUSTER_ARGS)
    token = exec_credential(first)["status"]["token"]
    [file] = token_cli_env.cache_files()
    written = file.stat()
    # X-Amz-Date has one-second resolution: a token signed in a later second differs.
    second_started = int(time.time()) + 1
    time.sleep(max(0.0, second_started - time.time()))
    second = run_token(token_cli_env.env, *CLUSTER_ARGS)
    assert second.stdout == first.stdout
    assert file.stat().st_mtime_ns == written.st_mtime_ns and file.stat().st_ino == written.st_ino
    fresh = exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS, "--no-cache"))["status"]["token"]
    assert fresh != token
    assert file.stat().st_ino == written.st_ino  # --no-cache wrote nothing


def test_a_cached_token_is_printed_as_stored(token_cli_env: TokenEnv) -> None:
    expires_at = int(time.time()) + 600
    plant(token_cli_env, cache_key(), PLANTED, expires_at)
    cred = exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS))
    assert cred["status"]["token"] == PLANTED
    assert cred["status"]["expirationTimestamp"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at))
    assert exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS, "--no-cache"))["status"]["token"] != PLANTED


def test_a_token_about_to_expire_is_replaced(token_cli_env: TokenEnv) -> None:
    path = plant(token_cli_env, cache_key(), PLANTED, int(time.time()) + 50)
    assert exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS))["status"]["token"] != PLANTED
    assert PLANTED not in path.read_text()


def _corrupt(env: TokenEnv, kind: str) -> Path:
    key = cache_key()
    path = plant(env, key, PLANTED, int(time.time()) + 600)
    text = path.read_text()
    if kind == "garbage":
        path.write_bytes(b"\x00\xff" * 300)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "torn":
        path.write_text(text[: len(text) // 2])
    elif kind == "other format version":
        path.write_text(text.replace(_cache.FORMAT, "eksy-token-cache 0"))
    elif kind == "other key":
        path.write_text(text.replace(key, "0" * 64))
    elif kind == "not a token":
        path.write_text(text.replace(PLANTED, "Bearer planted"))
    elif kind == "expiry too far ahead":
        path.write_text(text.replace(str(int(time.time()) + 600), str(int(time.time()) + 7200)))
    elif kind == "readable by others":
        path.chmod(0o644)
    elif kind == "symlink":
        target = env.home / "elsewhere.token"
        path.rename(target)
        path.symlink_to(target)
    elif kind == "other owner":
        os.chown(path, 12345, -1)
    path.parent.chmod(0o700)
    return path


CORRUPTIONS = [
    "garbage",
    "empty",
    "torn",
    "other format version",
    "other key",
    "not a token",
    "expiry too far ahead",
    "readable by others",
    "symlink",
    "other owner",
]


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_a_corrupt_or_foreign_file_is_ignored_and_replaced(token_cli_env: TokenEnv, kind: str) -> None:
    if kind == "other owner" and os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    path = _corrupt(token_cli_env, kind)
    token = exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS))["status"]["token"]
    assert token != PLANTED
    st = path.lstat()
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == os.getuid()
    hit = _cache.read(cache_key())
    assert hit is not None and hit[0] == token
    # ... and is what the next run prints.
    assert exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS))["status"]["token"] == token


def test_changed_credentials_get_their_own_token(token_cli_env: TokenEnv) -> None:
    def token_for(**env: str) -> str:
        return exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS, extra_env=env))["status"]["token"]

    first = token_for()
    other_key = token_for(AWS_ACCESS_KEY_ID="AKIDOTHEREXAMPLE")
    assert other_key != first and "X-Amz-Credential=AKIDOTHEREXAMPLE%2F" in token_url(other_key)
    # Same access key id, another secret: the key must still differ (the cache never serves a
    # token signed with other credentials).
    other_secret = token_for(AWS_SECRET_ACCESS_KEY="another-secret")
    assert other_secret not in (first, other_key)
    with_session = token_for(AWS_SESSION_TOKEN=SESSION_TOKEN)
    assert with_session not in (first, other_key, other_secret) and "X-Amz-Security-Token=" in token_url(with_session)
    assert token_for() == first  # the first credentials' token is still cached
    assert len(token_cli_env.cache_files()) == 4


@pytest.mark.parametrize(
    "change",
    [
        {"cluster": "staging"},
        {"region": "eu-west-1"},
        {"profile": "team"},
        {"role_arn": "arn:aws:iam::123456789012:role/a"},
        {"role_arn": "arn:aws:iam::123456789012:role/a", "role_session_name": "me"},
        {"role_arn": "arn:aws:iam::123456789012:role/a", "external_id": "x"},
        {"endpoint_url": "http://127.0.0.1:4566"},
        {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": "other"},
    ],
    ids=lambda change: "+".join(change),
)
def test_the_cache_key_covers_what_changes_the_token(token_cli_env: TokenEnv, change: dict[str, str]) -> None:
    (token_cli_env.home / "aws-credentials").write_text(
        f"[team]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
    )
    settings = dict(change)
    cluster = settings.pop("cluster", "prod")
    region = settings.pop("region", REGION)
    base = _eksy._kube_token_cache_key("prod", region=REGION)
    assert _eksy._kube_token_cache_key("prod", region=REGION) == base
    changed = _eksy._kube_token_cache_key(cluster, region=region, **settings)
    assert changed != base and re.fullmatch(r"[0-9a-f]{64}", changed)
    assert SECRET_KEY not in changed


def test_concurrent_processes_all_get_credentials_and_never_see_a_torn_file(token_cli_env: TokenEnv) -> None:
    key = cache_key()
    path = token_cli_env.cache_dir / f"{key}.token"
    seen: list[bytes] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                seen.append(path.read_bytes())
            except FileNotFoundError:
                pass

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "eksy", "token", *CLUSTER_ARGS],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=token_cli_env.env,
            )
            for _ in range(20)
        ]
        results = [(p.communicate(timeout=120), p.returncode) for p in procs]
    finally:
        done.set()
        watcher.join()
    for (out, err), code in results:
        assert code == 0, err
        cred = json.loads(out)
        assert f"X-Amz-Credential={ACCESS_KEY}%2F" in token_url(cred["status"]["token"])
    for content in seen:  # every read saw a whole file
        lines = content.decode().split("\n")
        assert len(lines) == 5 and lines[0] == _cache.FORMAT and lines[1] == key and lines[4] == ""
        assert lines[3].startswith("k8s-aws-v1.")
    assert [p.name for p in token_cli_env.cache_dir.iterdir()] == [path.name]  # no temporary file left
    assert _cache.read(key) is not None


def test_modes_are_the_users_alone(token_cli_env: TokenEnv) -> None:
    command = f"umask 000; exec {sys.executable} -m eksy token {' '.join(CLUSTER_ARGS)}"
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=120, env=token_cli_env.env)
    exec_credential(result)
    assert stat.S_IMODE(token_cli_env.cache_dir.stat().st_mode) == 0o700
    [file] = token_cli_env.cache_files()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_an_open_cache_directory_is_closed(token_cli_env: TokenEnv) -> None:
    token_cli_env.cache_dir.mkdir(parents=True)
    token_cli_env.cache_dir.chmod(0o755)
    exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS))
    assert stat.S_IMODE(token_cli_env.cache_dir.stat().st_mode) == 0o700


def test_cache_directory_without_xdg_cache_home(token_cli_env: TokenEnv) -> None:
    home = token_cli_env.home / "home"
    for xdg in (None, "relative/path"):  # a relative XDG_CACHE_HOME is ignored, as the spec says
        env = {k: v for k, v in token_cli_env.env.items() if k != "XDG_CACHE_HOME"}
        env["HOME"] = str(home)
        if xdg:
            env["XDG_CACHE_HOME"] = xdg
        exec_credential(run_token(env, *CLUSTER_ARGS))
        assert len(list((home / ".cache" / "eksy" / "tokens").glob("*.token"))) == 1


def test_expired_files_are_pruned_when_a_token_is_written(token_cli_env: TokenEnv) -> None:
    stale = plant(token_cli_env, "a" * 64, PLANTED, int(time.time()) - 3000)
    recent = plant(token_cli_env, "b" * 64, PLANTED, int(time.time()) + 600)
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    exec_credential(run_token(token_cli_env.env, *CLUSTER_ARGS))
    assert not stale.exists() and recent.exists()


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_no_credentials_is_one_line(token_cli_env: TokenEnv) -> None:
    env = {k: v for k, v in token_cli_env.env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    result = run_token(env, *CLUSTER_ARGS)
    assert result.returncode == 1
    assert one_error_line(result).startswith("eksy token: ") and "No AWS credentials" in result.stderr


def test_no_region_is_one_line(token_cli_env: TokenEnv) -> None:
    result = run_token(token_cli_env.env, "--cluster-name", "prod")
    assert result.returncode == 1 and "--region" in one_error_line(result)


@pytest.mark.parametrize(
    "args",
    [
        ("--region", REGION),
        ("--cluster-name", "prod", "--cluster-id", "abc", "--region", REGION),
        ("--cluster-name", "prod", "--session-name", "me", "--region", REGION),
        ("--cluster-name", "", "--region", REGION),
        ("--cluster-name", "prod", "--frobnicate"),
        ("--cluster-name",),
    ],
)
def test_usage_errors_exit_2(token_cli_env: TokenEnv, args: tuple[str, ...]) -> None:
    result = run_token(token_cli_env.env, *args)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr


def test_option_spellings_argparse_accepts(token_cli_env: TokenEnv) -> None:
    for args in (("--cluster-name=prod", f"--region={REGION}"), ("--cluster-n", "prod", "--reg", REGION)):
        exec_credential(run_token(token_cli_env.env, *args))


def test_errors_name_no_secret(token_cli_env: TokenEnv) -> None:
    result = run_token(
        token_cli_env.env,
        *CLUSTER_ARGS,
        "--role-arn",
        "arn:aws:iam::123456789012:role/eks-admin",
        extra_env={
            "AWS_SESSION_TOKEN": SESSION_TOKEN,
            "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9",  # discard port: nothing listens
            "AWS_MAX_ATTEMPTS": "1",
        },
    )
    assert result.returncode == 1
    line = one_error_line(result)
    assert "AssumeRole" in line
    for secret in (SECRET_KEY, SESSION_TOKEN):
        assert secret not in result.stderr
    assert token_cli_env.cache_files() == []


def _modules_after(env: TokenEnv) -> set[str]:
    # KUBERNETES_EXEC_INFO as kubectl sets it: reading it must not need the json package either.
    code = (
        "import sys\n"
        "from eksy.cli import main\n"
        f"code = main(['token', *{list(CLUSTER_ARGS)!r}])\n"
        "sys.stderr.write(' '.join(sorted(sys.modules)))\n"
        "sys.exit(code)\n"
    )
    exec_info = '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}'
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env.env, "KUBERNETES_EXEC_INFO": exec_info},
    )
    assert exec_credential(result)["apiVersion"] == "client.authentication.k8s.io/v1"
    return set(result.stderr.split())


HEAVY = {
    "asyncio",
    "argparse",
    "json",
    "dataclasses",
    "eksy.models",
    "eksy._model_base",
    "eksy._client_base",
    "eksy._generated.eks_client",
    "eksy._generated.eks_async_client",
    "eksy.kube._token",
}


def test_neither_path_loads_clients_models_or_asyncio(token_cli_env: TokenEnv) -> None:
    missed = _modules_after(token_cli_env)  # empty cache: signs and writes
    assert token_cli_env.cache_files()
    cached = _modules_after(token_cli_env)
    assert "eksy.kube._cache" in cached
    assert not (missed & HEAVY), missed & HEAVY
    assert not (cached & HEAVY), cached & HEAVY
