"""Rows written with explicit ids, and the ids handed out one after the other."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

import db.tables  # noqa: F401  (registers the tables)
from db.loaders import bulk


class Writer:
    """Bulk inserts with explicit ids, through `db.loaders.bulk` (COPY on PostgreSQL, batched
    executemany on SQLite), counting the rows it wrote."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.rows = 0

    async def next_id(self, table: str) -> int:
        return await bulk.next_keys(self.connection, SQLModel.metadata.tables[table])

    async def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        self.rows += await bulk.insert_rows(
            self.connection,
            SQLModel.metadata.tables[table],
            [dict(zip(columns, row, strict=True)) for row in rows],
        )

    async def reset_sequences(self, tables: Iterable[str]) -> None:
        await bulk.sync_sequences(
            self.connection, [SQLModel.metadata.tables[table] for table in tables]
        )


class IdCounter:
    def __init__(self, start: int) -> None:
        self.value = start

    def __next__(self) -> int:
        value = self.value
        self.value += 1
        return value
