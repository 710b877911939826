"""Browser pages on other origins: only the configured origins get CORS headers; a preflight is
answered before anything else runs; every refusal and limit still holds for a CORS request."""

import dataclasses
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from settings import Settings
from tests.conftest import TEST_SETTINGS, Databases, api_client
from tests.services import redis_or_skip
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

PORTAL = "https://portal.example.edu"
REPORTS = "https://reports.example.org"
OTHER = "https://elsewhere.example.com"
CORS = dataclasses.replace(TEST_SETTINGS, cors_origins=f"{PORTAL}, {REPORTS}/")
QUERY = {"query": "{ alliances { totalCount } }"}


def _preflight(
    origin: str, method: str = "POST", headers: str = "authorization,content-type"
) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": headers,
    }


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def _refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code
    return dict(error)


async def test_a_preflight_from_an_allowed_origin_is_answered(
    demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    async with api_client(demo_engine, None, CORS) as http:
        statements.reset()
        answers = [
            await http.options(path, headers=_preflight(origin))
            for path in ["/graphql", "/reports/summary.csv", "/network/export.graphml"]
            for origin in [PORTAL, REPORTS]
        ]
        counted = statements.count
    for answer in answers:
        assert answer.status_code == 200
        headers = _cors_headers(answer)
        assert headers["access-control-allow-origin"] in {PORTAL, REPORTS}
        assert set(headers["access-control-allow-methods"].split(", ")) == {"GET", "POST"}
        allowed = {h.lower() for h in headers["access-control-allow-headers"].split(", ")}
        assert {"authorization", "content-type", "accept"} <= allowed
        assert "access-control-allow-credentials" not in headers, "bearer tokens, no cookies"
    assert counted == 0, "a preflight costs no database work"


async def test_a_preflight_from_another_origin_is_refused_as_json(
    demo_engine: AsyncEngine,
) -> None:
    async with api_client(demo_engine, None, CORS) as http:
        other = await http.options("/graphql", headers=_preflight(OTHER))
        lookalike = await http.options("/graphql", headers=_preflight(PORTAL + ".evil.com"))
        method = await http.options("/graphql", headers=_preflight(PORTAL, method="DELETE"))
        header = await http.options("/graphql", headers=_preflight(PORTAL, headers="x-custom"))
    for refused in [other, lookalike, method, header]:
        _refused(refused, 403, "CORS_NOT_ALLOWED")
        assert _cors_headers(refused) == {}
    assert "PARTNERGRAPH_CORS_ORIGINS" in other.json()["errors"][0]["message"]


async def test_only_allowed_origins_get_cors_headers_on_answers(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token, CORS) as http:
        allowed = await http.post("/graphql", json=QUERY, headers={"origin": PORTAL})
        csv = await http.get("/reports/summary.csv", headers={"origin": REPORTS})
        export = await http.get("/network/export.graphml", headers={"origin": PORTAL})
        other = await http.post("/graphql", json=QUERY, headers={"origin": OTHER})
        plain = await http.post("/graphql", json=QUERY)
    for answer, origin in [(allowed, PORTAL), (csv, REPORTS), (export, PORTAL)]:
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == origin
        exposed = answer.headers["access-control-expose-headers"]
        assert "Retry-After" in exposed and "Content-Disposition" in exposed
        assert "Origin" in answer.headers["vary"]
    assert other.status_code == 200, "the browser, not the server, withholds the answer"
    assert _cors_headers(other) == {}
    assert _cors_headers(plain) == {}
    assert other.content == plain.content


async def test_no_origin_is_allowed_by_default(demo_engine: AsyncEngine) -> None:
    assert Settings().allowed_origins == ()
    async with api_client(demo_engine, None) as http:
        preflight = await http.options("/graphql", headers=_preflight(PORTAL))
        with_origin = await http.post("/graphql", json=QUERY, headers={"origin": PORTAL})
        without = await http.post("/graphql", json=QUERY)
    _refused(preflight, 403, "CORS_NOT_ALLOWED")
    assert _cors_headers(with_origin) == {}
    assert "vary" not in with_origin.headers and "vary" not in without.headers
    assert with_origin.content == without.content


async def test_any_origin_with_a_star(demo_engine: AsyncEngine) -> None:
    settings = dataclasses.replace(TEST_SETTINGS, cors_origins="*")
    async with api_client(demo_engine, None, settings) as http:
        preflight = await http.options("/graphql", headers=_preflight(OTHER))
        answer = await http.post("/graphql", json=QUERY, headers={"origin": OTHER})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-origin"] == "*"


async def test_limits_and_refusals_hold_for_cors_requests_and_carry_cors_headers(
    demo_engine: AsyncEngine, databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dataclasses.replace(CORS, max_body_bytes=1_000)
    origin = {"origin": PORTAL}
    async with api_client(demo_engine, "pgt_nope_nothing", settings) as http:
        unauthenticated = await http.post("/graphql", json=QUERY, headers=origin)
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        too_large = await http.post("/graphql", content=b"{" + b" " * 2_000 + b"}", headers=origin)

        async def broken(*_: Any, **__: Any) -> None:
            raise RuntimeError("internal detail")

        monkeypatch.setattr("web.reports_csv.require_references", broken)
        unexpected = await http.get("/reports/summary.csv", headers=origin)
    _refused(too_large, 413, "PAYLOAD_TOO_LARGE")
    _refused(unauthenticated, 401, "UNAUTHENTICATED")
    _refused(unexpected, 500, "INTERNAL_SERVER_ERROR")
    for answer in [too_large, unauthenticated, unexpected]:
        assert answer.headers["access-control-allow-origin"] == PORTAL, "a page can read why"
    assert "WWW-Authenticate" in unauthenticated.headers["access-control-expose-headers"]


async def test_a_preflight_costs_no_rate_limit_points(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = dataclasses.replace(
        CORS, rate_limit_per_minute=100, redis_prefix=f"test-{uuid.uuid4().hex}"
    )
    await redis_or_skip(settings.redis_url)
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        first = await http.post("/graphql", json=QUERY, headers={"origin": PORTAL})
        for _ in range(5):
            await http.options("/graphql", headers=_preflight(PORTAL))
        second = await http.post("/graphql", json=QUERY, headers={"origin": PORTAL})
    remaining = [r.json()["extensions"]["cost"]["remainingThisMinute"] for r in [first, second]]
    assert remaining == [99, 98]
