"""Every operation is routed and validated; unknown routes, auth errors and the controls
answer well-formed AWS JSON errors."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from botocore.model import ListShape, MapShape, Shape, StructureShape
from emulator_support import ROLE, VPC, boto_client


def minimal(shape: Shape) -> Any:
    """The smallest value satisfying a shape's constraints (required members only)."""
    if isinstance(shape, StructureShape):
        return {name: minimal(shape.members[name]) for name in shape.required_members}
    if isinstance(shape, ListShape):
        return [minimal(shape.member) for _ in range(max(1, shape.metadata.get("min", 1)))]
    if isinstance(shape, MapShape):
        return {"k": minimal(shape.value)}
    if shape.type_name == "string":
        if shape.enum:
            return shape.enum[0]
        if shape.metadata.get("pattern", "").startswith("[A-Za-z0-9-_=]+\\."):
            return "a.b.c"
        return "x" * max(1, shape.metadata.get("min", 1))
    if shape.type_name in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if shape.type_name == "boolean":
        return True
    return None


def operations(service: str) -> list[str]:
    return list(boto3.session.Session()._session.get_service_model(service).operation_names)


ALL = [("eks", op) for op in operations("eks")] + [("eks-auth", op) for op in operations("eks-auth")]


def test_model_has_71_operations() -> None:
    assert len(ALL) == 71


@pytest.mark.parametrize(("service", "operation"), ALL)
def test_every_operation_is_routed_recorded_and_validated(local_eks: Any, service: str, operation: str) -> None:
    client = boto_client(local_eks, service)
    model = client.meta.service_model.operation_model(operation)
    params = minimal(model.input_shape) if model.input_shape else {}
    python_name = {api: py for py, api in client.meta.method_to_api_mapping.items()}[operation]
    method = getattr(client, python_name)
    try:
        method(**params)
    except ClientError as e:
        code = e.response["Error"]["Code"]
        assert code != "UnknownOperationException", e
        modeled = {s.name for s in model.error_shapes}
        # A missing parent cluster is ResourceNotFoundException even where the model omits it.
        assert code in modeled | {"NotImplementedException", "ResourceNotFoundException"}, (code, e)
        if code == "NotImplementedException":
            assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 501
            assert operation in e.response["Error"]["Message"]
    recorded = local_eks.requests(operation)
    assert len(recorded) == 1 and recorded[0]["operation"] == operation

    # Validation: drop a required body member, or break a constrained query member.
    body_required = [
        name
        for name in (model.input_shape.required_members if model.input_shape else [])
        if model.input_shape.members[name].serialization.get("location") is None
    ]
    if body_required:
        invalid = dict(params)
        del invalid[body_required[0]]
        unchecked = boto_client(local_eks, service, parameter_validation=False)
        with pytest.raises(ClientError) as info:
            getattr(unchecked, python_name)(**invalid)
        error = info.value.response["Error"]
        assert error["Code"] == "InvalidParameterException"
        assert (
            f"Value null at '{body_required[0]}' failed to satisfy constraint: Member must not be null"
            in error["Message"]
        )
    elif model.input_shape and "maxResults" in model.input_shape.members:
        unchecked = boto_client(local_eks, service, parameter_validation=False)
        with pytest.raises(ClientError) as info:
            getattr(unchecked, python_name)(**params, maxResults=1000)
        error = info.value.response["Error"]
        assert error["Code"] == "InvalidParameterException" and "'maxResults'" in error["Message"]


def test_unknown_routes_answer_json(raw: Any) -> None:
    for method, path in [
        ("GET", "/nope"),
        ("GET", "/"),
        ("PUT", "/clusters"),
        ("PATCH", "/clusters/x"),
        ("GET", "/clusters//node-groups"),
    ]:
        status, headers, body = raw(method, path)
        assert status == 404 and headers["content-type"] == "application/json"
        assert headers["x-amzn-errortype"] == "UnknownOperationException"
        assert headers["x-amzn-requestid"]
        assert "message" in json.loads(body)


