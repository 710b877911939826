"""Counting the SQL statements a request sends, for the tests' statement caps and the benchmark's
report (both read the same counter)."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["StatementCounter"]


class StatementCounter:
    """Counts the statements sent on `engine` since the last `reset()` (none before the first),
    through SQLAlchemy's `before_cursor_execute` event, until `close()`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.count = 0
        self.active = False
        event.listen(engine.sync_engine, "before_cursor_execute", self)

    def __call__(self, *_: Any) -> None:
        if self.active:
            self.count += 1

    def reset(self) -> None:
        self.count = 0
        self.active = True

    def close(self) -> None:
        event.remove(self.engine.sync_engine, "before_cursor_execute", self)
