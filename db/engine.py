"""The async engine and sessions for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

import sqlite3
import time
import weakref
from collections.abc import Iterator
from typing import Any

import asyncpg
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

__all__ = [
    "IDLE_PING_SECONDS",
    "Unreachable",
    "causes",
    "create_engine",
    "is_sqlite",
    "is_unavailable",
    "reads_engine",
    "session_factory",
    "unicode_lower",
]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


_FINAL_SIGMA = "\u03c2"


def unicode_lower(value: Any) -> Any:
    """SQLite's `lower`, as PostgreSQL's: every letter in lower case, not only ASCII ones.

    SQLAlchemy writes `ilike` on SQLite as `lower(x) LIKE lower(pattern)`, and SQLite's own
    `lower` (and LIKE) fold ASCII letters only: "ecole" found "Ecole", but "\u00e9cole" did not
    find "\u00c9cole", which ILIKE finds on PostgreSQL. One character at a time, as PostgreSQL
    does: a capital sigma is always a medial sigma, a dotted capital I an i."""
    if not isinstance(value, str):
        return value
    lowered = value.lower()
    if value.isascii() or (len(lowered) == len(value) and _FINAL_SIGMA not in lowered):
        return lowered
    return "".join(c.lower()[0] for c in value)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.create_function("lower", 1, unicode_lower, deterministic=True)
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


class Unreachable(ConnectionError):
    """Opening a connection to the database failed, for whatever reason (refused, timed out,
    unknown host, authentication, a database that does not exist, too many clients): the cause
    is chained, and is for the log only, never for a caller."""


def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    try:
        return dialect.connect(*cargs, **cparams)
    except Exception as error:
        raise Unreachable("could not open a connection to the database") from error


_LOST = (
    OSError,
    Unreachable,
    exc.DisconnectionError,
    exc.TimeoutError,
    exc.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)
"""Failures that say the database cannot be reached or cannot take the request now (a lost or
refused connection, a server shutting down, a full pool), as opposed to a failing statement."""

_SQLITE_UNAVAILABLE = ("unable to open database file", "database is locked", "disk i/o error")


def causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and what caused it: its cause, its context and a DBAPI error's `orig`, each once."""
    seen: set[int] = set()
    found: BaseException | None = error
    pending: list[BaseException] = []
    while found is not None or pending:
        if found is None:
            found = pending.pop()
        if id(found) in seen:
            found = None
            continue
        seen.add(id(found))
        yield found
        orig = getattr(found, "orig", None)
        if isinstance(orig, BaseException):
            pending.append(orig)
        if found.__context__ is not None:
            pending.append(found.__context__)
        found = found.__cause__


def is_unavailable(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) says the database is out of reach, rather than that a
    statement failed: the request may succeed as it is once the database is back."""
    if error is None:
        return False
    for cause in causes(error):
        if isinstance(cause, _LOST):
            return True
        if isinstance(cause, exc.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, sqlite3.OperationalError) and any(
            text in str(cause).lower() for text in _SQLITE_UNAVAILABLE
        ):
            return True
    return False


def create_engine(
    url: str,
    *,
    echo: bool = False,
    statement_timeout_ms: int = 0,
    pool_size: int = 20,
    pool_overflow: int = 20,
    connect_timeout_s: float = 5.0,
) -> AsyncEngine:
    """An engine for `url`; SQLite gets foreign keys enforced and write-ahead logging.

    PostgreSQL connections run without JIT compilation. `statement_timeout_ms` sets
    PostgreSQL's `statement_timeout` on every connection (SQLite
    has no equivalent; its queries here are bounded by the page size limits instead);
    `connect_timeout_s` bounds opening one (asyncpg waits a minute by default). A connection
    that cannot be opened raises `Unreachable` (`is_unavailable`)."""
    if is_sqlite(url):
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "do_connect", _connect)
        return engine
    # No JIT: the API's statements run in milliseconds, and a plan estimated past
    # `jit_above_cost` (a secretariat's nested read with its members' units rolled up, at
    # 1,000 organizations) spent 90 to 280 ms compiling for 40 ms of work (docs/performance.md).
    server_settings = {"jit": "off"}
    if statement_timeout_ms > 0:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    connect_args: dict[str, Any] = {
        "timeout": connect_timeout_s,
        "server_settings": server_settings,
    }
    engine = create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_overflow, connect_args=connect_args
    )
    event.listen(engine.sync_engine, "do_connect", _connect)
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
