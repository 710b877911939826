"""Fixtures of the HTTP tests: a database out of reach."""

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine


@pytest.fixture
async def down_engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a database that cannot be reached: nothing listens on PostgreSQL's port, or
    the SQLite file's directory does not exist."""
    url = (
        "postgresql+asyncpg://postgres@127.0.0.1:1/x"
        if backend == "postgresql"
        else f"sqlite+aiosqlite:///{tmp_path}/missing/x.db"
    )
    engine = create_engine(url, connect_timeout_s=2)
    yield engine
    await engine.dispose()
    join_sqlite_threads()


def join_sqlite_threads() -> None:
    """aiosqlite stops the thread of a connection that failed to open by a call back into the
    event loop; waited for here, so that the call does not come after the test's loop closed."""
    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            thread.join(timeout=5)
