"""Drops the PostgreSQL databases the tests are done with, on a thread of its own.

PostgreSQL 15 makes each `DROP DATABASE` wait for a checkpoint (0.2 s to several seconds on a
busy server); drops sent at the same time wait for the same one. So the thread drops whatever
has been released since its last batch, all at once, while the tests go on; `close` drops the
rest and raises the first error any drop met.
"""

import asyncio
import queue
import threading
from collections.abc import Awaitable, Callable

__all__ = ["Dropper"]

MAX_AT_ONCE = 24
"""Connections a batch opens at once (the server allows 100, shared with the tests)."""


class Dropper:
    def __init__(self, execute: Callable[[str], Awaitable[None]]) -> None:
        self._execute = execute
        self._names: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="drop databases", daemon=True)
        self._thread.start()

    def drop(self, name: str) -> None:
        self._names.put(name)

    def close(self) -> None:
        """Drops every database handed to `drop` and stops the thread."""
        self._names.put(None)
        self._thread.join()
        if self._errors:
            raise self._errors[0]

    def _run(self) -> None:
        closing = False
        while not closing:
            batch = [self._names.get()]
            while not self._names.empty():
                batch.append(self._names.get())
            closing = None in batch
            names = [name for name in batch if name is not None]
            if names:
                try:
                    asyncio.run(self._drop(names))
                except Exception as error:  # raised by close(), in the tests' thread
                    self._errors.append(error)

    async def _drop(self, names: list[str]) -> None:
        for start in range(0, len(names), MAX_AT_ONCE):
            await asyncio.gather(
                *(
                    self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    for name in names[start : start + MAX_AT_ONCE]
                )
            )
