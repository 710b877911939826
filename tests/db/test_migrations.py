"""The database schema is made by the migrations alone, and they run both ways."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import db.tables  # noqa: F401
from db.migrate import downgrade, upgrade

pytestmark = pytest.mark.anyio


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


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
