"""The change feed through the API: events written with the change, read in commit order."""

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of
from db.tables import ChangeEvent
from tests.graphql import errors_of, query

pytestmark = pytest.mark.anyio

EVENT = table_of(ChangeEvent)

CHANGES = """
query ($after: String, $first: Int, $filter: ChangeFilter) {
  changes(after: $after, first: $first, filter: $filter) {
    edges { cursor node { entityType entityId kind version actor fields organizations
      entity { id ... on Organization { name } } } }
    pageInfo { hasNextPage endCursor }
    cursor
  }
}
"""

CREATE = """
mutation ($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id version } userErrors { code field } }
}
"""
UPDATE = """
mutation ($input: UpdateOrganizationInput!) {
  updateOrganization(input: $input) { organization { id version } userErrors { code field } }
}
"""


async def _last_cursor(client: httpx.AsyncClient) -> str:
    """The cursor after every event so far."""
    after: str | None = None
    while True:
        page = (await query(client, CHANGES, {"after": after, "first": 100}))["changes"]
        after = page["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            assert after is not None
            return after


async def _after(client: httpx.AsyncClient, cursor: str, **filter: Any) -> list[dict[str, Any]]:
    variables = {"after": cursor, "first": 100, "filter": filter or None}
    page = (await query(client, CHANGES, variables))["changes"]
    return [edge["node"] for edge in page["edges"]]


async def test_a_write_records_its_events_with_the_actor(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    cursor = await _last_cursor(client)
    made = await query(client, CREATE, {"input": {"kind": "UNIVERSITY", "name": "Feed U"}})
    organization = made["createOrganization"]["organization"]
    changed = await query(
        client,
        UPDATE,
        {"input": {"id": organization["id"], "version": 1, "name": "Feed University"}},
    )
    assert changed["updateOrganization"]["userErrors"] == []
    events = await _after(client, cursor)
    assert [(e["entityId"], e["kind"], e["version"], e["fields"]) for e in events] == [
        (organization["id"], "CREATED", 1, []),
        (organization["id"], "UPDATED", 2, ["name"]),
    ]
    assert events[0]["actor"].startswith("token:")
    assert events[1]["entity"] == {"id": organization["id"], "name": "Feed University"}


async def test_a_refused_write_leaves_no_event(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    async with demo_engine.connect() as connection:
        before = (await connection.execute(sa.select(sa.func.count()).select_from(EVENT))).scalar()
    made = await query(client, CREATE, {"input": {"kind": "UNIVERSITY", "name": "x" * 600}})
    assert made["createOrganization"]["userErrors"]
    async with demo_engine.connect() as connection:
        after = (await connection.execute(sa.select(sa.func.count()).select_from(EVENT))).scalar()
    assert after == before


async def test_a_bad_cursor_is_an_error_with_a_code(client: httpx.AsyncClient) -> None:
    [error] = await errors_of(client, CHANGES, {"after": "nonsense"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
