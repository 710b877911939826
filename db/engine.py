"""The async engine and sessions for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

import time
import weakref
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

__all__ = ["IDLE_PING_SECONDS", "create_engine", "is_sqlite", "reads_engine", "session_factory"]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


IDLE_PING_SECONDS = 10.0
"""A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out."""


def _returned(_dbapi_connection: Any, record: Any) -> None:
    record.info["returned_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """SQLAlchemy's `pool_pre_ping`, for idle connections only.

    `pool_pre_ping` pings on every checkout, and on asyncpg a ping is three round trips (BEGIN,
    an empty statement, ROLLBACK): more than the portal's whole answer costs the database
    (bench/RESULTS.md). A connection used in the last few seconds is alive unless the server
    went away in that time; then the request fails, SQLAlchemy invalidates the whole pool on the
    disconnect error, and the next request connects afresh. One that sat idle longer (where
    restarts, failovers and idle timeouts of proxies strike) is still checked first."""
    returned = record.info.get("returned_at")
    if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise exc.DisconnectionError("a pooled connection failed its ping") from error


def create_engine(
    url: str,
    *,
    echo: bool = False,
    statement_timeout_ms: int = 0,
    pool_size: int = 20,
    pool_overflow: int = 20,
) -> AsyncEngine:
    """An engine for `url`; SQLite gets foreign keys enforced and write-ahead logging.

    `statement_timeout_ms` sets PostgreSQL's `statement_timeout` on every connection (SQLite
    has no equivalent; its queries here are bounded by the page size limits instead)."""
    if is_sqlite(url):
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if statement_timeout_ms > 0:
        connect_args["server_settings"] = {"statement_timeout": str(statement_timeout_ms)}
    engine = create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_overflow, connect_args=connect_args
    )
    event.listen(engine.sync_engine.pool, "checkin", _returned)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


_reads: "weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine]" = weakref.WeakKeyDictionary()


def reads_engine(engine: AsyncEngine) -> AsyncEngine:
    """`engine` for reads of one statement per connection, on the same pool: on PostgreSQL in
    autocommit, which saves the BEGIN and ROLLBACK round trips SQLAlchemy's asyncpg dialect
    wraps around every statement (a single statement has its own snapshot either way). Never
    for writes: `begin()` on it starts no transaction."""
    if engine.dialect.name != "postgresql":
        return engine
    found = _reads.get(engine)
    if found is None:
        found = _reads[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
