"""Databases for the examples: the demo made once as `partnergraph serve` makes it, and a fresh
copy of it for each page (a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL),
so a page's writes are seen by no other page."""

import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

from cli.first_run import DEMO_TOKENS, Data, prepare
from db.engine import create_engine
from db.migrate import upgrade

__all__ = ["copy_of", "make_demo", "postgres_database"]


async def make_demo(database_url: str) -> dict[str, str]:
    """Migrates the empty database and loads the demo with its four tokens, as `serve` does
    (so token IDs are the ones a new user sees); the tokens' secrets by role."""
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        printed = await prepare(engine, data=Data.DEMO)
    finally:
        await engine.dispose()
    secrets = dict(
        line.strip().split(": ", 1) for line in printed.splitlines() if line.startswith("  ")
    )
    return {role.value: secrets[name] for name, role, _, _ in DEMO_TOKENS}


async def _execute(url: URL, sql: str) -> None:
    """Runs `sql` on the server of `url`, connected to its maintenance database."""
    dsn = url.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def postgres_database(
    server_url: str, prefix: str = "partnergraph_examples"
) -> AsyncIterator[str]:
    """A new, empty database on the server of `server_url` (named `<prefix>_<random>`), dropped
    on leaving."""
    url = make_url(server_url).set(database=f"{prefix}_{uuid.uuid4().hex[:8]}")
    await _execute(url, f'CREATE DATABASE "{url.database}"')
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        await _execute(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@asynccontextmanager
async def copy_of(template_url: str) -> AsyncIterator[str]:
    """A fresh copy of the database at `template_url` (nobody connected to it), removed on
    leaving."""
    template = make_url(template_url)
    name = f"{uuid.uuid4().hex[:8]}"
    if template.get_backend_name() == "sqlite":
        source = Path(template.database or "")
        target = source.with_name(f"{source.stem}_{name}.db")
        shutil.copyfile(source, target)
        try:
            yield template.set(database=str(target)).render_as_string(hide_password=False)
        finally:
            target.unlink(missing_ok=True)
        return
    copy = template.set(database=f"{template.database}_{name}")
    await _execute(copy, f'CREATE DATABASE "{copy.database}" TEMPLATE "{template.database}"')
    try:
        yield copy.render_as_string(hide_password=False)
    finally:
        await _execute(copy, f'DROP DATABASE IF EXISTS "{copy.database}" WITH (FORCE)')
