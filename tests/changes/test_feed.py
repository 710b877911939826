"""The change feed through the API: events written with the change, read in commit order."""

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of
from db.tables import ChangeEvent
from tests.changes.feed import CHANGES, events_after, feed_end
from tests.graphql import errors_of, query

pytestmark = pytest.mark.anyio

EVENT = table_of(ChangeEvent)

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


async def test_a_write_records_its_events_with_the_actor(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    cursor = await feed_end(demo_engine, client)
    made = await query(client, CREATE, {"input": {"kind": "UNIVERSITY", "name": "Feed U"}})
    organization = made["createOrganization"]["organization"]
    changed = await query(
        client,
        UPDATE,
        {"input": {"id": organization["id"], "version": 1, "name": "Feed University"}},
    )
    assert changed["updateOrganization"]["userErrors"] == []
    events, _ = await events_after(demo_engine, client, cursor)
    assert [(e["entityId"], e["kind"], e["version"], e["fields"]) for e in events] == [
        (organization["id"], "CREATED", 1, []),
        (organization["id"], "UPDATED", 2, ["name"]),
    ]
    assert events[0]["actor"].startswith("token:")
    assert events[1]["entity"]["id"] == organization["id"]
    assert events[1]["entity"]["name"] == "Feed University"


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
