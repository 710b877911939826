"""The request log (web.request_log): one JSON line per request, its id in the answer's header and
in internal errors, and nothing secret or personal in it."""

import json
import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import Databases, api_client
from web.request_log import JsonFormatter

pytestmark = pytest.mark.anyio

KEYS = {
    "time",
    "level",
    "logger",
    "requestId",
    "method",
    "path",
    "operationName",
    "tokenId",
    "status",
    "cost",
    "durationMs",
}
QUERY = "query Named($first: Int) { organizations(first: $first) { nodes { id name } } }"
PERSONAL = "jane.doe@example.edu"


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    records = [r for r in caplog.records if r.name == "partnergraph.request"]
    lines = [formatter.format(record) for record in records]
    assert all("\n" not in line for line in lines)
    return [json.loads(line) for line in lines]


async def test_a_request_is_one_json_line_without_secrets_or_variables(
    demo_engine: AsyncEngine, databases: Databases, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="partnergraph.request")
    async with api_client(demo_engine, databases.admin_token) as http:
        response = await http.post(
            "/graphql",
            json={
                "query": QUERY,
                "operationName": "Named",
                "variables": {"first": 2, "email": PERSONAL},
            },
        )
    assert response.status_code == 200, response.text
    [line] = _lines(caplog)
    assert set(line) == KEYS
    assert line["requestId"] == response.headers["x-request-id"]
    assert (line["method"], line["path"], line["operationName"]) == ("POST", "/graphql", "Named")
    assert line["status"] == 200
    assert isinstance(line["tokenId"], int)
    assert isinstance(line["cost"], int) and line["cost"] > 0
    assert line["durationMs"] >= 0
    text = json.dumps(line)
    secret = databases.admin_token.rsplit("_", 1)[-1]
    assert secret not in text and PERSONAL not in text and "organizations" not in text


async def test_the_request_id_is_returned_and_a_sane_incoming_one_kept(
    demo_engine: AsyncEngine,
) -> None:
    async with api_client(demo_engine, None) as http:
        made = (await http.get("/health/live")).headers["x-request-id"]
        kept = await http.get("/health/live", headers={"X-Request-ID": "lb-1234.abc"})
        odd = await http.get("/health/live", headers={b"X-Request-ID": b"a b\xe9" + b"x" * 100})
    assert len(made) == 32
    assert kept.headers["x-request-id"] == "lb-1234.abc"
    assert len(odd.headers["x-request-id"]) == 32 and odd.headers["x-request-id"] != made


def _only(caplog: pytest.LogCaptureFixture, response: httpx.Response) -> str:
    [line] = _lines(caplog)
    assert line["requestId"] == response.headers["x-request-id"]
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    found: str = error["extensions"]["requestId"]
    assert found == line["requestId"]
    return found


async def test_an_internal_error_in_graphql_quotes_the_request_id_of_its_log_line(
    demo_engine: AsyncEngine, databases: Databases, caplog: pytest.LogCaptureFixture
) -> None:
    def fail(*_: Any) -> None:
        raise exc.ProgrammingError("SELECT 1", {}, Exception("syntax error at or near"))

    caplog.set_level(logging.INFO, logger="partnergraph.request")
    async with api_client(demo_engine, databases.admin_token) as http:
        event.listen(demo_engine.sync_engine, "before_cursor_execute", fail)
        try:
            response = await http.post("/graphql", json={"query": "{ alliances { totalCount } }"})
        finally:
            event.remove(demo_engine.sync_engine, "before_cursor_execute", fail)
    _only(caplog, response)


async def test_a_last_resort_500_quotes_the_request_id_of_its_log_line(
    demo_engine: AsyncEngine,
    databases: Databases,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr("web.reports_csv.require_references", broken)
    caplog.set_level(logging.INFO, logger="partnergraph.request")
    async with api_client(demo_engine, databases.admin_token) as http:
        response = await http.get("/reports/summary.csv")
    assert response.status_code == 500
    _only(caplog, response)
    [line] = _lines(caplog)
    assert line["status"] == 500
