"""Helpers of the change feed tests: reading the feed through the API, the demo's callers."""

from typing import Any

import httpx

from tests.graphql import query

__all__ = ["CHANGES", "JOU", "NCU", "events_after", "feed_end", "organization_id"]

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


async def feed_end(client: httpx.AsyncClient, cursor: str | None = None) -> str:
    """The cursor after every event `client` may read now."""
    while True:
        page = (await query(client, CHANGES, {"after": cursor, "first": 100}))["changes"]
        cursor = page["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            assert cursor is not None
            return cursor


async def events_after(
    client: httpx.AsyncClient, cursor: str | None, **filter: Any
) -> tuple[list[dict[str, Any]], str]:
    """Every event after `cursor` that `client` may read now, and the cursor after them."""
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
