"""Random control commands with random argument values: every one answers (a result or a
ValueError carrying InvalidControlException's message), none panics, aborts or stalls the
emulator, and it keeps serving afterwards."""

from __future__ import annotations

import json
import random
from typing import Any

from eksy.testing import LocalEKS

COMMANDS = [
    "reset", "add_identity", "identities", "remove_identity", "set_kube_settings", "kube_settings", "overview",
    "snapshot", "restore", "set_strict", "kube_endpoints", "requests", "clear_requests", "queue", "clear_queue",
    "set_latency", "set_error_rate", "drop_connections", "clear_faults", "advance", "now", "set_timings", "timings",
    "force_status", "no_such_command",
]  # fmt: skip
KEYS = [
    "access_key_id", "secret_access_key", "arn", "account_id", "cluster", "name", "count", "drop", "error", "code",
    "message", "status", "expires_at", "fields", "headers", "health_issues", "lose_response", "operation", "rate",
    "region", "resource", "response", "seconds", "snapshot", "token_max_age", "enabled", "preset", "all",
    "cluster_create", "body",
]  # fmt: skip


def value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(12 if depth < 2 else 9)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, 1, -1, 2**31, 2**63 - 1, 2**64, -(2**63), 10**30])
    if kind == 3:
        return rng.choice([0.0, 0.5, -0.5, 1e20, 1e308, -1e308, 5e-324, 3600.0, 86_400.0])
    if kind == 4:
        return rng.choice(["", "x", "ACTIVE", "CreateCluster", "*", "cluster", "nodegroup", "realistic", "instant"])
    if kind == 5:
        return "a" * rng.choice([1, 255, 4096, 100_000])
    if kind == 6:
        return rng.choice(["arn:aws:iam::123456789012:user/u", "us-east-1", "123456789012", "\u0000\ufffd", "é" * 9])
    if kind == 7:
        return rng.choice(["ThrottlingException", "ResourceNotFoundException", "Nope", "5xx"])
    if kind == 8:
        return rng.randrange(-5, 20_000)
    if kind == 9:
        return [value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(KEYS): value(rng, depth + 1) for _ in range(rng.randrange(4))}


def test_random_controls_never_break_the_emulator() -> None:
    rng = random.Random(20261202)
    answered = refused = 0
    with LocalEKS() as local:
        for _ in range(3_000):
            command = rng.choice(COMMANDS)
            args = {rng.choice(KEYS): value(rng) for _ in range(rng.randrange(5))}
            try:
                json.loads(local.control_json(command, json.dumps(args)))
                answered += 1
            except ValueError as error:
                assert "failed unexpectedly" not in str(error), (command, args)
                refused += 1
            if command == "set_latency" or rng.random() < 0.05:
                local.clear_faults()  # a latency or a queued drop would slow the check below
        local.clear_faults()
        local.reset()
        assert local.client().list_clusters().clusters == []
    assert answered > 100 and refused > 100, (answered, refused)
