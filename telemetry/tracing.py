"""OpenTelemetry traces, only when `PARTNERGRAPH_OTLP_ENDPOINT` is set: nothing here is
imported otherwise, so tracing that is off costs no import, no extension and no event.

When on, each request has a server span (`web.observe`, following a `traceparent` sent with
it), each GraphQL operation that strawberry runs its spans from strawberry's
`OpenTelemetryExtension` (the operation, parsing, validation; not one per resolver,
`GraphQLSpans`), and each SQL statement a span from `opentelemetry-instrumentation-sqlalchemy`,
exported in batches over OTLP/HTTP to `<endpoint>/v1/traces`. A request the fast lane answers
never reaches strawberry: its request span says `partnergraph.road=fast_lane`.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import get_meter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.extensions import SchemaExtension
from strawberry.extensions.tracing import OpenTelemetryExtension

from settings import Settings
from telemetry.facts import RequestFacts

__all__ = ["Tracing", "install"]

_provider: TracerProvider | None = None


def install(settings: Settings, processor: SpanProcessor | None = None) -> TracerProvider:
    """This process's tracer provider, made once and made global: exporting with `processor`
    (the tests' in-memory exporter) or else in batches over OTLP/HTTP."""
    global _provider
    if _provider is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        _provider = TracerProvider(
            resource=Resource.create({"service.name": settings.service_name}),
            sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)),
        )
        if processor is None:
            endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
            processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint))
        _provider.add_span_processor(processor)
        trace.set_tracer_provider(_provider)
    return _provider


class GraphQLSpans(OpenTelemetryExtension):
    """strawberry's extension for the operation, parsing and validation spans, without its span
    per resolver: a `resolve` hook makes graphql-core run every field through middleware, which
    takes every read off the compiled road (`schema.compiled.execution`) and would make traced
    requests slower than the ones they stand for."""

    resolve = SchemaExtension.resolve  # type: ignore[assignment]


def _header_map(headers: list[tuple[bytes, bytes]]) -> Mapping[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in headers}


class Tracing:
    """The spans of one application: its engine's statements and its requests."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        provider = install(settings)
        self.tracer = provider.get_tracer("partnergraph")
        self.engine = engine
        usage = get_meter("partnergraph").create_up_down_counter("db.client.connections.usage")
        EngineTracer(self.tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Removes the statement spans' listeners from the engine (which may outlive the app)."""
        target = self.engine.sync_engine
        kept = []
        for reference, identifier, listener in EngineTracer._remove_event_listener_params:
            if reference() is target:
                if event.contains(target, identifier, listener):
                    event.remove(target, identifier, listener)
            else:
                kept.append((reference, identifier, listener))
        EngineTracer._remove_event_listener_params[:] = kept

    @contextmanager
    def request_span(self, scope: dict[str, Any], facts: RequestFacts) -> Iterator[Any]:
        """The server span of one HTTP request, current while it is answered; `yield`s a
        callable that records the answer's status."""
        parent = propagate.extract(_header_map(scope.get("headers") or []))
        name = f"{scope.get('method', 'GET')} {scope.get('path', '')}"
        with self.tracer.start_as_current_span(name, context=parent, kind=SpanKind.SERVER) as span:
            span.set_attribute("http.request.method", scope.get("method", ""))
            span.set_attribute("url.path", scope.get("path", ""))
            span.set_attribute("partnergraph.request_id", facts.request_id)

            def answered(status: int) -> None:
                span.set_attribute("http.response.status_code", status)
                span.set_attribute("partnergraph.road", facts.road)
                if facts.operation:
                    span.set_attribute("graphql.operation.name", facts.operation)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))

            yield answered
