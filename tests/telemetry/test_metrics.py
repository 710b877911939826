"""Prometheus metrics at /metrics (telemetry.metrics, web.metrics_endpoint): the series after
requests, bounded operation labels, and who may read them."""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from cli.serve import metrics_directory
from settings import Settings
from tests.conftest import TEST_SETTINGS, Databases, api_client

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]


Series = tuple[str, frozenset[tuple[str, str]]]


def _samples(text: str) -> dict[Series, float]:
    """Each sample of the text format by its name and labels (in any order)."""
    found: dict[Series, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, value = line.rsplit(" ", 1)
        name, _, labels = series.partition("{")
        pairs = re.findall(r'(\w+)="([^"]*)"', labels)
        found[(name, frozenset(pairs))] = float(value)
    return found


def _value(text: str, name: str, **labels: str) -> float:
    return _samples(text).get((name, frozenset(labels.items())), 0.0)


async def _metrics(http: httpx.AsyncClient, **headers: str) -> str:
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_cost_sql_refusals_pool_and_caches_are_counted(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    query = {"query": "query Few { alliances(first: 2) { nodes { id name } } }"}
    road = "compiled" if demo_engine.dialect.name == "postgresql" else "ordinary"
    async with api_client(demo_engine, databases.admin_token) as http:
        before = await _metrics(http)
        for _ in range(2):
            assert (await http.post("/graphql", json=query)).status_code == 200
        refused = await http.post("/graphql", json=query, headers={"authorization": "Bearer x"})
        assert refused.status_code == 401
        after = await _metrics(http)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    requests = "partnergraph_requests_total"
    if road == "compiled":
        assert grew(requests, operation="Few", road="compiled", outcome="ok") == 1
        assert grew(requests, operation="Few", road="fast_lane", outcome="ok") == 1
    else:
        assert grew(requests, operation="Few", road="ordinary", outcome="ok") == 2
    assert grew(requests, operation="Few", road="ordinary", outcome="refused") == 1
    assert grew(requests, operation="none", road="other", outcome="ok") == 1
    assert grew("partnergraph_refused_requests_total", reason="UNAUTHENTICATED") == 1
    assert grew("partnergraph_cost_points_total", operation="Few") >= 2
    assert grew("partnergraph_request_duration_seconds_count", operation="Few", road=road) >= 1
    assert grew("partnergraph_sql_statements_per_request_sum", road=road) >= 1
    assert grew("partnergraph_sql_seconds_per_request_count", road=road) >= 1
    lookups = "partnergraph_cache_lookups_total"
    assert grew(lookups, cache="parsed_documents", result="hit") >= 1
    assert grew(lookups, cache="validated_documents", result="hit") >= 1
    pool = {
        labels for name, labels in _samples(after) if name == "partnergraph_db_pool_connections"
    }
    assert {dict(labels)["state"] for labels in pool} == {"in_use", "idle", "overflow", "waiting"}


async def test_operation_labels_are_bounded(demo_engine: AsyncEngine, databases: Databases) -> None:
    settings = Settings(rate_limit_per_minute=0, metrics_max_operations=1)

    def named(name: str) -> dict[str, str]:
        return {"query": f"query {name} {{ alliances(first: 1) {{ totalCount }} }}"}

    async with api_client(demo_engine, databases.admin_token, settings) as http:
        before = await _metrics(http)
        await http.post("/graphql", json=named("First"))
        await http.post("/graphql", json=named("Second"))
        await http.post("/graphql", json={"query": "{ alliances(first: 1) { totalCount } }"})
        await http.post("/graphql", json={"query": "query Broken { nope }"})
        after = await _metrics(http)
    operations = set(re.findall(r'partnergraph_requests_total\{operation="(\w+)"', after))
    assert {"First", "other", "anonymous"} <= operations
    assert "Second" not in operations and "Broken" not in operations
    assert after.count('partnergraph_requests_total{operation="other"') >= 1
    assert before != after


async def test_metrics_ask_for_their_token_when_one_is_set(demo_engine: AsyncEngine) -> None:
    settings = Settings(rate_limit_per_minute=0, metrics_token="s3cret-metrics")
    async with api_client(demo_engine, None, settings) as http:
        missing = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"authorization": "Bearer nope"})
        text = await _metrics(http, authorization="Bearer s3cret-metrics")
    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "partnergraph_requests_total" in text


async def test_metrics_are_not_served_in_the_open_when_told_not_to(
    demo_engine: AsyncEngine,
) -> None:
    async with api_client(demo_engine, None, Settings(metrics_open=False)) as http:
        response = await http.get("/metrics")
    assert response.status_code == 404
    assert TEST_SETTINGS.metrics_open


def test_several_workers_report_together(tmp_path: Path) -> None:
    """Two processes count into PROMETHEUS_MULTIPROC_DIR; a third reads both."""
    count = textwrap.dedent(
        """
        from telemetry.facts import RequestFacts
        from telemetry.metrics import Metrics
        facts = RequestFacts("x")
        facts.road = "other"
        metrics = Metrics(10)
        metrics.observe(facts, 200, 0.01)
        metrics.flush()
        """
    )
    read = "from telemetry.metrics import render; print(render()[0].decode())"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, cwd=ROOT, check=True)
    text = subprocess.run(
        [sys.executable, "-c", read], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    requests = "partnergraph_requests_total"
    assert _value(text, requests, operation="none", road="other", outcome="ok") == 2


def test_serve_gives_several_workers_a_clean_metrics_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    assert metrics_directory(1) is None
    made = metrics_directory(2)
    assert made is not None and os.environ["PROMETHEUS_MULTIPROC_DIR"] == made
    Path(made).rmdir()
    (tmp_path / "counter_123.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert metrics_directory(4) == str(tmp_path)
    assert not list(tmp_path.glob("*.db"))
