"""Random paths, bodies and headers against every route: every answer is a success or a
well-formed AWS JSON error, the server survives, and prior state is intact."""

from __future__ import annotations

import json
import random
import string
from typing import Any
from urllib.parse import quote

import boto3
from emulator_support import ROLE, SIGV4

ITERATIONS = 1500
METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"]


def templates() -> list[tuple[str, str]]:
    out = []
    for service in ("eks", "eks-auth"):
        model = boto3.session.Session()._session.get_service_model(service)
        for name in model.operation_names:
            http = model.operation_model(name).http
            out.append((http["method"], http["requestUri"].split("?")[0]))
    return out


def junk(rng: random.Random, n: int = 12) -> str:
    alphabet = string.printable + "é☃\x00"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, n)))


def fill(template: str, rng: random.Random) -> str:
    parts = []
    for segment in template.strip("/").split("/"):
        if segment.startswith("{"):
            value = rng.choice(["x", "demo-2", junk(rng), "a" * 200, "arn:aws:eks:us-east-1:123456789012:cluster/zz"])
            parts.append(quote(value, safe=""))
        else:
            parts.append(segment)
    path = "/" + "/".join(parts)
    if rng.random() < 0.5:
        key = rng.choice(["maxResults", "nextToken", "include", "types", "preserve", junk(rng, 4)])
        path += "?" + quote(key, safe="") + "=" + quote(rng.choice(["-1", "0", "7", "1000", "abc", junk(rng)]), safe="")
    return path


def random_body(rng: random.Random) -> bytes:
    choice = rng.random()
    if choice < 0.25:
        return b""
    if choice < 0.5:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    values: list[Any] = [None, True, 1, -5, 3.5, "s", [], {}, ["a", 1], {"a": {"b": []}}, "x" * 300, 2**70]
    keys = [
        "name",
        "roleArn",
        "resourcesVpcConfig",
        "version",
        "tags",
        "nodegroupName",
        "subnets",
        "nodeRole",
        "scalingConfig",
        "addonName",
        "selectors",
        "logging",
        "encryptionConfig",
        "labels",
        "taints",
        junk(rng, 5),
    ]
    doc = {rng.choice(keys): rng.choice(values) for _ in range(rng.randint(0, 6))}
    if rng.random() < 0.2:
        return json.dumps(rng.choice(values)).encode()
    return json.dumps(doc).encode()


def header_junk(rng: random.Random) -> str:
    # Header values stay valid HTTP (visible ASCII): malformed HTTP itself is rejected by the
    # HTTP layer with a bare 400 before any AWS handling, as AWS's front end does.
    return "".join(rng.choice(string.ascii_letters + string.digits + string.punctuation + " ") for _ in range(30))


def random_headers(rng: random.Random) -> dict[str, str]:
    headers: dict[str, str] = {}
    auth = rng.random()
    if auth < 0.7:
        headers["Authorization"] = SIGV4
        headers["X-Amz-Date"] = "20250101T000000Z"
    elif auth < 0.9:
        headers["Authorization"] = rng.choice(["AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=,", header_junk(rng)])
    if rng.random() < 0.3:
        headers["Content-Type"] = rng.choice(["application/json", "text/html", "application/x-amz-json-1.1", "x"])
    if rng.random() < 0.2:
        headers["X-" + "".join(rng.choices(string.ascii_letters, k=6))] = "".join(
            rng.choices(string.ascii_letters + " ", k=20)
        )
    return headers


def test_fuzz_every_route(local_eks: Any, eks: Any, make_cluster: Any, raw: Any) -> None:
    make_cluster("keep", tags={"owner": "fuzz"})
    eks.create_nodegroup(clusterName="keep", nodegroupName="ng", subnets=["s"], nodeRole=ROLE)
    before = eks.describe_cluster(name="keep")["cluster"]
    rng = random.Random(20240611)
    routes = templates()
    for i in range(ITERATIONS):
        if rng.random() < 0.85:
            method, template = rng.choice(routes)
            if rng.random() < 0.2:
                method = rng.choice(METHODS)
            path = fill(template, rng)
        else:
            method = rng.choice(METHODS)
            path = "/" + quote(junk(rng, 30), safe="/")
        status, headers, body = raw(method, path, body=random_body(rng), headers=random_headers(rng), auth=False)
        context = f"#{i} {method} {path} -> {status} {body[:200]!r}"
        assert 200 <= status < 600, context
        assert headers.get("x-amzn-requestid"), context
        assert headers.get("content-type") == "application/json", context
        decoded = json.loads(body) if body else {}
        assert isinstance(decoded, dict), context
        if status >= 300:
            assert headers.get("x-amzn-errortype"), context
            assert isinstance(decoded.get("message"), str), context
            assert status != 500, context  # a 500 would mean a handler panicked
    after = eks.describe_cluster(name="keep")["cluster"]
    assert after == before
    assert eks.list_nodegroups(clusterName="keep")["nodegroups"] == ["ng"]
