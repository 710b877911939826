"""Counting each request's SQL statements and their time, on any engine.

Two SQLAlchemy engine events add to the `RequestFacts` of the request whose task (or greenlet,
which SQLAlchemy runs in the task's context) sends the statement; statements sent outside a
request are not counted. A statement's start is kept on its own execution context (one per
statement, so the statements a request runs at once on several connections keep theirs apart),
which costs less than the connection's `info` dictionary behind three properties."""

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from telemetry.facts import facts_var

__all__ = ["count_statements"]

_STARTED = "_partnergraph_started"
_clock = time.perf_counter


def _before(
    conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, executemany: Any
) -> tuple[Any, Any]:
    facts = facts_var.get()
    if facts is not None:
        facts.statements += 1
        if context is not None:
            context.__dict__[_STARTED] = _clock()
    return statement, parameters


def _after(
    conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, executemany: Any
) -> None:
    if context is not None:
        started = context.__dict__.pop(_STARTED, None)
        if started is not None:
            facts = facts_var.get()
            if facts is not None:
                facts.sql_seconds += _clock() - started


def count_statements(engine: AsyncEngine) -> None:
    """Counts the statements of each request on `engine` (once, however often called)."""
    sync = engine.sync_engine
    if not event.contains(sync, "before_cursor_execute", _before):
        # retval: called as it is, not through the adapter that keeps the statement unchanged
        event.listen(sync, "before_cursor_execute", _before, retval=True)
        event.listen(sync, "after_cursor_execute", _after)
