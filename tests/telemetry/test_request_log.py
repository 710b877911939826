"""The request log (telemetry.logs, web.observe): one line per request with its id, operation,
road, token id, status, cost and SQL; the id in the `X-Request-Id` header and in masked errors;
never the query, its variables or a token's secret."""

import json
import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine

from settings import LogFormat
from telemetry import logs
from tests.conftest import Databases, api_client
from tests.telemetry.logs import Written, written_log

pytestmark = pytest.mark.anyio

FIELDS = {
    "time",
    "level",
    "logger",
    "requestId",
    "method",
    "path",
    "operationName",
    "road",
    "tokenId",
    "status",
    "code",
    "cost",
    "statements",
    "sqlMs",
    "durationMs",
}
PERSONAL = "jane.doe@example.edu"
QUERY = """query Directory($first: Int, $text: String) {
  organizations(first: $first, filter: {text: $text}) { nodes { id name } }
}"""


async def _directory(http: httpx.AsyncClient, **headers: str) -> httpx.Response:
    variables = {"first": 3, "text": PERSONAL}
    return await http.post(
        "/graphql",
        json={"query": QUERY, "operationName": "Directory", "variables": variables},
        headers=headers,
    )


async def test_a_request_is_one_json_line_without_its_variables_or_secret(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as http:
        with written_log() as log:
            response = await _directory(http)
    assert response.status_code == 200, response.text
    [line] = log.requests()
    assert set(line) == FIELDS
    assert line["requestId"] == response.headers["x-request-id"]
    assert (line["method"], line["path"], line["status"]) == ("POST", "/graphql", 200)
    assert line["operationName"] == "Directory"
    assert line["road"] == ("compiled" if demo_engine.dialect.name == "postgresql" else "ordinary")
    assert isinstance(line["tokenId"], int) and line["code"] is None
    assert line["cost"] >= 1 and line["statements"] >= 1 and line["sqlMs"] > 0
    assert line["durationMs"] >= line["sqlMs"]
    text = log.text()
    secret = databases.admin_token.rsplit("_", 1)[-1]
    assert secret not in text and PERSONAL not in text and "organizations" not in text


async def test_the_fast_lane_and_a_refusal_are_told_apart(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as http:
        await _directory(http)
        with written_log() as log:
            await _directory(http)
            refused = await _directory(http, authorization="Bearer pg_nope_nope")
    again, denied = log.requests()
    lane = demo_engine.dialect.name == "postgresql"
    assert again["road"] == ("fast_lane" if lane else "ordinary")
    assert again["statements"] == (1 if lane else again["statements"])
    assert refused.status_code == 401
    assert (denied["status"], denied["code"], denied["tokenId"]) == (401, "UNAUTHENTICATED", None)
    assert "nope" not in log.text()


async def test_the_request_id_is_returned_and_a_sane_incoming_one_kept(
    demo_engine: AsyncEngine,
) -> None:
    async with api_client(demo_engine, None) as http:
        with written_log() as log:
            made = (await http.get("/health/live")).headers["x-request-id"]
            kept = await http.get("/health/live", headers={"X-Request-Id": "lb-1234.abc:7"})
            odd = await http.get("/health/live", headers={b"X-Request-Id": b"a b\xe9" + b"x" * 9})
            long = await http.get("/health/live", headers={"X-Request-Id": "x" * 65})
    assert len(made) == 16
    assert kept.headers["x-request-id"] == "lb-1234.abc:7"
    for replaced in (odd, long):
        assert len(replaced.headers["x-request-id"]) == 16
    assert [line["requestId"] for line in log.requests()] == [
        made,
        "lb-1234.abc:7",
        odd.headers["x-request-id"],
        long.headers["x-request-id"],
    ]
    assert {line["road"] for line in log.requests()} == {"other"}


def _quoted(log: Written, response: httpx.Response) -> dict[str, Any]:
    """The masked error's request id is the one of the header and of the request's log line,
    and the error's own log line (with its traceback) quotes it too."""
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    identifier = response.headers["x-request-id"]
    assert error["extensions"]["requestId"] == identifier
    [line] = log.requests()
    assert line["requestId"] == identifier and line["code"] == "INTERNAL_SERVER_ERROR"
    [logged] = log.lines("partnergraph.errors")
    assert identifier in logged["message"] and error["extensions"]["reference"] in logged["message"]
    assert "Traceback" in logged["exception"]
    return line


async def test_an_internal_error_in_graphql_quotes_the_request_id_of_its_log_line(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    def fail(*_: Any) -> None:
        raise exc.ProgrammingError("SELECT 1", {}, Exception("syntax error at or near"))

    async with api_client(demo_engine, databases.admin_token) as http:
        with written_log() as log:
            event.listen(demo_engine.sync_engine, "before_cursor_execute", fail)
            try:
                response = await http.post(
                    "/graphql", json={"query": "{ alliances { totalCount } }"}
                )
            finally:
                event.remove(demo_engine.sync_engine, "before_cursor_execute", fail)
    _quoted(log, response)


async def test_a_last_resort_500_quotes_the_request_id_of_its_log_line(
    demo_engine: AsyncEngine, databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr("web.reports_csv.require_references", broken)
    async with api_client(demo_engine, databases.admin_token) as http:
        with written_log() as log:
            response = await http.get("/reports/summary.csv")
    assert response.status_code == 500
    line = _quoted(log, response)
    assert (line["status"], line["road"]) == (500, "csv")


async def test_a_callers_mistake_is_not_logged_with_a_traceback(
    demo_engine: AsyncEngine, databases: Databases, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with api_client(demo_engine, databases.admin_token) as http:
        with written_log() as log:
            response = await http.post("/graphql", json={"query": "{ organizations { nope } }"})
            await http.post("/graphql", json={"query": '{ node(id: "bad") { id } }'})
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert not [r for r in caplog.records if r.exc_info or r.name.startswith("strawberry")]
    codes = [line["code"] for line in log.requests()]
    assert codes[0] == "GRAPHQL_VALIDATION_FAILED" and codes[1] is not None
    assert [line["logger"] for line in log.lines()] == ["partnergraph.request"] * 2


async def test_the_text_format_is_one_line_of_fields(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as http:
        with written_log(LogFormat.TEXT) as log:
            response = await _directory(http)
    [line] = log.text().splitlines()
    assert " INFO partnergraph.request " in line
    assert f"requestId={response.headers['x-request-id']} " in line
    assert "operationName=Directory " in line and "status=200 " in line


@pytest.mark.parametrize("log_format", [LogFormat.JSON, LogFormat.TEXT])
async def test_a_line_made_by_the_writer_is_the_line_its_record_makes(
    demo_engine: AsyncEngine,
    databases: Databases,
    log_format: LogFormat,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no other handler listening (pytest's own sit on the root), the request's facts go
    to the log's writer thread as they are and it makes the line: the same line."""
    sent = "0123456789abcdef"

    async def logged(direct: bool) -> str:
        with monkeypatch.context() as patch:
            if direct:
                patch.setattr(logging.getLogger(), "handlers", [])
            async with api_client(demo_engine, databases.admin_token) as http:
                await _directory(http)  # to the fast lane, where it goes
                with written_log(log_format) as log:
                    assert (logs._direct_writer() is not None) is direct
                    await _directory(http, **{"x-request-id": sent})
        [line] = log.text().splitlines()
        return line

    def steady(line: str) -> object:
        if log_format is LogFormat.JSON:
            found = json.loads(line)
            return {k: v for k, v in found.items() if k not in {"time", "sqlMs", "durationMs"}}
        return [f for f in line.split(" ")[1:] if not f.startswith(("sqlMs=", "durationMs="))]

    made_by_writer, made_from_record = await logged(True), await logged(False)
    assert steady(made_by_writer) == steady(made_from_record)
    assert sent in made_by_writer
