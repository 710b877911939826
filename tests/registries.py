"""Helpers of the registry loader tests: the committed slices, a migrated empty database, row
counts, and an admin client on it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from resolvers.tokens import create_token
from tests.conftest import api_client

__all__ = ["CORDIS", "ROR", "UNIVERSITIES", "admin_client", "count", "table_counts"]

DATA = Path(__file__).parent / "data" / "registries"
ROR = DATA / "ror.json"
CORDIS = DATA / "cordis"
UNIVERSITIES = DATA / "universities.json"

TABLES = (
    "organization",
    "organization_identifier",
    "organization_relation",
    "agreement",
    "agreement_party",
    "agreement_mode",
    "funding",
    "history_entry",
)


async def count(engine: AsyncEngine, sql: str, **params: object) -> int:
    async with engine.connect() as connection:
        value = await connection.scalar(sa.text(sql), params)
    return int(value or 0)


async def table_counts(engine: AsyncEngine) -> dict[str, int]:
    return {table: await count(engine, f"SELECT count(*) FROM {table}") for table in TABLES}


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    """Every row's key, version and update time of the tables a loader writes."""
    found = {}
    async with engine.connect() as connection:
        for table in ("organization", "agreement", "agreement_party", "funding"):
            rows = await connection.execute(
                sa.text(f"SELECT id, version, updated_at FROM {table} ORDER BY id")
            )
            found[table] = [tuple(row) for row in rows]
    return found


@asynccontextmanager
async def admin_client(engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async with engine.begin() as connection:
        made = await create_token(connection, name="registry tests", role=TokenRole.ADMIN)
    async with api_client(engine, made.secret) as http:
        yield http
