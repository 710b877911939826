"""The feed's wakeup goes after the write's commit, in a transaction of its own: when it fails,
the write stays committed and answered, and the failure is logged (subscribers catch up by
their poll)."""

import logging

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.base import table_of
from tests.conftest import Databases, api_client

pytestmark = pytest.mark.anyio

CREATE = """
mutation { createOrganization(input: {kind: UNIVERSITY, name: "Announced Late"}) {
  organization { id name } userErrors { message } } }
"""


async def test_a_failed_wakeup_leaves_the_write_committed_and_answered(
    backend: str,
    demo_engine: AsyncEngine,
    databases: Databases,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite sends no notification (one process, woken directly)")
    monkeypatch.setattr(
        "resolvers.change_wakeup._NOTIFY_ALONE", sa.text("SELECT pg_notify_that_does_not_exist()")
    )
    with caplog.at_level(logging.WARNING, logger="partnergraph.subscriptions"):
        async with api_client(demo_engine, databases.admin_token) as client:
            response = await client.post("/graphql", json={"query": CREATE})
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["createOrganization"]["organization"]["name"] == "Announced Late"
    organization = table_of(t.Organization)
    async with demo_engine.connect() as connection:
        stored = await connection.scalar(
            sa.select(sa.func.count()).where(organization.c.name == "Announced Late")
        )
    assert stored == 1
    assert any("could not announce" in r.getMessage() for r in caplog.records)
