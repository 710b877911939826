"""Hostile or oversized requests are refused early, with a code, and cost no database work."""

import uuid
from typing import Any

import httpx
import pytest
import redis.asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from settings import Introspection, Settings
from tests.conftest import TEST_SETTINGS, Databases, api_client
from tests.graphql import errors_of, query
from tests.services import redis_or_skip
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

NESTED = (
    "{ organizations(first: 100) { nodes { agreements(first: 100) { nodes { "
    "parties(first: 100) { nodes { id } } } } } } }"
)


def _code(errors: list[dict[str, Any]]) -> Any:
    assert len(errors) == 1, errors
    return errors[0]["extensions"]["code"]


@pytest.mark.parametrize(
    ("document", "code"),
    [
        pytest.param(NESTED, "QUERY_TOO_COSTLY", id="cost"),
        pytest.param(
            "{ organizations { nodes { parent { parent { parent { parent { parent { parent "
            "{ parent { parent { parent { parent { parent { parent { parent { parent { name "
            "} } } } } } } } } } } } } } } } }",
            "QUERY_TOO_DEEP",
            id="depth",
        ),
        pytest.param(
            "{ " + " ".join(f"a{i}: alliances {{ totalCount }}" for i in range(31)) + " }",
            "TOO_MANY_ALIASES",
            id="aliases",
        ),
        pytest.param(
            "{ organizations { nodes { " + "name " * 5001 + "} } }",
            "TOO_MANY_TOKENS",
            id="tokens",
        ),
    ],
)
async def test_a_query_over_a_limit_is_refused_before_any_sql(
    client: httpx.AsyncClient, statements: StatementCounter, document: str, code: str
) -> None:
    statements.reset()
    errors = await errors_of(client, document)
    assert _code(errors) == code
    assert statements.count == 0, "refused before the token lookup and any read"


async def test_the_cost_of_a_request_is_reported(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ organizations(first: 10) { nodes { agreements { totalCount } } } }"},
    )
    cost = response.json()["extensions"]["cost"]
    assert cost["requested"] == 1 + 10 + 10, "the list, each organization, its agreements list"
    assert cost["limit"] == TEST_SETTINGS.max_cost


async def test_a_variable_page_size_counts_in_the_cost(client: httpx.AsyncClient) -> None:
    document = (
        "query ($n: Int) { organizations(first: $n) { nodes { agreements(first: 100) { nodes "
        "{ parties(first: 100) { nodes { id } } } } } } }"
    )
    small = await client.post("/graphql", json={"query": document, "variables": {"n": 1}})
    assert "errors" not in small.json()
    big = await client.post("/graphql", json={"query": document, "variables": {"n": 100}})
    assert _code(big.json()["errors"]) == "QUERY_TOO_COSTLY"


