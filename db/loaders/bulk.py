"""Writing many rows at once: COPY on PostgreSQL, one executemany per batch on SQLite.

The loaders give every new row its key up front (`next_keys`), so rows that refer to each other
(an agreement and its parties) are written without reading keys back; on PostgreSQL the tables
are locked for the run and the key sequences are moved past the new keys at the end.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = [
    "BATCH",
    "analyze",
    "delete_keys",
    "insert_rows",
    "is_postgres",
    "lock_tables",
    "next_keys",
    "sync_sequences",
    "update_rows",
]

BATCH = 5_000
"""Rows per statement batch on SQLite (and per update batch on both)."""


def is_postgres(connection: AsyncConnection) -> bool:
    return connection.dialect.name == "postgresql"


def _batches(rows: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def lock_tables(connection: AsyncConnection, tables: Sequence[sa.Table]) -> None:
    """Keep other writers out of these tables until the run commits (PostgreSQL; SQLite has
    one writer at a time anyway)."""
    if is_postgres(connection):
        names = ", ".join(f'"{table.name}"' for table in tables)
        await connection.execute(sa.text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))


async def next_keys(connection: AsyncConnection, table: sa.Table) -> int:
    """The first key free for new rows of `table` (past both the rows and the sequence)."""
    highest = await connection.scalar(sa.select(sa.func.max(table.c.id))) or 0
    if is_postgres(connection):
        sequence = await connection.scalar(
            sa.text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        )
        if sequence is not None:
            last = await connection.scalar(sa.text(f"SELECT last_value FROM {sequence}"))
            highest = max(highest, int(last or 0))
    return int(highest) + 1


async def sync_sequences(connection: AsyncConnection, tables: Sequence[sa.Table]) -> None:
    """Move each key sequence past the highest key, so later inserts do not collide (never
    back: a key handed out before, even of a deleted row, is not handed out again)."""
    if not is_postgres(connection):
        return
    for table in tables:
        sequence = await connection.scalar(
            sa.text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        )
        if sequence is None:
            continue
        await connection.execute(
            sa.text(
                f"SELECT setval('{sequence}', GREATEST("
                f'(SELECT coalesce(max(id), 0) FROM "{table.name}"), '
                f"(SELECT last_value FROM {sequence}), 1))"
            )
        )


async def insert_rows(
    connection: AsyncConnection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Insert `rows` (dicts with the same keys) into `table`; returns how many."""
    if not rows:
        return 0
    columns = list(rows[0].keys())
    if is_postgres(connection):
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        records = [tuple(_copy_value(table, c, row[c]) for c in columns) for row in rows]
        await driver.copy_records_to_table(table.name, records=records, columns=columns)
    else:
        for batch in _batches(rows):
            await connection.execute(sa.insert(table), list(batch))
    return len(rows)


def _copy_value(table: sa.Table, column: str, value: Any) -> Any:
    """COPY takes the driver's types: JSON goes as text."""
    if value is not None and isinstance(table.c[column].type, sa.JSON):
        import json

        return json.dumps(value)
    return value


async def update_rows(
    connection: AsyncConnection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Update rows by key: each dict has `id` and the columns to set (the same ones in all)."""
    if not rows:
        return 0
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        shape = tuple(sorted(k for k in row if k != "id"))
        by_shape.setdefault(shape, []).append({"key_": row["id"], **{k: row[k] for k in shape}})
    for shape, group in by_shape.items():
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("key_"))
            .values({name: sa.bindparam(name) for name in shape})
        )
        for batch in _batches(group):
            await connection.execute(statement, list(batch))
    return len(rows)


async def delete_keys(connection: AsyncConnection, table: sa.Table, keys: Sequence[int]) -> int:
    for batch in _batches(list(keys)):
        await connection.execute(sa.delete(table).where(table.c.id.in_(batch)))
    return len(keys)


async def analyze(connection: AsyncConnection, tables: Sequence[sa.Table]) -> None:
    """Refresh the planner's statistics after a bulk load, so the next queries (the next run's
    included) do not plan for empty tables."""
    if is_postgres(connection):
        names = ", ".join(f'"{table.name}"' for table in tables)
        await connection.execute(sa.text(f"ANALYZE {names}"))
    else:
        await connection.execute(sa.text("ANALYZE"))
