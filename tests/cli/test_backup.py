"""`partnergraph backup` and `restore` on both databases: a backup of the demo, then rows changed,
deleted and added, then a restore finds every row of every table as it was (the alembic version
too); a backup of the other database's kind is refused."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from cli import app
from db.engine import create_engine
from tests.conftest import Databases

Rows = dict[str, list[tuple[Any, ...]]]

CHANGES = [
    "UPDATE organization SET name = name || ' (renamed)', version = version + 1",
    "UPDATE alembic_version SET version_num = 'not_a_revision'",
    "DELETE FROM agreement_party",
    "DELETE FROM api_token",
    "INSERT INTO organization (id, created_at, updated_at, version, kind, name, status, "
    "is_illustrative) VALUES (900001, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1, "
    "'university', 'Added after the backup', 'active', false)",
]


def _key(row: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, repr(value)) for value in row)


async def _snapshot(url: str) -> Rows:
    """Every row of every table, in one order."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
            rows: Rows = {}
            for name in sorted(names):
                found = await connection.execute(sa.text(f'SELECT * FROM "{name}"'))
                rows[name] = sorted((tuple(row) for row in found), key=_key)
    finally:
        await engine.dispose()
    return rows


async def _change(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in CHANGES:
                await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


def _invoke(arguments: list[str], url: str) -> Result:
    return CliRunner().invoke(app, arguments, env={"DATABASE_URL": url})


@pytest.fixture
def demo_url(databases: Databases) -> Iterator[str]:
    url = asyncio.run(databases.demo())
    yield url
    databases.release(url)


def test_a_restore_brings_back_every_row_as_it_was(
    demo_url: str, databases: Databases, tmp_path: Path
) -> None:
    path = tmp_path / "partnergraph.backup"

    backed_up = _invoke(["backup", str(path)], demo_url)
    before = asyncio.run(_snapshot(demo_url))
    asyncio.run(_change(demo_url))
    changed = asyncio.run(_snapshot(demo_url))
    restored = _invoke(["restore", str(path)], demo_url)
    after = asyncio.run(_snapshot(demo_url))

    assert backed_up.exit_code == 0, backed_up.output
    assert backed_up.output.startswith("backed up "), backed_up.output
    assert restored.exit_code == 0, restored.output
    assert restored.output.startswith("restored "), restored.output
    assert before["agreement_party"] and before["api_token"] and before["organization"]
    assert changed != before
    assert sum(map(len, before.values())) > 100
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert after["alembic_version"] == before["alembic_version"]
    assert not (tmp_path / "partnergraph.backup.partial").exists()


def test_a_backup_of_the_other_kind_is_refused(
    demo_url: str, databases: Databases, tmp_path: Path
) -> None:
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" if databases.backend == "sqlite" else b"SQLite format 3\x00")
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"not a backup")

    refused = _invoke(["restore", str(other)], demo_url)
    unknown = _invoke(["restore", str(garbage)], demo_url)

    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: "), refused.stderr
    assert f"names a {databases.backend} database" in refused.stderr
    assert unknown.exit_code == 1
    assert "neither a SQLite backup nor a PostgreSQL custom-format dump" in unknown.stderr


def test_the_url_is_told_to_libpq_with_the_password_in_the_environment() -> None:
    from sqlalchemy.engine import make_url

    from cli.pg_tools import libpq

    url = make_url("postgresql+asyncpg://alice:s%40cret@db.example:6543/graph?ssl=require")

    arguments, env = libpq(url)

    assert arguments == [
        "--dbname=graph",
        "--host=db.example",
        "--port=6543",
        "--username=alice",
    ]
    assert env["PGPASSWORD"] == "s@cret"
    assert env["PGSSLMODE"] == "require"


def test_a_missing_or_older_pg_dump_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.failures import Failure
    from cli.pg_tools import tool

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Failure, match="pg_dump is not on PATH; install the PostgreSQL client"):
        tool("pg_dump", 15)
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n", encoding="utf-8")
    old.chmod(0o755)
    with pytest.raises(Failure, match="is version 13, older than the PostgreSQL server \\(15\\)"):
        tool("pg_dump", 15)
    assert tool("pg_dump", 13) == str(old)
