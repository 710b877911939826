"""The fast lane (schema/compiled/fast_lane.py): learned plain-data queries answered before
strawberry, byte for byte as strawberry answers them, with one admission per request."""

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.enums import TokenRole
from resolvers.ids import encode_id
from resolvers.memo import Bounded
from resolvers.rate_limit import NoRateLimit, Spend
from resolvers.tokens import authenticate, kept_token
from schema.compiled import fast_lane
from schema.compiled.fast_lane import answer_plain_read
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.graphql import query
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

ORDINARY = dataclasses.replace(TEST_SETTINGS, compiled_reads=False)

DIRECTORY = """
query Directory($country: String!, $first: Int!) {
  organizations(first: $first, filter: {country: [$country]}) {
    totalCount
    edges { cursor node { id name kind country parent { name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

WITH_AN_ORDINARY_FIELD = """
query { agreements(first: 3) { edges { node { id title modes } } } }"""


class Lane:
    """Counts what the lane answered and what it left to strawberry."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answered = 0
        self.declined = 0
        inner = answer_plain_read

        async def spy(*args: Any, **kwargs: Any) -> Any:
            response = await inner(*args, **kwargs)
            if response is None:
                self.declined += 1
            else:
                self.answered += 1
            return response

        monkeypatch.setattr("web.graphql_view.answer_plain_read", spy)


@pytest.fixture
async def lane(demo_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Lane]:
    if demo_engine.dialect.name != "postgresql":
        pytest.skip("compiled reads, and so the lane, are PostgreSQL's")
    monkeypatch.setattr(fast_lane, "_learned", Bounded(256))  # what other tests taught it
    yield Lane(monkeypatch)


