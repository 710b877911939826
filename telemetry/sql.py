"""Counting each request's SQL statements and their time, on any engine.

Two SQLAlchemy engine events add to the `RequestFacts` of the request whose task (or greenlet,
which SQLAlchemy runs in the task's context) sends the statement; statements sent outside a
request are not counted."""

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from telemetry.facts import facts_var

__all__ = ["count_statements"]

_STARTED = "partnergraph_statement_started"


def _before(conn: Any, *_: Any) -> None:
    facts = facts_var.get()
    if facts is not None:
        facts.statements += 1
        conn.info[_STARTED] = time.perf_counter()


def _after(conn: Any, *_: Any) -> None:
    started = conn.info.pop(_STARTED, None)
    if started is not None:
        facts = facts_var.get()
        if facts is not None:
            facts.sql_seconds += time.perf_counter() - started


def count_statements(engine: AsyncEngine) -> None:
    """Counts the statements of each request on `engine` (once, however often called)."""
    sync = engine.sync_engine
    if not event.contains(sync, "before_cursor_execute", _before):
        event.listen(sync, "before_cursor_execute", _before)
        event.listen(sync, "after_cursor_execute", _after)
