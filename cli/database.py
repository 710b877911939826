"""The database of DATABASE_URL for one command: its URL checked, its engine made and disposed,
and its failures (unreachable, missing, migrated by a newer version) told as what to do."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cli.failures import DATABASE_ERROR, Failure

if TYPE_CHECKING:
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncEngine

    from settings import Settings

__all__ = ["checked_url", "configured", "database", "explain", "migrate"]

DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
"""The one driver partnergraph runs on, per database."""
EXAMPLES = "sqlite+aiosqlite:///./partnergraph.db or postgresql+asyncpg://user@host:5432/name"


def configured() -> "Settings":
    """The settings, or a `Failure` naming the variable that cannot be read."""
    from settings import load_settings

    try:
        return load_settings()
    except ValueError as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        raise Failure(f"the configuration cannot be read: {'; '.join(lines[:3])}") from error


def checked_url(text: str) -> "URL":
    """DATABASE_URL parsed, with a supported driver and (for SQLite) a folder that can be
    written; otherwise a `Failure` saying how to write it."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except ArgumentError as error:
        raise Failure(f"DATABASE_URL is not a database URL; write it as {EXAMPLES}") from error
    backend = "postgresql" if url.drivername.split("+")[0] == "postgres" else url.get_backend_name()
    wanted = DRIVERS.get(backend)
    if url.drivername != wanted:
        fix = (
            f"start it with '{wanted}://' instead of '{url.drivername}://'"
            if wanted
            else f"write it as {EXAMPLES}"
        )
        raise Failure(
            f"DATABASE_URL names the driver '{url.drivername}', which partnergraph "
            f"does not run on; {fix}"
        )
    if backend == "sqlite":
        _check_folder(url.database)
    return url


def _check_folder(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).parent
    if not folder.is_dir():
        raise Failure(
            f"the folder {folder} of the SQLite database {database} does not exist; create it, "
            "or set DATABASE_URL to a database in a folder that exists"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise Failure(
            f"partnergraph cannot write in {folder}, the folder of the SQLite database "
            f"{database}; make it writable, or set DATABASE_URL to a folder you can write in"
        )


def explain(error: BaseException, url: "URL") -> Failure | None:
    """What to do about `error` from the database at `url`, when it is a failure to open a
    connection, a database without our tables, or a revision alembic cannot find."""
    import socket
    import sqlite3

    import asyncpg
    from alembic.util import CommandError

    from db.engine import Unreachable, causes

    found = list(causes(error))
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if any(isinstance(cause, Unreachable) for cause in found):
        for cause in found:
            if isinstance(cause, asyncpg.InvalidCatalogNameError):
                user = f" -U {url.username}" if url.username else ""
                command = f"createdb -h {url.host or 'localhost'} -p {url.port or 5432}{user}"
                return Failure(
                    f"the database '{url.database}' does not exist on the PostgreSQL server at "
                    f"{where}; create it ({command} {url.database}), or set DATABASE_URL to "
                    "one that exists",
                    DATABASE_ERROR,
                )
            if isinstance(cause, ConnectionRefusedError):
                return Failure(
                    f"cannot connect to PostgreSQL at {where}: the connection was refused; start "
                    "PostgreSQL there, or set DATABASE_URL to where it runs",
                    DATABASE_ERROR,
                )
            if isinstance(cause, socket.gaierror):
                return Failure(
                    f"cannot find the database host '{url.host}' ({cause.strerror}); check the "
                    "host in DATABASE_URL",
                    DATABASE_ERROR,
                )
            if isinstance(cause, TimeoutError):
                return Failure(
                    f"PostgreSQL at {where} did not answer in time; check that it runs, and the "
                    "host and port in DATABASE_URL",
                    DATABASE_ERROR,
                )
            if isinstance(cause, sqlite3.OperationalError):
                return Failure(
                    f"cannot open the SQLite database {url.database} ({cause}); check that its "
                    "folder exists and can be written, or set DATABASE_URL",
                    DATABASE_ERROR,
                )
        return Failure(
            f"cannot connect to the database at {where} ({_first_line(found[-1])}); check "
            "DATABASE_URL, and that the database runs",
            DATABASE_ERROR,
        )
    for cause in found:
        if isinstance(cause, asyncpg.UndefinedTableError) or "no such table" in str(cause):
            return Failure(
                f"the database has no partnergraph tables ({_first_line(cause)}); run "
                "'partnergraph db upgrade head' first",
                DATABASE_ERROR,
            )
        if isinstance(cause, CommandError):
            return Failure(
                f"{_first_line(cause)}; name a revision of db/migrations/versions, 'head' or 'base'"
            )
    return None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else type(error).__name__


@asynccontextmanager
async def database() -> AsyncIterator["AsyncEngine"]:
    """The engine of DATABASE_URL for one command, disposed at its end. A bad URL, or a failure
    to open a connection raised inside, leaves as a `Failure` that says what to do."""
    from db.engine import create_engine

    settings = configured()
    url = checked_url(settings.database_url)
    engine = create_engine(
        settings.database_url, connect_timeout_s=settings.database_connect_timeout_ms / 1000
    )
    try:
        yield engine
    except Exception as error:
        failure = None if isinstance(error, Failure) else explain(error, url)
        if failure is None:
            raise
        raise failure from error
    finally:
        await engine.dispose()


async def migrate(engine: "AsyncEngine", revision: str = "head", *, down: bool = False) -> None:
    """Upgrade (or downgrade) the database to `revision`, unless a newer partnergraph migrated
    it: then a `Failure`, since alembic could do neither."""
    from db.migrate import downgrade, unknown_revisions, upgrade

    unknown = await unknown_revisions(engine)
    if unknown:
        raise Failure(
            f"the database is at migration {', '.join(unknown)}, which this version of "
            "partnergraph does not know (a newer version migrated it); run the newer version, "
            "or use it to downgrade the database to a revision this one has",
            DATABASE_ERROR,
        )
    await (downgrade if down else upgrade)(engine, revision)
