"""Type-checked usage of response metadata, on_call hooks and user_agent_extra (mypy --strict)."""

from __future__ import annotations

import eksy
from typing_extensions import assert_type


def hooks_and_metadata() -> None:
    durations: list[float] = []

    def record(call: eksy.CallRecord) -> None:
        assert_type(call.operation, str)
        assert_type(call.parameters, tuple[str, ...])
        assert_type(call.status, int | None)
        assert_type(call.request_id, str | None)
        assert_type(call.error_code, str | None)
        assert_type(call.succeeded, bool)
        durations.append(call.duration)

    eks = eksy.EKS(region="us-west-2", on_call=record, user_agent_extra="my-tool/1.0")
    eksy.AsyncEKS(region="us-west-2", on_call=[record, print])
    metadata = eks.list_clusters().metadata
    assert_type(metadata, eksy.ResponseMetadata | None)
    if metadata is not None:
        assert_type(metadata.request_id, str | None)
        assert_type(metadata.http_status, int | None)
        assert_type(metadata.attempts, int)
        assert_type(metadata.retries, tuple[str, ...])
        assert_type(metadata.duration, float)
    try:
        eks.describe_cluster(name="prod")
    except eksy.ServiceError as error:
        assert_type(error.metadata, eksy.ResponseMetadata | None)
