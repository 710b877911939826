"""OpenTelemetry traces (telemetry.tracing): spans for the request, the GraphQL operation and
the SQL statements when an endpoint is set; nothing at all, not even an import, when not."""

import subprocess
import sys
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from settings import Settings
from telemetry import tracing
from tests.conftest import Databases, api_client

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
TRACED = Settings(rate_limit_per_minute=0, otlp_endpoint="http://127.0.0.1:9/unused")
QUERY = {"query": "query Few { alliances(first: 2) { nodes { id name } } }  # traced"}
"""A document of its own: no other test has taught the fast lane it."""

_exporter = InMemorySpanExporter()


@pytest.fixture
def spans() -> InMemorySpanExporter:
    """The spans this process finishes, from a clean slate (the provider is made once)."""
    tracing.install(TRACED, SimpleSpanProcessor(_exporter))
    _exporter.clear()
    return _exporter


def _named(found: tuple[ReadableSpan, ...], prefix: str) -> list[ReadableSpan]:
    return [span for span in found if span.name.startswith(prefix)]


async def test_a_traced_request_has_request_operation_and_sql_spans(
    demo_engine: AsyncEngine, databases: Databases, spans: InMemorySpanExporter
) -> None:
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    async with api_client(demo_engine, databases.admin_token, TRACED) as http:
        response = await http.post("/graphql", json=QUERY, headers={"traceparent": parent})
    assert response.status_code == 200, response.text
    found = spans.get_finished_spans()
    [request] = _named(found, "POST /graphql")
    [operation] = _named(found, "GraphQL Query")
    statements = [s for s in found if (s.attributes or {}).get("db.system")]
    assert statements, [s.name for s in found]
    assert request.context is not None and request.parent is not None
    assert f"{request.context.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    assert operation.parent is not None and operation.parent.span_id == request.context.span_id
    assert {s.context.trace_id for s in found if s.context} == {request.context.trace_id}
    attributes = request.attributes or {}
    assert attributes["partnergraph.request_id"] == response.headers["x-request-id"]
    assert attributes["http.response.status_code"] == 200
    assert attributes["graphql.operation.name"] == "Few"
    lane = demo_engine.dialect.name == "postgresql"
    assert attributes["partnergraph.road"] == ("compiled" if lane else "ordinary")
    assert not _named(found, "GraphQL Resolving")
    spans.clear()
    async with api_client(demo_engine, databases.admin_token, TRACED) as http:
        await http.post("/graphql", json=QUERY)
    again = spans.get_finished_spans()
    [request] = _named(again, "POST /graphql")
    assert (request.attributes or {})["partnergraph.road"] == ("fast_lane" if lane else "ordinary")
    assert [s for s in again if (s.attributes or {}).get("db.system")]


async def test_without_an_endpoint_nothing_is_traced(
    demo_engine: AsyncEngine, databases: Databases, spans: InMemorySpanExporter
) -> None:
    async with api_client(demo_engine, databases.admin_token) as http:
        response = await http.post("/graphql", json=QUERY)
    assert response.status_code == 200
    assert spans.get_finished_spans() == ()
    assert not _traced(demo_engine)


def test_without_an_endpoint_tracing_is_not_even_imported() -> None:
    """(redis-py imports OpenTelemetry's metrics API when it is installed, and records nothing
    unless told to: not ours.)"""
    script = (
        "import sys\n"
        "from app import create_app\n"
        "from settings import Settings\n"
        "create_app(Settings())\n"
        "names = ('telemetry.tracing', 'opentelemetry.sdk.trace', 'opentelemetry.instrumentation',"
        " 'opentelemetry.exporter', 'strawberry.extensions.tracing.opentelemetry')\n"
        "print(sorted(m for m in sys.modules if m.startswith(names)))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert found.stdout.strip() == "[]"


def _traced(engine: AsyncEngine) -> list[object]:
    listeners = engine.sync_engine.dispatch.before_cursor_execute
    return [f for f in listeners if "opentelemetry" in getattr(f, "__module__", "")]


async def test_the_statement_spans_listeners_go_with_the_app(demo_engine: AsyncEngine) -> None:
    traced = tracing.Tracing(TRACED, demo_engine)
    assert _traced(demo_engine)
    traced.close()
    assert not _traced(demo_engine)
