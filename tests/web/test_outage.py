"""A database out of reach answers 503 with `Retry-After` and code `DATABASE_UNAVAILABLE` on every
road (strawberry, the fast lane, the CSV reports, the network export), never the driver's text,
whether it cannot be reached at all or fails in the middle of a request."""

import errno
import sqlite3
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.compiled import fast_lane
from tests.conftest import Databases, api_client
from tests.web.conftest import join_sqlite_threads

pytestmark = pytest.mark.anyio

LEAKS = ("errno", "connect call", "refused", "sqlalche", "sqlite", "asyncpg", "127.0.0.1", "/x.db")

PLAIN = "{ alliances { totalCount } }"
LANE = "query Outage { organizations(first: 2) { nodes { id name } } }"
MUTATION = 'mutation { revokeApiToken(id: "QXBpVG9rZW46MQ") { __typename } }'
A_TOKEN = "pgt_0123456789ab_" + "s" * 43
"""Well formed, so that it is looked up in the database (and not refused before)."""


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) >= 1
    body = response.json()
    assert {e["extensions"]["code"] for e in body["errors"]} == {"DATABASE_UNAVAILABLE"}
    text = response.text.lower()
    assert not [leak for leak in LEAKS if leak in text], text


async def _every_road(http: httpx.AsyncClient, token: str | None) -> list[httpx.Response]:
    responses = [
        await http.post("/graphql", json={"query": PLAIN}),
        await http.post(
            "/graphql",
            json={"query": PLAIN},
            headers={"accept": "application/graphql-response+json"},
        ),
        await http.get("/graphql", params={"query": PLAIN}),
        await http.get("/reports/summary.csv"),
        await http.get("/reports/agreements.csv"),
        await http.get("/network/export.graphml"),
    ]
    if token is not None:  # an anonymous caller is refused before the database is asked
        responses.append(await http.post("/graphql", json={"query": MUTATION}))
    return responses


@pytest.mark.parametrize("token", [None, A_TOKEN], ids=["anonymous", "token"])
async def test_an_unreachable_database_answers_503_on_every_road(
    down_engine: AsyncEngine, token: str | None
) -> None:
    async with api_client(down_engine, token) as http:
        for response in await _every_road(http, token):
            _unavailable(response)


async def test_the_fast_lane_answers_503_when_the_database_goes_away(
    demo_engine: AsyncEngine, down_engine: AsyncEngine, databases: Databases
) -> None:
    if demo_engine.dialect.name != "postgresql":
        pytest.skip("the fast lane is PostgreSQL's")
    async with api_client(demo_engine, databases.admin_token) as up:
        assert (await up.post("/graphql", json={"query": LANE})).status_code == 200
    assert fast_lane._learned.get((LANE, None)) is not None, "the lane knows the document"
    for token in [None, A_TOKEN]:
        async with api_client(down_engine, token) as down:
            _unavailable(await down.post("/graphql", json={"query": LANE}))


def _mid_request_failures(backend: str) -> list[Callable[[], BaseException]]:
    return [
        lambda: ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
        lambda: asyncpg.ConnectionDoesNotExistError("connection was closed in the middle"),
        lambda: exc.OperationalError(
            "SELECT 1", {}, sqlite3.OperationalError("unable to open database file")
        ),
        lambda: exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
        lambda: exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        lambda: exc.TimeoutError("QueuePool limit of size 20 overflow 20 reached"),
    ]


@pytest.mark.parametrize("failure", range(6))
async def test_a_database_lost_in_the_middle_of_a_request_answers_503(
    demo_engine: AsyncEngine, databases: Databases, backend: str, failure: int
) -> None:
    make = _mid_request_failures(backend)[failure]

    def fail(*_: Any) -> None:
        raise make()

    async with api_client(demo_engine, databases.admin_token) as http:
        assert (await http.post("/graphql", json={"query": LANE})).status_code == 200
        event.listen(demo_engine.sync_engine, "before_cursor_execute", fail)
        try:
            responses = [
                await http.post("/graphql", json={"query": PLAIN}),
                await http.post("/graphql", json={"query": LANE}),
                await http.get("/reports/summary.csv"),
                await http.get("/network/export.gexf"),
            ]
        finally:
            event.remove(demo_engine.sync_engine, "before_cursor_execute", fail)
        for response in responses:
            _unavailable(response)


@pytest.mark.parametrize("failure", range(4))
async def test_a_failure_to_open_a_connection_answers_503(
    demo_engine: AsyncEngine, backend: str, failure: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    make = _mid_request_failures(backend)[failure]

    def fail(*_: Any, **__: Any) -> None:
        raise make()

    await demo_engine.dispose()
    monkeypatch.setattr(demo_engine.sync_engine.dialect, "connect", fail)
    async with api_client(demo_engine, None) as http:
        responses = [
            await http.post("/graphql", json={"query": PLAIN}),
            await http.get("/reports/expiring.csv"),
        ]
    join_sqlite_threads()
    for response in responses:
        _unavailable(response)


async def test_a_failing_statement_is_still_an_internal_error_not_an_outage(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    def fail(*_: Any) -> None:
        raise exc.ProgrammingError("SELECT 1", {}, Exception("syntax error at or near"))

    async with api_client(demo_engine, databases.admin_token) as http:
        event.listen(demo_engine.sync_engine, "before_cursor_execute", fail)
        try:
            response = await http.post("/graphql", json={"query": PLAIN})
        finally:
            event.remove(demo_engine.sync_engine, "before_cursor_execute", fail)
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "syntax" not in response.text