async def _post(
    client: httpx.AsyncClient, document: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    return await client.post("/graphql", json={"query": document, "variables": variables})


async def test_a_plain_query_takes_the_lane_once_strawberry_has_run_it(
    lane: Lane, client: httpx.AsyncClient
) -> None:
    variables = {"country": "CN", "first": 3}
    first = await _post(client, DIRECTORY, variables)
    assert (lane.answered, lane.declined) == (0, 1)
    second = await _post(client, DIRECTORY, variables)
    assert (lane.answered, lane.declined) == (1, 1)
    assert second.status_code == first.status_code == 200
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.content == first.content
    body = orjson.loads(second.content)
    assert len(body["data"]["organizations"]["edges"]) == 3
    assert body["extensions"]["cost"]["requested"] > 0


async def test_other_variables_take_the_lane_with_their_own_answer(
    lane: Lane, client: httpx.AsyncClient, demo_engine: AsyncEngine, databases: Databases
) -> None:
    await _post(client, DIRECTORY, {"country": "CN", "first": 3})
    through_lane = await _post(client, DIRECTORY, {"country": "GB", "first": 2})
    assert lane.answered == 1
    async with api_client(demo_engine, databases.admin_token, ORDINARY) as ordinary_client:
        ordinary = await _post(ordinary_client, DIRECTORY, {"country": "GB", "first": 2})
    assert orjson.loads(through_lane.content) == orjson.loads(ordinary.content)
    edges = orjson.loads(through_lane.content)["data"]["organizations"]["edges"]
    assert edges and {edge["node"]["country"] for edge in edges} == {"GB"}


async def test_variables_that_do_not_coerce_are_reported_by_strawberry(
    lane: Lane, client: httpx.AsyncClient
) -> None:
    await _post(client, DIRECTORY, {"country": "CN", "first": 3})
    refused = await _post(client, DIRECTORY, {"country": "CN", "first": "three"})
    assert lane.answered == 0
    errors = orjson.loads(refused.content)["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_query_with_an_ordinary_field_never_takes_the_lane(
    lane: Lane, client: httpx.AsyncClient
) -> None:
    for _ in range(3):
        response = await _post(client, WITH_AN_ORDINARY_FIELD)
        assert "errors" not in orjson.loads(response.content)
    assert (lane.answered, lane.declined) == (0, 3)


async def test_a_bad_token_is_checked_once_and_refused_as_strawberry_refuses_it(
    lane: Lane,
    client: httpx.AsyncClient,
    demo_engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    variables = {"country": "CN", "first": 3}
    await _post(client, DIRECTORY, variables)
    checked: list[str] = []

    async def counting(engine: AsyncEngine, raw: str) -> Any:
        checked.append(raw)
        return await authenticate(engine, raw)

    monkeypatch.setattr("resolvers.admission.authenticate", counting)
    async with api_client(demo_engine, "pgt_nope_nothing") as stranger:
        refused = await _post(stranger, DIRECTORY, variables)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert orjson.loads(refused.content)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert checked == ["pgt_nope_nothing"]
    assert lane.answered == 0


async def test_the_rate_limiter_is_charged_once_whichever_road_answers(
    lane: Lane, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    spent: list[int] = []

    async def spend(self: NoRateLimit, caller: str, points: int) -> Spend:
        spent.append(points)
        return Spend(allowed=True, remaining=None)

    monkeypatch.setattr(NoRateLimit, "spend", spend)
    variables = {"country": "CN", "first": 3}
    await _post(client, DIRECTORY, variables)  # strawberry
    await _post(client, DIRECTORY, variables)  # the lane
    assert lane.answered == 1
    assert len(spent) == 2
    # admitted by the lane, then handed on: a reference in a filter that names nothing
    document = """query ($party: ID!) { agreements(first: 2, filter: {party: $party}) {
      totalCount } }"""
    await _post(client, document, {"party": "T3JnYW5pemF0aW9uOjE"})
    await _post(client, document, {"party": "T3JnYW5pemF0aW9uOjE"})
    missing = await _post(client, document, {"party": "T3JnYW5pemF0aW9uOjk5OTk5"})
    assert orjson.loads(missing.content)["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (lane.answered, lane.declined) == (2, 3)
    assert len(spent) == 5


# Kept tokens (resolvers/token_cache.py): a worker answers the lane with a token viewer it read
# before, and its statement checks the access change counter. Two engines on one database stand
# for two workers: each has its own kept tokens.

AGREEMENTS_OF = """
query ($id: ID!) { node(id: $id) { ... on Organization { name agreements { totalCount } } } }"""


@pytest.fixture
async def other_worker(demo_engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(demo_engine.url.render_as_string(hide_password=False))
    yield engine
    await engine.dispose()


async def test_a_kept_token_saves_the_lane_its_statement(
    lane: Lane, client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    variables = {"country": "CN", "first": 3}
    statements.reset()
    first = await _post(client, DIRECTORY, variables)
    through_strawberry = statements.count
    statements.reset()
    second = await _post(client, DIRECTORY, variables)
    assert lane.answered == 1
    assert second.content == first.content
    assert (through_strawberry, statements.count) == (2, 1)


async def test_a_token_revoked_on_one_worker_is_refused_by_another_at_its_next_request(
    lane: Lane,
    client: httpx.AsyncClient,
    demo_engine: AsyncEngine,
    other_worker: AsyncEngine,
    statements: StatementCounter,
) -> None:
    reporter = await make_token(demo_engine, TokenRole.REPORTER)
    variables = {"country": "CN", "first": 3}
    async with api_client(other_worker, reporter) as worker:
        for _ in range(2):
            assert (await _post(worker, DIRECTORY, variables)).status_code == 200
        assert lane.answered == 1
        assert kept_token(other_worker, reporter) is not None
        listed = await query(client, "{ apiTokens { nodes { id role } } }")
        [token_id] = [n["id"] for n in listed["apiTokens"]["nodes"] if n["role"] == "REPORTER"]
        revoked = await query(
            client,
            "mutation ($id: ID!) { revokeApiToken(id: $id) { token { revokedAt } } }",
            {"id": token_id},
        )
        assert revoked["revokeApiToken"]["token"]["revokedAt"] is not None
        refused = await _post(worker, DIRECTORY, variables)
    assert refused.status_code == 401
    error = orjson.loads(refused.content)["errors"][0]
    assert (error["extensions"]["code"], error["message"]) == (
        "UNAUTHENTICATED",
        "this API token was revoked",
    )
    assert lane.answered == 1
    assert kept_token(other_worker, reporter) is None


async def _leaf_and_party(engine: AsyncEngine) -> tuple[str, int, int]:
    """An organization with no units and no agreements, and another one with agreements that
    the first is no party to."""
    async with engine.connect() as connection:
        leaf = (
            await connection.execute(
                sa.text(
                    "SELECT o.id, o.name FROM organization o WHERE NOT EXISTS "
                    "(SELECT 1 FROM organization u WHERE u.parent_id = o.id) AND NOT EXISTS "
                    "(SELECT 1 FROM agreement_party p WHERE p.organization_id = o.id) "
                    "ORDER BY o.id LIMIT 1"
                )
            )
        ).one()
        party = await connection.scalar(
            sa.text(
                "SELECT organization_id FROM agreement_party GROUP BY organization_id "
                "ORDER BY count(*) DESC, organization_id LIMIT 1"
            )
        )
    return leaf.name, leaf.id, party


async def test_a_unit_moved_under_a_kept_tokens_organization_is_in_its_scope_at_once(
    lane: Lane, demo_engine: AsyncEngine, other_worker: AsyncEngine
) -> None:
    name, leaf, party = await _leaf_and_party(demo_engine)
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization=name)
    variables = {"id": encode_id("Organization", party)}
    async with api_client(other_worker, editor) as worker:
        before = [await query(worker, AGREEMENTS_OF, variables) for _ in range(2)]
        assert lane.answered == 1
        assert before[0] == before[1]
        assert before[1]["node"]["agreements"]["totalCount"] == 0
        async with demo_engine.begin() as connection:
            await connection.execute(
                sa.text("UPDATE organization SET parent_id = :leaf WHERE id = :party"),
                {"leaf": leaf, "party": party},
            )
        after = await query(worker, AGREEMENTS_OF, variables)
        again = await query(worker, AGREEMENTS_OF, variables)
    assert after == again
    assert after["node"]["agreements"]["totalCount"] > 0
    assert lane.answered == 3  # the stale answer thrown away, the token read, answered again


@pytest.mark.parametrize(
    ("change", "moves"),
    [
        ("UPDATE api_token SET name = 'renamed'", True),
        ("UPDATE api_token SET revoked_at = now()", True),
        ("DELETE FROM api_token", True),
        (
            "INSERT INTO organization (name, kind, status, is_illustrative, created_at, "
            "updated_at, version) SELECT 'New unit', kind, status, is_illustrative, now(), "
            "now(), 1 FROM organization LIMIT 1",
            True,
        ),
        ("UPDATE organization SET parent_id = NULL WHERE parent_id IS NOT NULL", True),
        ("UPDATE organization SET name = name || '.'", False),
        ("UPDATE agreement SET title = title || '.'", False),
        (
            "INSERT INTO alliance (name, scope, created_at, updated_at, version) "
            "VALUES ('New alliance', 'national', now(), now(), 1)",
            False,
        ),
    ],
)
async def test_the_access_change_counter_moves_with_what_a_token_admits(
    demo_engine: AsyncEngine, change: str, moves: bool
) -> None:
    if demo_engine.dialect.name != "postgresql":
        pytest.skip("the counter is moved by PostgreSQL triggers")
    read = sa.text("SELECT value FROM access_change WHERE id = 1")
    async with demo_engine.begin() as connection:
        before = await connection.scalar(read)
        await connection.execute(sa.text(change))
        inside = await connection.scalar(read)
    async with demo_engine.connect() as connection:
        after = await connection.scalar(read)
    assert (inside != before, after == inside) == (moves, True)


async def test_a_request_the_lane_hands_on_is_never_answered_with_a_stale_kept_token(
    lane: Lane, demo_engine: AsyncEngine
) -> None:
    """The lane admits with the kept token, then declines before its statement (a filter names
    an organization that does not exist): strawberry must see the token as it is now."""
    reporter = await make_token(demo_engine, TokenRole.REPORTER)
    document = """query ($party: ID!) { agreements(first: 2, filter: {party: $party}) {
      totalCount } }"""
    existing = {"party": encode_id("Organization", 1)}
    async with api_client(demo_engine, reporter) as http:
        for _ in range(2):
            assert (await _post(http, document, existing)).status_code == 200
        assert lane.answered == 1
        async with demo_engine.begin() as connection:
            await connection.execute(sa.text("UPDATE api_token SET revoked_at = now()"))
        missing = await _post(http, document, {"party": encode_id("Organization", 99_999)})
    assert missing.status_code == 401
    assert orjson.loads(missing.content)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def _relations_read(plan: dict[str, Any]) -> set[str]:
    """The tables an `EXPLAIN (ANALYZE, FORMAT JSON)` plan actually read (loops > 0)."""
    read = set()
    if plan.get("Actual Loops", 0) > 0 and "Relation Name" in plan:
        read.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        read |= _relations_read(child)
    return read


async def test_a_stale_kept_tokens_statement_reads_nothing_but_the_counter(
    lane: Lane, client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    variables = {"country": "CN", "first": 3}
    for _ in range(2):
        await _post(client, DIRECTORY, variables)
    sent: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    async with demo_engine.begin() as connection:
        await connection.execute(sa.text("UPDATE access_change SET value = value + 1"))
    event.listen(demo_engine.sync_engine, "before_cursor_execute", record)
    try:
        answer = await _post(client, DIRECTORY, variables)
    finally:
        event.remove(demo_engine.sync_engine, "before_cursor_execute", record)
    assert lane.answered == 2
    assert len(orjson.loads(answer.content)["data"]["organizations"]["edges"]) == 3
    stale, parameters = sent[0]
    assert len(sent) == 3, "the stale statement, the token read afresh, the answer"
    async with demo_engine.connect() as connection:
        explained = await connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {stale}", parameters
        )
        plan = explained.scalar_one()
        plan = orjson.loads(plan) if isinstance(plan, str) else plan
    assert _relations_read(plan[0]["Plan"]) == {"access_change"}


async def test_without_the_counter_row_no_token_is_kept(
    lane: Lane, client: httpx.AsyncClient, demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with demo_engine.begin() as connection:
        await connection.execute(sa.text("DELETE FROM access_change"))
    variables = {"country": "CN", "first": 3}
    for _ in range(2):
        assert (await _post(client, DIRECTORY, variables)).status_code == 200
    assert lane.answered == 1
    assert kept_token(demo_engine, databases.admin_token) is None
