"""The engine's pool: idle connections are pinged, busy ones are not; reads run without BEGIN."""

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from db import engine as engine_module
from db.engine import reads_engine
from tests.graphql import query

pytestmark = pytest.mark.anyio


def _skip_unless_postgres(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's pool and transactions")


async def _terminate_other_backends(engine: AsyncEngine) -> int:
    """Closes every server connection to the engine's database from outside, as a restart would."""
    url = make_url(engine.url).set(drivername="postgresql", database="postgres")
    admin = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        killed = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            engine.url.database,
        )
    finally:
        await admin.close()
    return len(killed)


async def _pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        pid: int = await connection.scalar(sa.text("SELECT pg_backend_pid()"))
    return pid


async def test_an_idle_connection_killed_on_the_server_is_replaced_before_use(
    demo_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _skip_unless_postgres(demo_engine)
    before = await _pid(demo_engine)
    assert await _terminate_other_backends(demo_engine) >= 1
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
    after = await _pid(demo_engine)
    assert after != before


async def test_a_connection_used_just_now_is_handed_out_without_a_ping(
    demo_engine: AsyncEngine,
) -> None:
    """The saving the idle ping exists for; the other side of it is that a server restart within
    the idle window costs the first request on each pooled connection."""
    _skip_unless_postgres(demo_engine)
    await _pid(demo_engine)
    await _terminate_other_backends(demo_engine)
    with pytest.raises(sa.exc.DBAPIError):
        await _pid(demo_engine)
    assert await _pid(demo_engine) > 0


async def test_reads_engine_sends_no_begin_and_shares_the_pool(demo_engine: AsyncEngine) -> None:
    _skip_unless_postgres(demo_engine)
    reads = reads_engine(demo_engine)
    assert reads_engine(demo_engine) is reads
    assert reads.sync_engine.pool is demo_engine.sync_engine.pool
    async with reads.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        assert not driver.is_in_transaction()
    async with demo_engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        assert driver.is_in_transaction()


async def test_the_api_answers_after_the_database_dropped_its_connections(
    demo_engine: AsyncEngine, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _skip_unless_postgres(demo_engine)
    document = "{ organizations(first: 2) { totalCount } }"
    first = await query(client, document)
    assert first["organizations"]["totalCount"] > 0
    await _terminate_other_backends(demo_engine)
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
    assert await query(client, document) == first
