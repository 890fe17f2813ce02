"""eksy and boto3 (an independent implementation of the same protocol) must agree on the wire.

For every operation: the same input with every member set yields the same HTTP request at the
emulator; one canned response with every member set parses to the same data; every modeled
error parses to the same code and fields.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import eksy
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from eksy._generated.errors import ERROR_CLASSES
from eksy.testing import LocalEKS
from model_data import (
    ALL_OPERATIONS,
    error_shapes,
    input_sample,
    output_shape,
    service_model,
    to_json_body,
    to_snake,
    wire_sample,
)

IDS = [f"{service}:{op}" for service, op in ALL_OPERATIONS]


def eksy_input(service: str, operation: str) -> dict[str, Any]:
    op = service_model(service)["operations"][operation]
    if "input" not in op:
        return {}
    converted: dict[str, Any] = to_snake(service, op["input"]["shape"], input_sample(service, operation))
    return converted


def request_view(recorded: dict[str, Any]) -> dict[str, Any]:
    body = recorded["body"]
    if isinstance(body, str) and body:
        body = json.loads(body)
    return {
        "method": recorded["method"],
        "path": recorded["path"],
        "query": sorted(map(tuple, recorded["query"])),
        "body": body or None,
    }


def call_boto(client: Any, operation: str, params: dict[str, Any]) -> Any:
    try:
        return getattr(client, xform_name(operation))(**params)
    except ClientError as error:
        return error


def call_eksy(client: Any, operation: str, params: dict[str, Any]) -> Any:
    try:
        return getattr(client, xform_name(operation))(**params)
    except eksy.EksError as error:
        return error


@pytest.mark.parametrize(("service", "operation"), ALL_OPERATIONS, ids=IDS)
def test_same_request_as_boto3(
    emulator: LocalEKS, boto_clients: dict[str, Any], eksy_clients: dict[str, Any], service: str, operation: str
) -> None:
    emulator.queue_response(operation, body={}, count=2)
    call_boto(boto_clients[service], operation, input_sample(service, operation))
    call_eksy(eksy_clients[service], operation, eksy_input(service, operation))
    recorded = emulator.requests(operation=operation)
    assert len(recorded) == 2, recorded
    boto_request, eksy_request = (request_view(r) for r in recorded)
    assert eksy_request == boto_request


def canned_output(service: str, operation: str) -> tuple[str | None, Any]:
    shape = output_shape(service, operation)
    if shape is None:
        return None, {}
    return shape, wire_sample(service, shape)


@pytest.mark.parametrize(("service", "operation"), ALL_OPERATIONS, ids=IDS)
def test_same_response_as_boto3(
    emulator: LocalEKS, boto_clients: dict[str, Any], eksy_clients: dict[str, Any], service: str, operation: str
) -> None:
    shape, sample = canned_output(service, operation)
    body = to_json_body(service, shape, sample) if shape else {}
    emulator.queue_response(operation, body=body, count=2)
    boto_result = call_boto(boto_clients[service], operation, input_sample(service, operation))
    eksy_result = call_eksy(eksy_clients[service], operation, eksy_input(service, operation))
    assert not isinstance(boto_result, Exception), boto_result
    assert not isinstance(eksy_result, Exception), eksy_result
    boto_result.pop("ResponseMetadata", None)
    expected = to_snake(service, shape, boto_result) if shape else {}
    if not expected:
        assert eksy_result is None or eksy_result.to_dict() == {}
    else:
        assert eksy_result.to_dict() == expected


@pytest.mark.parametrize(("service", "operation"), ALL_OPERATIONS, ids=IDS)
def test_async_client_parses_the_same(
    emulator: LocalEKS, eksy_clients: dict[str, Any], service: str, operation: str
) -> None:
    shape, sample = canned_output(service, operation)
    body = to_json_body(service, shape, sample) if shape else {}
    emulator.queue_response(operation, body=body, count=2)
    sync_result = call_eksy(eksy_clients[service], operation, eksy_input(service, operation))
    async_client = emulator.async_client() if service == "eks" else emulator.async_auth_client()

    async def run() -> Any:
        return await getattr(async_client, xform_name(operation))(**eksy_input(service, operation))

    async_result = asyncio.run(run())
    assert async_result == sync_result
    recorded = emulator.requests(operation=operation)
    assert [request_view(r) for r in recorded[:1]] == [request_view(r) for r in recorded[1:]]


ERROR_CASES = [(service, op, error) for service, op in ALL_OPERATIONS for error in error_shapes(service, op)]


@pytest.mark.parametrize(("service", "operation", "error"), ERROR_CASES, ids=[":".join(c) for c in ERROR_CASES])
def test_modeled_errors_parse_like_boto3(
    emulator: LocalEKS,
    boto_clients: dict[str, Any],
    eksy_clients: dict[str, Any],
    service: str,
    operation: str,
    error: str,
) -> None:
    shape = service_model(service)["shapes"][error]
    status = shape.get("error", {}).get("httpStatusCode", 400)
    fields = {
        name: wire_sample(service, ref["shape"], name)
        for name, ref in shape.get("members", {}).items()
        if name.lower() != "message"
    }
    emulator.queue_error(operation, code=error, message=f"{error} happened", status=status, fields=fields, count=2)
    boto_error = call_boto(boto_clients[service], operation, input_sample(service, operation))
    eksy_error = call_eksy(eksy_clients[service], operation, eksy_input(service, operation))
    assert isinstance(boto_error, ClientError)
    assert boto_error.response["Error"]["Code"] == error
    assert type(eksy_error) is ERROR_CLASSES[error]
    assert eksy_error.code == error
    assert eksy_error.message == boto_error.response["Error"]["Message"] == f"{error} happened"
    assert eksy_error.status_code == boto_error.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert eksy_error.operation == operation
    assert eksy_error.request_id
    for name, value in fields.items():
        assert boto_error.response.get(name, value) == value
        assert getattr(eksy_error, xform_name(name)) == value
