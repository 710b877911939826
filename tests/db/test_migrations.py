"""The database schema is made by the migrations alone, and they run both ways."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import db.tables  # noqa: F401
from db.migrate import downgrade, upgrade
from db.tables.listings import POSTGRESQL_ONLY_INDEXES

pytestmark = pytest.mark.anyio


def _differences(connection: Connection) -> list[object]:
    """What the database has that the models do not, and the reverse; the indexes only
    PostgreSQL can make (`NULLS LAST`, made by their migration) are not in the models."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [
        d
        for d in compare_metadata(context, SQLModel.metadata)
        if not (
            isinstance(d, tuple) and d[0] == "remove_index" and d[1].name in POSTGRESQL_ONLY_INDEXES
        )
    ]


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_migrations_create_exactly_the_models(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
        assert await connection.run_sync(_tables) == set(SQLModel.metadata.tables)


async def test_upgrade_downgrade_upgrade(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    await downgrade(empty_engine, "base")
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_tables) == set()
    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_ledger_units_give_existing_entries_the_unit_they_were_recorded_in(
    empty_engine: AsyncEngine,
) -> None:
    """0022_ledger_units: an earned entry takes its course's program's unit (the course has
    none), a recognised one its rule's receiving program's, a correction its source's."""
    import sqlalchemy as sa

    from bench.credit_world import add_credit_world

    await upgrade(empty_engine, "0019_summary_rollup")
    world = await add_credit_world(empty_engine, learners=1, unit="UK_CREDIT")
    stamp = "CURRENT_TIMESTAMP"
    async with empty_engine.begin() as c:
        outcome = await c.scalar(
            sa.text(
                "INSERT INTO learning_outcome (account_id, provider_id, program_id, course_id, "
                f"title, credits, earned_on, created_at, updated_at, version) VALUES (:a, :p, "
                f":g, :c, 'x', 2, CURRENT_DATE, {stamp}, {stamp}, 1) RETURNING id"
            ),
            {"a": world.accounts[0], "p": world.source, "g": world.program, "c": world.courses[0]},
        )
        columns = "account_id, organization_id, outcome_id, recorded_on, recorded_at, recorded_by"
        values = f":a, :o, :out, CURRENT_DATE, {stamp}, 'test'"
        given = {"a": world.accounts[0], "o": world.source, "out": outcome}
        earned = await c.scalar(
            sa.text(
                f"INSERT INTO credit_entry ({columns}, kind, credits) VALUES ({values}, "
                "'earned', 2) RETURNING id"
            ),
            given,
        )
        await c.execute(
            sa.text(
                f"INSERT INTO credit_entry ({columns}, kind, credits, corrects_id, reason) "
                f"VALUES ({values}, 'corrected', -1, :e, 'r')"
            ),
            {**given, "e": earned},
        )
        await c.execute(
            sa.text(
                f"INSERT INTO credit_entry ({columns}, kind, credits, rule_id) "
                f"VALUES ({values}, 'recognised', 1, :r)"
            ),
            {**given, "o": world.receiver, "r": world.rule},
        )
    await upgrade(empty_engine)
    async with empty_engine.connect() as c:
        found = (
            await c.execute(sa.text("SELECT kind, unit_code FROM credit_entry ORDER BY id"))
        ).all()
    assert [tuple(row) for row in found] == [
        ("earned", "UK_CREDIT"),
        ("corrected", "UK_CREDIT"),
        ("recognised", "UK_CREDIT"),
    ]
