"""Helpers of the change feed tests: reading the feed through the API, the demo's callers."""

import asyncio
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.changes import held_back
from tests.graphql import query

__all__ = [
    "CHANGES",
    "JOU",
    "NCU",
    "events_after",
    "feed_end",
    "organization_id",
    "settled",
]

JOU = "Jiangsu Open University"
NCU = "Nanchang University"

CHANGES = """
query ($after: String, $first: Int, $filter: ChangeFilter) {
  changes(after: $after, first: $first, filter: $filter) {
    edges { cursor node { entityType entityId kind version actor fields organizations
      entity { id updatedAt ... on Organization { name } ... on Person { name } } } }
    pageInfo { hasNextPage endCursor }
    cursor
  }
}
"""


async def feed_end(
    engine: AsyncEngine, client: httpx.AsyncClient, cursor: str | None = None
) -> str:
    """The cursor after every event `client` may read once every event written is readable."""
    await settled(engine)
    while True:
        page = (await query(client, CHANGES, {"after": cursor, "first": 100}))["changes"]
        cursor = page["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            assert cursor is not None
            return cursor


async def events_after(
    engine: AsyncEngine | None, client: httpx.AsyncClient, cursor: str | None, **filter: Any
) -> tuple[list[dict[str, Any]], str]:
    """Every event after `cursor` that `client` may read once every event written to `engine`
    is readable (at once when `engine` is None), and the cursor after them."""
    if engine is not None:
        await settled(engine)
    found: list[dict[str, Any]] = []
    while True:
        variables = {"after": cursor, "first": 100, "filter": filter or None}
        page = (await query(client, CHANGES, variables))["changes"]
        found += [edge["node"] for edge in page["edges"]]
        cursor = page["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            assert cursor is not None
            return found, cursor


async def organization_id(client: httpx.AsyncClient, name: str) -> str:
    data = await query(
        client,
        "query ($t: String!) "
        "{ organizations(filter: {text: $t}, first: 50) { nodes { id name } } }",
        {"t": name},
    )
    [found] = [n["id"] for n in data["organizations"]["nodes"] if n["name"] == name]
    return str(found)


async def settled(engine: AsyncEngine) -> None:
    """Waits until every event written so far is readable. On PostgreSQL a reader takes only
    the events of transactions older than every one still running in the database, so an
    event can be held back a moment by another transaction (an autovacuum's ANALYZE of the
    test's fresh copy): later, never lost."""
    for _ in range(400):
        async with engine.connect() as connection:
            if not await held_back(connection):
                return
        await asyncio.sleep(0.05)
    raise AssertionError("events are still held back after 20 s")
