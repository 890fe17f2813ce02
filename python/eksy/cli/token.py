"""``eksy token``: print an ExecCredential for a cluster (kubectl's exec plugin).

    eksy token --cluster-name prod --region us-west-2 [--role-arn ARN] [--no-cache]

The same token as ``aws eks get-token``, from the same credentials as the clients. kubectl runs
this for every new process, so a token is cached on disk (see ``eksy.kube._cache``) and the
cached path loads nothing but the extension: no clients, models, asyncio, argparse or json.
"""

from __future__ import annotations

import os
import sys
import time

from eksy._errors import EksError, NoRegionError

TYPE_CHECKING = False  # typing itself costs milliseconds on the path kubectl waits for
if TYPE_CHECKING:
    import argparse

ALPHA_API = "client.authentication.k8s.io/v1alpha1"
BETA_API = "client.authentication.k8s.io/v1beta1"
V1_API = "client.authentication.k8s.io/v1"

# option -> attribute; every option takes a value except the flags.
_VALUED = {
    "--cluster-name": "cluster_name",
    "--cluster-id": "cluster_id",
    "--region": "region",
    "--profile": "profile",
    "--role-arn": "role_arn",
    "--session-name": "session_name",
    "--external-id": "external_id",
}
_FLAGS = {"--no-cache": "no_cache"}


class Options:
    __slots__ = (
        "cluster_id",
        "cluster_name",
        "external_id",
        "no_cache",
        "profile",
        "region",
        "role_arn",
        "session_name",
    )

    def __init__(self, values: dict[str, str | bool]) -> None:
        def text(name: str) -> str | None:
            value = values.get(name)
            return value if isinstance(value, str) else None

        self.cluster_name = text("cluster_name")
        self.cluster_id = text("cluster_id")
        self.region = text("region")
        self.profile = text("profile")
        self.role_arn = text("role_arn")
        self.session_name = text("session_name")
        self.external_id = text("external_id")
        self.no_cache = values.get("no_cache") is True


def _parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="eksy token",
        description="Print a Kubernetes ExecCredential (JSON) with a token for an EKS cluster, as "
        "`aws eks get-token` does; kubectl runs it as an exec plugin.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--cluster-name", help="the cluster's name")
    who.add_argument("--cluster-id", help="the cluster's id (local clusters on AWS Outposts)")
    parser.add_argument("--region", help="the cluster's region (else AWS_REGION or the profile's)")
    parser.add_argument("--profile", help="AWS profile for the credentials (else AWS_PROFILE)")
    parser.add_argument("--role-arn", help="assume this IAM role and sign with its credentials")
    parser.add_argument("--session-name", help="the role session's name (default EKSGetTokenAuth)")
    parser.add_argument("--external-id", help="the external id the role's trust policy requires")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the token cache")
    return parser


def _fast_parse(argv: list[str]) -> Options | None:
    """Exactly spelled options (what kubeconfig files hold), without argparse; None otherwise."""
    values: dict[str, str | bool] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, inline = arg.partition("=")
        if name in _VALUED and name not in values:
            if eq:
                value = inline
            elif i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                i += 1
                value = argv[i]
            else:
                return None
            values[name] = value
        elif arg in _FLAGS and arg not in values:
            values[arg] = True
        else:
            return None
        i += 1
    if ("--cluster-name" in values) == ("--cluster-id" in values):
        return None
    return Options({_VALUED.get(k) or _FLAGS[k]: v for k, v in values.items()})


def parse(argv: list[str]) -> Options:
    """The options; usage errors and ``--help`` exit through argparse (status 2 and 0)."""
    fast = _fast_parse(argv)
    if fast is not None:
        return fast
    namespace = _parser().parse_args(argv)
    return Options({name: getattr(namespace, name) for name in Options.__slots__})


