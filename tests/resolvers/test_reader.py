"""Reads through `resolvers.reading`: a filter that repeats the viewer's visibility is applied
once, and an organization's agreements are decided on the listed party row where they can be."""

import dataclasses

import httpx
import pytest
import sqlalchemy as sa
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from resolvers.agreements import (
    AGREEMENT,
    AgreementFilter,
    agreement_conditions,
    organization_agreements,
)
from resolvers.ids import encode_id
from resolvers.reading import narrowed
from resolvers.viewer import Role, Viewer
from resolvers.visibility import visible
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.factories import add_network
from tests.graphql import query

SECRETARIAT = Viewer(role=Role.SECRETARIAT, alliance_id=2, token_id=1)


def _party_alliance(alliance: int) -> list[sa.ColumnElement[bool]]:
    return agreement_conditions(
        AgreementFilter(party_alliance=strawberry.ID(encode_id("Alliance", alliance)))
    )


def _sql(statement: sa.Select[object]) -> str:
    return str(statement.compile(compile_kwargs={"literal_binds": True}))


def test_a_filter_equal_to_the_visibility_condition_is_left_out() -> None:
    base = sa.select(AGREEMENT).where(visible(SECRETARIAT, AGREEMENT))
    statement = narrowed(base, _party_alliance(2))
    assert _sql(statement) == _sql(base)
    assert _sql(statement).count("EXISTS") == 1


def test_an_organization_s_rolled_up_agreements_test_the_alliance_once() -> None:
    """Inside the rolled-up list's EXISTS the visibility is one OR among ANDed conditions (in
    parentheses): the filter equal to it is still left out."""
    f = AgreementFilter(party_alliance=strawberry.ID(encode_id("Alliance", 2)))
    statement, _ = organization_agreements(SECRETARIAT, f)
    assert _sql(statement).count("membership.alliance_id = 2") == 2  # the row, the probe
    other = AgreementFilter(party_alliance=strawberry.ID(encode_id("Alliance", 3)))
    assert _sql(organization_agreements(SECRETARIAT, other)[0]).count("alliance_id = 3") == 2


def test_a_filter_on_another_alliance_is_kept() -> None:
    base = sa.select(AGREEMENT).where(visible(SECRETARIAT, AGREEMENT))
    statement = narrowed(base, _party_alliance(3))
    assert _sql(statement).count("EXISTS") == 2
    assert "membership.alliance_id = 3" in _sql(statement)


def test_repeated_filters_are_applied_once_and_other_conditions_kept() -> None:
    base = sa.select(AGREEMENT)
    kind = AGREEMENT.c.kind == "mou"
    statement = narrowed(base, [*_party_alliance(3), kind, *_party_alliance(3), kind])
    sql = _sql(statement)
    assert sql.count("EXISTS") == 1
    assert sql.count("agreement.kind = 'mou'") == 1


ORGANIZATION_AGREEMENTS = """
query ($name: String!) {
  organizations(first: 1, filter: {text: $name}) { edges { node {
    name agreements(first: 10) { totalCount edges { node { title } } }
  } } }
}"""


async def _agreements_of(client: httpx.AsyncClient, name: str) -> list[str]:
    data = await query(client, ORGANIZATION_AGREEMENTS, {"name": name})
    (edge,) = data["organizations"]["edges"]
    connection = edge["node"]["agreements"]
    titles = sorted(e["node"]["title"] for e in connection["edges"])
    assert connection["totalCount"] == len(titles)
    return titles


@pytest.mark.anyio
@pytest.mark.parametrize("compiled", [True, False])
async def test_an_organizations_agreements_are_those_the_viewer_may_see(
    demo_engine: AsyncEngine, compiled: bool
) -> None:
    """An editor sees all of its own organization's agreements, and of another's only those
    its organization is a party to (decided on the listed party row when it is the editor's)."""
    await add_network(demo_engine, organizations=6, prefix="Ring")
    token = await make_token(demo_engine, TokenRole.EDITOR, organization="Ring University 001")
    settings = dataclasses.replace(TEST_SETTINGS, compiled_reads=compiled)
    async with api_client(demo_engine, token, settings) as client:
        for _ in range(2):  # the second time through the fast lane, where it applies
            assert await _agreements_of(client, "Ring University 001") == [
                "Ring exchange 000",
                "Ring exchange 001",
            ]
            assert await _agreements_of(client, "Ring University 002") == ["Ring exchange 001"]
            assert await _agreements_of(client, "Ring University 004") == []


PARTY_FILTERED = """
query ($name: String!, $party: ID!) {
  organizations(first: 1, filter: {text: $name}) { edges { node {
    agreements(first: 10, filter: {party: $party}) { totalCount edges { node { title } } }
  } } }
}"""


@pytest.mark.anyio
@pytest.mark.parametrize("compiled", [True, False])
async def test_a_party_filter_on_an_organizations_agreements(
    demo_engine: AsyncEngine, databases: Databases, compiled: bool
) -> None:
    """The listed organization meets the filter itself for all its agreements; another party
    only for those it shares (tested on the listed row first, then by probing the others)."""
    await add_network(demo_engine, organizations=6, prefix="Ring")
    ids = {}
    async with demo_engine.connect() as connection:
        for row in await connection.execute(
            sa.text("SELECT id, name FROM organization WHERE name LIKE 'Ring University %'")
        ):
            ids[row.name[-3:]] = encode_id("Organization", row.id)
    settings = dataclasses.replace(TEST_SETTINGS, compiled_reads=compiled)
    async with api_client(demo_engine, databases.admin_token, settings) as client:

        async def titles(party: str) -> list[str]:
            data = await query(
                client, PARTY_FILTERED, {"name": "Ring University 002", "party": ids[party]}
            )
            connection = data["organizations"]["edges"][0]["node"]["agreements"]
            found = sorted(e["node"]["title"] for e in connection["edges"])
            assert connection["totalCount"] == len(found)
            return found

        for _ in range(2):
            assert await titles("002") == ["Ring exchange 001", "Ring exchange 002"]
            assert await titles("003") == ["Ring exchange 002"]
            assert await titles("005") == []
