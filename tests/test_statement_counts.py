"""Reads are free of N+1: the statements of a request do not grow with its lists."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import StatementCounter
from tests.factories import add_network
from tests.graphql import query

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


async def _count(client: httpx.AsyncClient, statements: StatementCounter, first: int) -> int:
    statements.reset()
    data = await query(client, NESTED, {"first": first})
    orgs = data["organizations"]["edges"]
    assert len(orgs) == first
    for edge in orgs:
        agreements = edge["node"]["agreements"]["edges"]
        assert len(agreements) == 2
        for agreement in agreements:
            assert len(agreement["node"]["parties"]["edges"]) == 2
    return statements.count


async def test_statements_do_not_grow_with_the_number_of_organizations(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    await add_network(demo_engine, organizations=60, prefix="Probe")
    five = await _count(client, statements, 5)
    fifty = await _count(client, statements, 50)
    assert five == fifty
    assert fifty <= 5, (
        "the caller's token (with its scope), organizations, their agreements, the parties, "
        "the parties' organizations"
    )
