"""OpenTelemetry client spans for each call, through the SDK's in-memory exporter (issue 18)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import eksy
import pytest
from eksy.testing import LocalEKS
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def _provider() -> None:
    # The global provider can be set once per process; eksy's tracer follows it from then on.
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    EXPORTER.clear()
    yield EXPORTER
    EXPORTER.clear()


def options(emulator: LocalEKS, **extra: Any) -> dict[str, Any]:
    return {
        "region": "us-west-2",
        "endpoint_url": emulator.endpoint_url,
        "aws_access_key_id": "AKIDTESTING",
        "aws_secret_access_key": "testing-secret",
        **extra,
    }


def eksy_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    finished = exporter.get_finished_spans()
    return [s for s in finished if s.instrumentation_scope and s.instrumentation_scope.name == "eksy"]


def test_a_call_is_a_client_span_with_the_conventional_attributes(
    emulator: LocalEKS, eks: eksy.EKS, spans: InMemorySpanExporter
) -> None:
    response = eks.list_clusters()
    (span,) = eksy_spans(spans)
    assert response.metadata is not None
    assert span.name == "EKS.ListClusters"
    assert span.kind is trace.SpanKind.CLIENT
    assert dict(span.attributes or {}) == {
        "rpc.system": "aws-api",
        "rpc.service": "EKS",
        "rpc.method": "ListClusters",
        "cloud.region": "us-west-2",
        "aws.request_id": response.metadata.request_id,
        "http.response.status_code": 200,
        "aws.attempts": 1,
    }
    assert span.status.status_code is trace.StatusCode.UNSET
    assert span.instrumentation_scope is not None and span.instrumentation_scope.version == eksy.__version__


def test_spans_nest_under_the_current_span(eks: eksy.EKS, auth: eksy.EKSAuth, spans: InMemorySpanExporter) -> None:
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("deploy") as parent:
        eks.list_clusters()
        with pytest.raises(eksy.ServiceError):
            auth.assume_role_for_pod_identity(cluster_name="missing", token="x" * 30)
    listing, assuming = eksy_spans(spans)
    assert assuming.name == "EKS Auth.AssumeRoleForPodIdentity"
    for span in (listing, assuming):
        assert span.parent is not None and span.parent.span_id == parent.get_span_context().span_id
        assert span.context is not None and span.context.trace_id == parent.get_span_context().trace_id


def test_async_spans_follow_each_tasks_context_across_await(emulator: LocalEKS, spans: InMemorySpanExporter) -> None:
    tracer = trace.get_tracer("test")
    parents: dict[str, int] = {}

    async def job(eks: eksy.AsyncEKS, name: str) -> None:
        with tracer.start_as_current_span(name) as parent:
            parents[name] = parent.get_span_context().span_id
            await asyncio.sleep(0)
            await eks.list_clusters()
            await eks.list_clusters()

    async def main() -> None:
        eks = eksy.AsyncEKS(**options(emulator))
        await asyncio.gather(job(eks, "a"), job(eks, "b"))

    asyncio.run(main())
    by_parent: dict[int, int] = {}
    for span in eksy_spans(spans):
        assert span.parent is not None and span.name == "EKS.ListClusters"
        by_parent[span.parent.span_id] = by_parent.get(span.parent.span_id, 0) + 1
    assert by_parent == {parents["a"]: 2, parents["b"]: 2}


def test_a_failed_call_marks_its_span_as_an_error(emulator: LocalEKS, spans: InMemorySpanExporter) -> None:
    eks = eksy.EKS(**options(emulator, max_attempts=2))
    emulator.queue_error("DescribeCluster", "ServiceUnavailableException", count=2)
    with pytest.raises(eksy.ServiceError) as caught:
        eks.describe_cluster(name="missing")
    (span,) = eksy_spans(spans)
    attributes = dict(span.attributes or {})
    assert span.status.status_code is trace.StatusCode.ERROR
    assert attributes["error.type"] == "ServiceUnavailableException"
    assert attributes["http.response.status_code"] == 503
    assert attributes["aws.attempts"] == 2
    assert attributes["aws.request_id"] == caught.value.request_id
    assert [e.name for e in span.events] == ["exception"]


def test_an_async_failure_without_an_answer_is_an_error_span(emulator: LocalEKS, spans: InMemorySpanExporter) -> None:
    async def main() -> None:
        emulator.queue_drop("ListClusters")
        with pytest.raises(eksy.EndpointConnectionError):
            await eksy.AsyncEKS(**options(emulator, max_attempts=1)).list_clusters()

    asyncio.run(main())
    (span,) = eksy_spans(spans)
    attributes = dict(span.attributes or {})
    assert span.status.status_code is trace.StatusCode.ERROR
    assert attributes["error.type"] == "EndpointConnectionError"
    assert "http.response.status_code" not in attributes
