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
