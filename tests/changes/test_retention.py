"""Retention, the events a job records, and the triggers every traced table has."""

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from cli import app
from db.base import utcnow
from db.change_feed import ENTITIES, ENTITY_TABLES, PARTS
from db.enums import ChangeKind
from resolvers.change_actor import Actor
from resolvers.change_recording import record_change
from resolvers.change_retention import prune_changes
from resolvers.nodes import NODE_TABLES
from tests.changes.feed import CHANGES, events_after, feed_end
from tests.graphql import errors_of, query
from tests.registries import UNIVERSITIES

pytestmark = pytest.mark.anyio

CREATE = (
    'mutation { createOrganization(input: {kind: OTHER, name: "Kept"}) { userErrors { code } } }'
)


async def test_pruning_deletes_old_events_and_expires_older_cursors(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    first_page = (await query(client, CHANGES, {"first": 1}))["changes"]
    old_cursor = first_page["cursor"]
    end = await feed_end(demo_engine, client)
    assert await prune_changes(demo_engine, days=90) == 0
    pruned = await prune_changes(demo_engine, days=1, now=utcnow() + timedelta(days=2))
    assert pruned > 0
    [expired] = await errors_of(client, CHANGES, {"after": old_cursor})
    assert expired["extensions"]["code"] == "CURSOR_EXPIRED"
    assert (await events_after(demo_engine, client, None))[0] == []
    await query(client, CREATE)
    events, _ = await events_after(demo_engine, client, end)
    assert [(e["entityType"], e["kind"]) for e in events] == [("Organization", "CREATED")]


async def test_a_job_records_an_event_with_its_name_and_the_entitys_organizations(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    end = await feed_end(demo_engine, client)
    async with demo_engine.begin() as connection:
        agreement = (await connection.execute(sa.text("SELECT min(id) FROM agreement"))).scalar()
        assert agreement is not None
        await record_change(
            connection,
            entity_type="Agreement",
            entity_id=agreement,
            kind=ChangeKind.UPDATED,
            actor=Actor.system("reminders"),
            fields=["reminder"],
        )
    [event] = (await events_after(demo_engine, client, end))[0]
    assert (event["entityType"], event["actor"], event["fields"]) == (
        "Agreement",
        "job:reminders",
        ["reminder"],
    )
    assert event["organizations"]


def test_every_node_type_but_the_history_has_events() -> None:
    assert set(ENTITY_TABLES) == set(NODE_TABLES) - {"HistoryEntry"}


async def test_every_traced_table_has_its_triggers(migrated_engine: AsyncEngine) -> None:
    if migrated_engine.dialect.name == "postgresql":
        found = sa.text(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'change_event_%'"
        )
    else:
        found = sa.text("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'")
    async with migrated_engine.connect() as connection:
        tables = set((await connection.execute(found)).scalars())
    assert tables >= {e.table for e in ENTITIES} | {p.table for p in PARTS}


def test_the_prune_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    assert runner.invoke(app, ["load", "universities", str(UNIVERSITIES)]).exit_code == 0
    kept = runner.invoke(app, ["changes", "prune"])
    assert kept.exit_code == 0 and kept.output.startswith("pruned 0 change events"), kept.output
    gone = runner.invoke(app, ["changes", "prune", "--days", "0"])
    assert gone.exit_code == 0 and not gone.output.startswith("pruned 0 "), gone.output
