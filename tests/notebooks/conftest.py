"""Responses with every member set, parsed by eksy from the emulator (canned wire answers built
from the service model), for checking how models display."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore import xform_name
from eksy.testing import LocalEKS
from model_data import ALL_OPERATIONS, input_sample, output_shape, service_model, to_json_body, to_snake, wire_sample


def eksy_input(service: str, operation: str) -> dict[str, Any]:
    op = service_model(service)["operations"][operation]
    if "input" not in op:
        return {}
    converted: dict[str, Any] = to_snake(service, op["input"]["shape"], input_sample(service, operation))
    return converted


@pytest.fixture(scope="session")
def emulator() -> Iterator[LocalEKS]:
    with LocalEKS(region="us-west-2") as local:
        yield local


@pytest.fixture(scope="session")
def full_responses(emulator: LocalEKS) -> dict[str, Any]:
    """Operation name -> its response model with every member set, for every operation with an output."""
    clients = {"eks": emulator.client(), "eks-auth": emulator.auth_client()}
    responses = {}
    for service, operation in ALL_OPERATIONS:
        shape = output_shape(service, operation)
        if shape is None or not service_model(service)["shapes"][shape].get("members"):
            continue
        emulator.queue_response(operation, body=to_json_body(service, shape, wire_sample(service, shape)))
        responses[operation] = getattr(clients[service], xform_name(operation))(**eksy_input(service, operation))
    emulator.reset()
    return responses