def test_authentication_is_required(raw: Any) -> None:
    status, headers, body = raw("GET", "/clusters", auth=False)
    assert (status, headers["x-amzn-errortype"]) == (403, "MissingAuthenticationTokenException")
    assert json.loads(body)["message"] == "Missing Authentication Token"
    for bad in ["Bearer abc", "AWS4-HMAC-SHA256 Credential=a/b", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=x"]:
        status, headers, body = raw("GET", "/clusters", headers={"Authorization": bad})
        assert (status, headers["x-amzn-errortype"]) == (403, "IncompleteSignatureException"), bad
    status, _, _ = raw("GET", "/clusters")
    assert status == 200


def test_malformed_body_is_a_serialization_error(raw: Any) -> None:
    status, headers, body = raw("POST", "/clusters", body="{not json")
    assert (status, headers["x-amzn-errortype"]) == (400, "SerializationException")
    status, headers, _ = raw("POST", "/clusters", body="[1, 2]")
    assert status == 400
    status, headers, body = raw(
        "POST", "/clusters", body=json.dumps({"name": 5, "roleArn": "r", "resourcesVpcConfig": {}})
    )
    assert headers["x-amzn-errortype"] == "InvalidParameterException"
    assert "at 'name'" in json.loads(body)["message"]


def test_queued_errors_then_pass_through(local_eks: Any, eks: Any) -> None:
    local_eks.queue_error("ListClusters", "ThrottlingException", "Rate exceeded", count=2)
    for _ in range(2):
        with pytest.raises(ClientError) as info:
            eks.list_clusters()
        assert info.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert eks.list_clusters()["clusters"] == []
    local_eks.queue_error("DescribeCluster", "ResourceNotFoundException", fields={"clusterName": "z"})
    with pytest.raises(ClientError) as info:
        eks.describe_cluster(name="a")
    assert info.value.response["clusterName"] == "z"
    local_eks.queue_response("ListClusters", {"clusters": ["canned"]})
    assert eks.list_clusters()["clusters"] == ["canned"]


def test_retries_recover_from_throttling(local_eks: Any) -> None:
    local_eks.queue_error("ListClusters", "ThrottlingException", count=2)
    eks = boto3.client(
        "eks",
        endpoint_url=local_eks.endpoint_url,
        region_name=local_eks.region,
        aws_access_key_id="t",
        aws_secret_access_key="t",
        config=Config(retries={"total_max_attempts": 5, "mode": "standard"}),
    )
    response = eks.list_clusters()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(local_eks.requests("ListClusters")) == 3


def test_latency_error_rate_and_dropped_connections(local_eks: Any, eks: Any) -> None:
    local_eks.set_latency(0.2, "ListClusters")
    start = time.monotonic()
    eks.list_clusters()
    assert time.monotonic() - start >= 0.2
    local_eks.set_latency(0, "ListClusters")
    local_eks.set_error_rate(1.0, code="ServiceUnavailableException")
    with pytest.raises(ClientError) as info:
        eks.list_clusters()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    local_eks.clear_faults()
    local_eks.drop_connections("ListClusters", count=1)
    with pytest.raises((EndpointConnectionError, ConnectionClosedError)):
        eks.list_clusters()
    assert eks.list_clusters()["clusters"] == []


def test_controls_report_errors(local_eks: Any) -> None:
    with pytest.raises(ValueError):
        local_eks.control("no-such-command")
    with pytest.raises(ValueError):
        local_eks.set_timings(bogus=1)
    with pytest.raises(ValueError):
        local_eks.queue_error("NotAnOperation", "X")
    with pytest.raises(ValueError):
        local_eks.force_status("cluster", "missing", "FAILED")
    assert local_eks.set_timings(all=0)["cluster_create"] == 0
    before = local_eks.now()
    assert local_eks.advance(100) >= before + 100


def test_reset_forgets_everything(local_eks: Any, eks: Any) -> None:
    eks.create_cluster(name="a", roleArn=ROLE, resourcesVpcConfig=VPC)
    local_eks.reset()
    assert eks.list_clusters()["clusters"] == []
    assert [r["operation"] for r in local_eks.requests()] == ["ListClusters"]
    local_eks.clear_requests()
    assert local_eks.requests() == []


def test_recorded_request_details(local_eks: Any, eks: Any) -> None:
    eks.create_cluster(name="a", roleArn=ROLE, resourcesVpcConfig=VPC, tags={"k": "v"})
    eks.list_clusters(maxResults=5)
    create, listing = local_eks.requests()
    assert (create["method"], create["path"], create["body"]["tags"]) == ("POST", "/clusters", {"k": "v"})
    assert ("maxResults", "5") in listing["query"]
    assert listing["headers"]["authorization"].startswith("AWS4-HMAC-SHA256")
    assert listing["region"] == local_eks.region and listing["account"] == "123456789012"
