"""The two clientRequestToken scenarios every token-taking operation is checked with (see
test_idempotency.py and test_idempotency_updates.py): a retry after a lost response acts once and
succeeds; a token reused with other input is refused. Each operation brings a setup that
prepares what it needs and a count of its visible effect."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.config
import eksy
import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"
NODE_ROLE = "arn:aws:iam::123456789012:role/node"
SUBNETS = ["subnet-a", "subnet-b"]
PRINCIPAL = "arn:aws:iam::123456789012:role/dev"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def demo_emulator() -> Iterator[LocalEKS]:
    """An emulator with an ACTIVE cluster "demo" (the test modules' `local` fixture)."""
    with LocalEKS() as emulator:
        boto(emulator).create_cluster(
            name="demo",
            roleArn=ROLE,
            resourcesVpcConfig={"subnetIds": SUBNETS},
            accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"},
        )
        boto(emulator).describe_cluster(name="demo")  # settles: ACTIVE
        yield emulator


def boto(local: LocalEKS) -> Any:
    return boto3.client(
        "eks",
        endpoint_url=local.endpoint_url,
        region_name=local.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 3}),
    )


def snake(value: Any) -> Any:
    """boto3's camelCase arguments as eksy spells them (map keys in the scenarios are lowercase)."""
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower(): snake(item) for key, item in value.items()}
    if isinstance(value, list):
        return [snake(item) for item in value]
    return value


def call(local: LocalEKS, client: str, method: str, kwargs: dict[str, Any]) -> Any:
    if client == "eksy":
        return getattr(local.client(), method)(**snake(kwargs))
    return getattr(boto(local), method)(**kwargs)


def updates(eks: Any, **scope: str) -> int:
    return len(eks.list_updates(**scope)["updateIds"])


Setup = Callable[[Any, LocalEKS], dict[str, Any]]


@dataclass
class Scenario:
    """One operation: `setup` prepares the resources it needs and returns its boto3 arguments;
    `effect` counts what it did (it must grow by exactly one); `other` is input that differs;
    `modified` reads the resource's last-modified time (epoch seconds), for updates whose second
    run would leave no other trace."""

    method: str
    setup: Setup
    effect: Callable[[Any, dict[str, Any]], int]
    other: dict[str, Any] = field(default_factory=dict)
    modified: Callable[[Any, dict[str, Any]], float] | None = None


def check_lost_response_retry(local: LocalEKS, operation: str, scenario: Scenario, client: str) -> None:
    eks = boto(local)
    kwargs = scenario.setup(eks, local)
    before = scenario.effect(eks, kwargs)
    local.clear_requests()
    local.queue_lost_response(operation)
    answer = call(local, client, scenario.method, kwargs)
    assert answer is not None
    attempts = local.requests(operation=operation)
    assert len(attempts) == 2, "the first answer was lost, the SDK retried once"
    tokens = {token_of(attempt) for attempt in attempts}
    assert len(tokens) == 1 and None not in tokens, "the SDK filled in one token and kept it"
    assert scenario.effect(eks, kwargs) == before + 1, "the operation acted exactly once"
    if scenario.modified is not None:
        retried_at = attempts[1]["time"]
        assert scenario.modified(eks, kwargs) < retried_at, "the retry replayed the first answer, it did not run again"


def check_other_input_is_refused(local: LocalEKS, operation: str, scenario: Scenario, client: str) -> None:
    kwargs = scenario.setup(boto(local), local)
    first = call(local, client, scenario.method, {**kwargs, "clientRequestToken": "tok-1"})
    again = call(local, client, scenario.method, {**kwargs, "clientRequestToken": "tok-1"})
    if client == "boto3":
        first.pop("ResponseMetadata")
        again.pop("ResponseMetadata")
    assert again == first, "a repeat gets the first answer"
    changed = {**kwargs, **scenario.other, "clientRequestToken": "tok-1"}
    assert changed != {**kwargs, "clientRequestToken": "tok-1"}
    if client == "eksy":
        with pytest.raises(eksy.InvalidParameterException, match="tok-1"):
            call(local, client, scenario.method, changed)
    else:
        eks = boto(local)
        with pytest.raises(eks.exceptions.InvalidParameterException, match="tok-1"):
            getattr(eks, scenario.method)(**changed)


def token_of(request: Any) -> str | None:
    body = request["body"] if isinstance(request["body"], dict) else {}
    query = dict(request["query"])
    token = body.get("clientRequestToken", query.get("clientRequestToken"))
    return token if isinstance(token, str) else None
