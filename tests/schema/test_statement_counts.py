"""Reads are free of N+1: the statements of a request do not grow with its lists."""

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from resolvers.ids import encode_id
from tests.conftest import api_client, make_token
from tests.factories import add_network
from tests.graphql import query
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

NESTED = """
query ($first: Int!) {
  organizations(first: $first, filter: {text: "Probe University"}) {
    totalCount
    edges { node {
      name
      agreements(first: 10) { totalCount edges { node {
        title status
        parties { edges { node { role organization { name country } } } }
      } } }
    } }
  }
}
"""


BACKWARDS = (
    NESTED.replace("organizations(first: $first", "organizations(last: $first")
    .replace("agreements(first: 10)", "agreements(last: 10)")
    .replace("parties {", "parties(last: 5) {")
)


async def _count(
    client: httpx.AsyncClient, statements: StatementCounter, first: int, nested: str = NESTED
) -> tuple[int, int]:
    """The statements of a document the server has not seen (strawberry's road, the token
    read), then of the same document again (on PostgreSQL the fast lane, the token kept)."""
    document = f"{nested}# first: {first}\n"
    counts = []
    for _ in range(2):
        statements.reset()
        data = await query(client, document, {"first": first})
        counts.append(statements.count)
        orgs = data["organizations"]["edges"]
        assert len(orgs) == first
        for edge in orgs:
            agreements = edge["node"]["agreements"]["edges"]
            assert len(agreements) == 2
            for agreement in agreements:
                assert len(agreement["node"]["parties"]["edges"]) == 2
    return counts[0], counts[1]


async def test_statements_do_not_grow_with_the_number_of_organizations(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    await add_network(demo_engine, organizations=60, prefix="Probe")
    five = await _count(client, statements, 5)
    fifty = await _count(client, statements, 50)
    assert five == fifty
    assert fifty[0] <= 5, (
        "the caller's token (with its scope), organizations, their agreements, the parties, "
        "the parties' organizations"
    )
    if demo_engine.dialect.name == "postgresql":
        assert fifty[1] == 1, "one compiled statement, with the token this worker kept"


async def test_paging_backwards_takes_as_many_statements_as_forwards(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    await add_network(demo_engine, organizations=60, prefix="Probe")
    forwards = await _count(client, statements, 50)
    assert await _count(client, statements, 5, BACKWARDS) == forwards
    assert await _count(client, statements, 50, BACKWARDS) == forwards


# The benchmark's scenarios (bench/scenarios.py), each sent for a small and a large subject of the
# generated network: the statements must be the same number.


async def _scenario_statements(
    engine: AsyncEngine,
    statements: StatementCounter,
    scenario: str,
    token: str | None,
    variables: dict[str, object],
) -> tuple[int, dict[str, object]]:
    from bench.scenarios import SCENARIOS

    document = next(s.document for s in SCENARIOS if s.name == scenario)
    async with api_client(engine, token) as http:
        statements.reset()
        data = await query(http, document, variables)
    return statements.count, data


async def _generated(engine: AsyncEngine) -> None:
    from bench.generate import generate

    await generate(engine, organizations=80, agreements=600, seed=3)


async def _extremes(engine: AsyncEngine, sql: str) -> list[tuple[int, str]]:
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.text(sql))).all()
    return [(row[0], row[1]) for row in (rows[0], rows[-1])]


async def test_portal_statements_do_not_grow_with_the_agreements(
    demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    await _generated(demo_engine)
    extremes = await _extremes(
        demo_engine,
        "SELECT o.id, o.name FROM organization o JOIN agreement_party p "
        "ON p.organization_id = o.id WHERE o.name LIKE 'Bench %' "
        "GROUP BY o.id, o.name HAVING count(*) >= 2 ORDER BY count(*), o.id",
    )
    counts, lengths = [], []
    for key, name in extremes:
        token = await make_token(demo_engine, TokenRole.EDITOR, organization=name)
        count, data = await _scenario_statements(
            demo_engine, statements, "portal", token, {"id": encode_id("Organization", key)}
        )
        counts.append(count)
        lengths.append(len(data["node"]["agreements"]["edges"]))  # type: ignore[index]
    assert lengths[0] < lengths[1] == 20
    assert counts[0] == counts[1] <= 5


async def test_secretariat_statements_do_not_grow_with_the_members(
    demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    await _generated(demo_engine)
    extremes = await _extremes(
        demo_engine,
        "SELECT a.id, a.name FROM alliance a JOIN membership m ON m.alliance_id = a.id "
        "WHERE a.name LIKE 'Bench %' AND m.left_on IS NULL "
        "GROUP BY a.id, a.name ORDER BY count(*), a.id",
    )
    counts, lengths = [], []
    for key, name in extremes:
        token = await make_token(demo_engine, TokenRole.SECRETARIAT, alliance=name)
        count, data = await _scenario_statements(
            demo_engine, statements, "secretariat", token, {"id": encode_id("Alliance", key)}
        )
        counts.append(count)
        lengths.append(len(data["node"]["memberships"]["edges"]))  # type: ignore[index]
    assert lengths[0] < lengths[1]
    assert counts[0] == counts[1] <= 7


async def test_directory_statements_do_not_grow_with_the_page(
    demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    await _generated(demo_engine)
    extremes = await _extremes(
        demo_engine,
        "SELECT count(*), country FROM organization WHERE kind = 'university' "
        "GROUP BY country ORDER BY count(*), country",
    )
    counts, lengths = [], []
    for _, country in extremes:
        count, data = await _scenario_statements(
            demo_engine, statements, "directory", None, {"country": country}
        )
        counts.append(count)
        lengths.append(len(data["organizations"]["edges"]))  # type: ignore[index]
    assert lengths[0] < lengths[1]
    assert counts[0] == counts[1] == 1


async def test_report_statements_do_not_grow_with_the_groups(
    demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    counts, lengths = [], []
    for more in (False, True):
        if more:
            await _generated(demo_engine)
        token = await make_token(demo_engine, TokenRole.REPORTER)  # read afresh, not kept
        count, data = await _scenario_statements(demo_engine, statements, "report", token, {})
        counts.append(count)
        lengths.append(len(data["cooperationSummary"]["groups"]))  # type: ignore[index]
    assert lengths[0] < lengths[1]
    assert counts[0] == counts[1] <= 3, "the token, the report's settings, the grouped counts"
