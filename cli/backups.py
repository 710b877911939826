"""`partnergraph backup PATH` and `partnergraph restore PATH`: a logical copy of the database of
DATABASE_URL, and that copy put back.

PostgreSQL goes through `pg_dump --format=custom` and `pg_restore --clean --if-exists
--no-owner --single-transaction` into the same database (it need not be empty: every object of
the dump is dropped and made again, in one transaction). SQLite goes through its online backup
API, both ways: a backup is a consistent SQLite file, and a restore replaces the whole content
of the database file. Stop the server before a restore (its connections would hold locks, or
keep serving cached state). A backup is written to PATH.partial and renamed, so PATH is never a
half-written file; a restore refuses a file of the other database's kind. The stored documents
of the `local` storage go beside it, in PATH.documents/ (`cli.document_backups`); those of the
`s3` storage are backed up by the object store.
"""

import asyncio
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.database import checked_url, configured, database
from cli.failures import Failure, reported

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["backup", "restore"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
KINDS = {"sqlite": "a SQLite backup", "postgresql": "a PostgreSQL custom-format dump"}

BackupPath = Annotated[Path, typer.Argument(help="The backup file.", show_default=False)]


def _url() -> "URL":
    return checked_url(configured().database_url)


def _kind(path: Path) -> str | None:
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return None


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size:,} bytes" if size < 1 << 20 else f"{size / (1 << 20):,.1f} MiB"


def _sqlite_file(url: "URL") -> Path:
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise Failure(f"the SQLite database '{name or ':memory:'}' is not a file to back up")
    return Path(name)


def _sqlite_counts(path: Path) -> tuple[int, int]:
    """The tables of the SQLite file at `path` and their rows."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = sum(connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names)
    finally:
        connection.close()
    return len(names), rows


def _sqlite_copy(source: Path, target: Path) -> None:
    """`target`'s content replaced by `source`'s, through the online backup API (consistent
    even while another connection writes to `source`)."""
    import sqlite3

    reader = sqlite3.connect(source)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    except sqlite3.DatabaseError as error:
        raise Failure(f"cannot copy {source} to {target}: {error}") from error
    finally:
        writer.close()
        reader.close()


async def _server_major() -> int:
    """The PostgreSQL server's major version, through the engine of DATABASE_URL (so that an
    unreachable or missing database is told as the other commands tell it)."""
    from sqlalchemy import text

    from cli.pg_tools import server_major

    async with database() as engine, engine.connect() as connection:
        number = await connection.scalar(text("SELECT current_setting('server_version_num')"))
    return server_major(int(number))


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def backup(path: BackupPath) -> None:
    """Back up the database of DATABASE_URL to PATH (PostgreSQL: pg_dump's custom format;
    SQLite: a copy by its online backup API)."""
    from cli.document_backups import backup_documents

    with reported():
        typer.echo(_backup(path))
        typer.echo(backup_documents(path))


def restore(path: BackupPath) -> None:
    """Replace the content of the database of DATABASE_URL by the backup at PATH. Stop the
    server first."""
    from cli.document_backups import restore_documents

    with reported():
        typer.echo(_restore(path))
        typer.echo(restore_documents(path))


def _backup(path: Path) -> str:
    url = _url()
    backend = url.get_backend_name()
    partial = _partial(path)
    if not path.parent.is_dir():
        raise Failure(f"the folder {path.parent} of {path} does not exist; create it first")
    started = time.perf_counter()
    if backend == "sqlite":
        source = _sqlite_file(url)
        if not source.is_file():
            raise Failure(f"there is no SQLite database at {source}; check DATABASE_URL")
        if source.resolve() == path.resolve():
            raise Failure(f"{path} is the database itself; back it up to another file")
        partial.unlink(missing_ok=True)
        _sqlite_copy(source, partial)
        os.replace(partial, path)
        seconds = time.perf_counter() - started
        tables, rows = _sqlite_counts(path)
        return (
            f"backed up SQLite {source} to {path}: {tables} tables, {rows:,} rows, "
            f"{_size(path)}, in {seconds:.2f} s"
        )
    from cli import pg_tools

    server = asyncio.run(_server_major())
    try:
        pg_tools.dump(url, partial, server)
    except Failure:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    seconds = time.perf_counter() - started
    tables = pg_tools.table_entries(path)
    return (
        f"backed up PostgreSQL database {url.database} to {path} (pg_dump custom format): "
        f"{tables} tables, {_size(path)}, in {seconds:.2f} s"
    )


def _restore(path: Path) -> str:
    url = _url()
    backend = url.get_backend_name()
    if not path.is_file():
        raise Failure(f"there is no backup file at {path}")
    kind = _kind(path)
    if kind != backend:
        made = KINDS.get(kind or "", "neither a SQLite backup nor a PostgreSQL custom-format dump")
        raise Failure(
            f"{path} is {made}, and DATABASE_URL names a {backend} database; restore "
            f"{KINDS[backend]} made by 'partnergraph backup' on {backend}"
        )
    started = time.perf_counter()
    if backend == "sqlite":
        target = _sqlite_file(url)
        if target.resolve() == path.resolve():
            raise Failure(f"{path} is the database itself; restore from another file")
        _sqlite_copy(path, target)
        seconds = time.perf_counter() - started
        tables, rows = _sqlite_counts(target)
        return (
            f"restored SQLite {target} from {path}: {tables} tables, {rows:,} rows, "
            f"{_size(path)} read, in {seconds:.2f} s"
        )
    from cli import pg_tools

    tables = pg_tools.table_entries(path)
    server = asyncio.run(_server_major())
    pg_tools.restore(url, path, server)
    seconds = time.perf_counter() - started
    return (
        f"restored PostgreSQL database {url.database} from {path}: {tables} tables, "
        f"{_size(path)} read, in {seconds:.2f} s"
    )