async def test_a_body_over_the_size_limit_is_refused(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = Settings(rate_limit_per_minute=0, max_body_bytes=1_000)
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        response = await http.post(
            "/graphql", json={"query": "{ alliances { totalCount } }", "pad": "x" * 2_000}
        )
        fine = await http.post("/graphql", json={"query": "{ alliances { totalCount } }"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert fine.status_code == 200


async def test_the_rate_limit_is_shared_by_workers_and_answers_429(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = Settings(rate_limit_per_minute=100, redis_prefix=f"test-{uuid.uuid4().hex}")
    await redis_or_skip(settings.redis_url)
    document = {"query": "{ organizations(first: 30) { nodes { parent { name } } } }"}  # 61
    async with (
        api_client(demo_engine, databases.admin_token, settings) as worker_a,
        api_client(demo_engine, databases.admin_token, settings) as worker_b,
    ):
        first = await worker_a.post("/graphql", json=document)
        second = await worker_b.post("/graphql", json=document)
    assert first.status_code == 200
    assert first.json()["extensions"]["cost"]["remainingThisMinute"] == 100 - 61
    assert second.status_code == 429
    assert _code(second.json()["errors"]) == "RATE_LIMITED"
    assert 1 <= int(second.headers["Retry-After"]) <= 61
    [(spent, expires_in)] = await _windows(settings)
    assert spent == 61, "the refused request's points are given back"
    assert 0 < expires_in <= 120


async def _windows(settings: Settings) -> list[tuple[int, int]]:
    """Each counting window of the limiter's prefix in Redis: points spent, seconds to expiry."""
    client = redis.asyncio.Redis.from_url(settings.redis_url)
    try:
        keys = [key async for key in client.scan_iter(f"{settings.redis_prefix}:rate:*")]
        return [(int(await client.get(key) or 0), int(await client.ttl(key))) for key in keys]
    finally:
        await client.aclose()


async def test_an_unreachable_rate_limiter_lets_requests_through(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = Settings(rate_limit_per_minute=1, redis_url="redis://127.0.0.1:1/0")
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        data = await query(http, "{ alliances { totalCount } }")
    assert data["alliances"]["totalCount"] == 1


INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.mark.parametrize(
    ("mode", "anonymous_allowed", "token_allowed"),
    [
        (Introspection.ON, True, True),
        (Introspection.AUTHENTICATED, False, True),
        (Introspection.OFF, False, False),
    ],
)
async def test_introspection_is_configurable(
    demo_engine: AsyncEngine,
    databases: Databases,
    mode: Introspection,
    anonymous_allowed: bool,
    token_allowed: bool,
) -> None:
    settings = Settings(rate_limit_per_minute=0, introspection=mode)
    for token, allowed in [(None, anonymous_allowed), (databases.admin_token, token_allowed)]:
        async with api_client(demo_engine, token, settings) as http:
            body = (await http.post("/graphql", json={"query": INTROSPECTION})).json()
        if allowed:
            assert body["data"]["__schema"]["queryType"]["name"] == "Query"
        else:
            assert _code(body["errors"]) == "FORBIDDEN"


async def test_graphiql_can_be_turned_off(demo_engine: AsyncEngine) -> None:
    page = {"Accept": "text/html"}
    async with api_client(demo_engine, None) as on:
        assert "graphiql" in (await on.get("/graphql", headers=page)).text.lower()
    async with api_client(demo_engine, None, Settings(graphiql=False)) as off:
        assert (await off.get("/graphql", headers=page)).status_code == 404


async def test_postgresql_statements_time_out(databases: Databases, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no statement timeout")
    engine = create_engine(await databases.empty(), statement_timeout_ms=100)
    try:
        async with engine.connect() as connection:
            with pytest.raises(Exception, match="statement timeout"):
                await connection.exec_driver_sql("SELECT pg_sleep(2)")
    finally:
        await engine.dispose()


DEFAULTED = (
    "query($n: Int = 100) { organizations(first: $n) { nodes { agreements(first: $n) { nodes "
    "{ parties(first: $n) { nodes { id } } } } } } }"
)


async def test_a_variable_default_counts_as_it_will_run(
    client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    """Sent without variables, the default (100) is what runs: measured as if sent."""
    sent = await errors_of(client, DEFAULTED, {"n": 100})
    statements.reset()
    defaulted = await errors_of(client, DEFAULTED)
    assert _code(sent) == _code(defaulted) == "QUERY_TOO_COSTLY"
    assert sent[0]["message"] == defaulted[0]["message"]
    assert statements.count == 0


async def test_a_variable_default_is_what_the_rate_limit_is_charged(
    client: httpx.AsyncClient,
) -> None:
    document = "query($n: Int = 7) { organizations(first: $n) { nodes { id } } }"
    response = await client.post("/graphql", json={"query": document})
    assert response.json()["extensions"]["cost"]["requested"] == 1 + 7


def _doubling(fragments: int) -> str:
    """`fragments` fragments, each spreading the next twice: 2^n spreads once expanded."""
    parts = ["{ organizations(first: 1) { nodes { ...F0 } } }"]
    for i in range(fragments):
        inner = f"...F{i + 1} ...F{i + 1}" if i + 1 < fragments else ""
        parts.append(f"fragment F{i} on Organization {{ parent {{ id }} {inner} }}")
    return "\n".join(parts)


def test_each_fragment_is_measured_once() -> None:
    from graphql import parse

    from schema import build_schema
    from schema.limits import measure

    found = measure(
        build_schema()._schema, parse(_doubling(20)), operation_name=None, variables=None
    )
    assert found.fragments_measured == 20, "one walk per fragment, not one per spread"
    assert found.cost == 1 + 1 + (2**20 - 1), "each spread counted as it would run"


async def test_fragments_spreading_fragments_are_refused_before_any_sql(
    client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    statements.reset()
    errors = await errors_of(client, _doubling(20))
    assert _code(errors) == "QUERY_TOO_COSTLY"
    assert statements.count == 0


@pytest.mark.parametrize(
    ("document", "code", "field"),
    [
        pytest.param(
            "{ organizations(first: 101) { totalCount } }",
            "PAGE_SIZE_TOO_LARGE",
            "first",
            id="first",
        ),
        pytest.param(
            "{ organizations(first: -1) { totalCount } }", "BAD_USER_INPUT", "first", id="negative"
        ),
        pytest.param(
            "query($n: Int = 500) { organizations(first: 1) { nodes { agreements(first: $n) "
            "{ totalCount } } } }",
            "PAGE_SIZE_TOO_LARGE",
            "first",
            id="nested-default",
        ),
        pytest.param(
            '{ organizations(after: "nonsense") { totalCount } }',
            "BAD_USER_INPUT",
            "after",
            id="cursor",
        ),
        pytest.param(
            "{ organizations(first: 1) { nodes { partners(depth: 9) { totalCount } } } }",
            "BAD_USER_INPUT",
            "depth",
            id="depth",
        ),
        pytest.param(
            '{ cooperationPaths(from: "T3JnYW5pemF0aW9uOjE", to: "T3JnYW5pemF0aW9uOjI", '
            "max: 500) { length } }",
            "BAD_USER_INPUT",
            "max",
            id="max",
        ),
        pytest.param(
            "{ expiringAgreements(first: 501) { daysLeft } }",
            "BAD_USER_INPUT",
            "first",
            id="expiring-first",
        ),
        pytest.param(
            "{ network { degree(first: 101) { score } } }",
            "PAGE_SIZE_TOO_LARGE",
            "first",
            id="plain-list",
        ),
    ],
)
async def test_a_refused_argument_costs_no_sql(
    client: httpx.AsyncClient, statements: StatementCounter, document: str, code: str, field: str
) -> None:
    statements.reset()
    errors = await errors_of(client, document)
    assert _code(errors) == code
    assert errors[0]["extensions"]["field"] == field
    assert statements.count == 0, "refused before the token lookup and any read"
