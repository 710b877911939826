"""Migrating a database to the models' schema, from code (the CLI, the server and the tests)."""

import functools
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["alembic_config", "downgrade", "head_revisions", "unknown_revisions", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _migrate(engine, lambda c: command.upgrade(alembic_config(c), revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    await _migrate(engine, lambda c: command.downgrade(alembic_config(c), revision))


async def _migrate(engine: AsyncEngine, work: Callable[[Connection], None]) -> None:
    """`work` in one transaction. On SQLite with foreign keys off while it runs (set before the
    transaction begins, where the pragma takes effect), as Alembic's batch mode needs: a table
    rebuild drops the old table, which with rows referring to it (its own `corrects_id`, say)
    fails with foreign keys on; `PRAGMA foreign_key_check` must find nothing before the commit."""
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                await connection.run_sync(work)
                if sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


def _unknown(connection: Connection) -> list[str]:
    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    current = MigrationContext.configure(connection).get_current_heads()
    return [revision for revision in current if revision not in known]


async def unknown_revisions(engine: AsyncEngine) -> list[str]:
    """The revisions the database is at that these migrations do not know: a newer version of
    the code migrated it (alembic can then neither upgrade nor downgrade it)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_unknown)


@functools.cache
def head_revisions() -> frozenset[str]:
    """The revisions a database migrated by this code is at (read from the scripts once per
    process)."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())