class _DecoderSettings:
    """What ``json.loads`` passes to its C scanner (``json.JSONDecoder``'s defaults)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


_JSON_WHITESPACE = " \t\n\r"


def _loads(raw: str) -> object:
    """``json.loads(raw)`` through the same C scanner, without importing ``json`` (which imports
    ``re``: milliseconds on the path kubectl waits for); ``ValueError`` if invalid."""
    try:
        from _json import make_scanner
    except ImportError:  # not CPython
        return _json_loads(raw)
    start = len(raw) - len(raw.lstrip(_JSON_WHITESPACE))
    try:
        value, end = make_scanner(_DecoderSettings())(raw, start)  # type: ignore[arg-type]  # a settings object
    except Exception:
        # Malformed input: the scanner's own error needs the json package; let it decide.
        return _json_loads(raw)
    if raw[end:].strip(_JSON_WHITESPACE):
        raise ValueError("Extra data")
    return value


def _json_loads(raw: str) -> object:
    import json

    return json.loads(raw)


def api_version(raw: str) -> tuple[str, str | None]:
    """The ExecCredential apiVersion for ``KUBERNETES_EXEC_INFO``, and a warning, as the AWS CLI."""
    if not raw:
        # kubectl before 1.20 did not always set it.
        return BETA_API, None
    try:
        info = _loads(raw)
    except ValueError:
        info = None
    if not isinstance(info, dict):
        return BETA_API, (
            f"Error parsing KUBERNETES_EXEC_INFO, defaulting to {BETA_API}. This is likely a bug in your "
            "Kubernetes client. Please update your Kubernetes client."
        )
    version = info.get("apiVersion")
    if version in (V1_API, BETA_API):
        return version, None
    if version == ALPHA_API:
        return version, (
            f"Kubeconfig user entry is using deprecated API version {ALPHA_API}. Run 'eksy kubeconfig' to update."
        )
    return BETA_API, (
        f"Unrecognized API version in KUBERNETES_EXEC_INFO, defaulting to {BETA_API}. This is likely due "
        "to an outdated eksy. Please update eksy."
    )


def exec_credential(version: str, token: str, expires_at: int) -> str:
    # Every value is from a fixed set or a restricted alphabet (base64url, digits), so this is
    # valid JSON without a JSON library.
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at))
    return (
        f'{{"kind": "ExecCredential", "apiVersion": "{version}", "spec": {{}}, '
        f'"status": {{"expirationTimestamp": "{stamp}", "token": "{token}"}}}}'
    )


def _token(options: Options) -> tuple[str, int]:
    from eksy import _eksy
    from eksy.kube import _cache

    cluster = options.cluster_name if options.cluster_name is not None else options.cluster_id
    assert cluster is not None
    if not options.no_cache:
        key = _eksy._kube_token_cache_key(
            cluster,
            region=options.region,
            profile=options.profile,
            role_arn=options.role_arn,
            role_session_name=options.session_name,
            external_id=options.external_id,
        )
        hit = _cache.read(key)
        if hit is not None:
            return hit
    token, expires_at, key = _eksy._kube_token(
        cluster,
        region=options.region,
        profile=options.profile,
        role_arn=options.role_arn,
        role_session_name=options.session_name,
        external_id=options.external_id,
    )
    if not options.no_cache:
        _cache.write(key, token, expires_at)
    return token, expires_at


def _check(options: Options) -> str | None:
    cluster = options.cluster_name if options.cluster_name is not None else options.cluster_id
    flag = "--cluster-name" if options.cluster_name is not None else "--cluster-id"
    if not cluster or not cluster.isascii() or not cluster.isprintable() or " " in cluster:
        return f"{flag} must be a non-empty cluster name or id of printable ASCII without spaces"
    if options.role_arn is None:
        for flag, value in (("--session-name", options.session_name), ("--external-id", options.external_id)):
            if value is not None:
                return f"{flag} only applies with --role-arn"
    return None


def main(argv: list[str]) -> int:
    options = parse(argv)
    problem = _check(options)
    if problem:
        print(f"eksy token: {problem}", file=sys.stderr)
        return 2
    version, warning = api_version(os.environ.get("KUBERNETES_EXEC_INFO", ""))
    if warning:
        print(warning, file=sys.stderr)
    try:
        token, expires_at = _token(options)
    except NoRegionError:
        print(
            "eksy token: no AWS region: pass --region, set AWS_REGION, or set `region` in your profile",
            file=sys.stderr,
        )
        return 1
    except EksError as error:
        # The messages name what is missing or refused, never a secret; kubectl shows stderr
        # as is, so a multi-line reason (the credential chain's) becomes one line.
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        print(f"eksy token: {'; '.join(lines)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    sys.stdout.write(exec_credential(version, token, expires_at) + "\n")
    sys.stdout.flush()
    return 0
