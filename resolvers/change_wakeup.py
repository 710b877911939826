"""Waking the subscribers of the change feed when a write commits (docs/changes.md,
"Subscriptions").

The feed table is the source of truth; a wakeup only tells readers to look again. After a write
transaction commits, `announce_committed` sends on PostgreSQL one `pg_notify` on the channel
`partnergraph_changes` (to every listening worker) in a short transaction of its own, and
`committed` wakes the subscribers of this process at once. `announce` sends it inside a
transaction instead (the reminders' run, which is not on the API's write path). Each worker
process keeps one listening connection per database (`Wakeup.start`), opened when its first
subscriber arrives; a notification it misses (a reconnect, a write made by plain SQL, a wakeup
lost after its commit) is caught up by the subscribers' periodic poll.
"""

import asyncio
import contextlib
import logging
import weakref
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["CHANNEL", "Wakeup", "announce", "announce_committed", "committed", "wakeup_of"]

log = logging.getLogger("partnergraph.subscriptions")

CHANNEL = "partnergraph_changes"
_NOTIFY = sa.text(f"SELECT pg_notify('{CHANNEL}', '')")
_NOTIFY_ALONE = sa.text(
    f"SELECT set_config('synchronous_commit', 'off', true), pg_notify('{CHANNEL}', '')"
)
"""The notification in a transaction of its own: it writes no data, so its commit need not
wait for the WAL to reach the disk (PostgreSQL gives a notifying transaction an id, and would
otherwise flush its commit record, holding the notification lock meanwhile)."""


class Wakeup:
    """The wakeups of one database in this process: `wait` returns at the next change after
    its `ticket` (or after `seconds`), `ring` wakes every waiter."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._event = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None

    def ring(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    def ticket(self) -> asyncio.Event:
        """Taken before reading the feed: `wait` with it returns at once when a change came
        in the meantime."""
        return self._event

    async def wait(self, ticket: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ticket.wait(), seconds)

    @property
    def listening(self) -> bool:
        """Whether the listening connection's task runs (PostgreSQL)."""
        return self._listener is not None and not self._listener.done()

    def start(self) -> None:
        """On PostgreSQL, the listening connection of this process, if not started yet."""
        if self.engine.dialect.name != "postgresql":
            return
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        url = self.engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while True:
            try:
                connection = await asyncpg.connect(dsn)
            except (OSError, asyncpg.PostgresError):
                log.warning("cannot listen for changes; retrying in 5 s", exc_info=True)
                await asyncio.sleep(5)
                continue
            lost = asyncio.Event()
            try:
                await connection.add_listener(CHANNEL, self._notified)
                connection.add_termination_listener(lambda _, ended=lost: ended.set())
                self.ring()  # anything committed while not listening
                await lost.wait()
            finally:
                with contextlib.suppress(Exception):
                    await connection.close()

    def _notified(self, *_: Any) -> None:
        self.ring()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None


_wakeups: "weakref.WeakKeyDictionary[AsyncEngine, Wakeup]" = weakref.WeakKeyDictionary()


def wakeup_of(engine: AsyncEngine) -> Wakeup:
    found = _wakeups.get(engine)
    if found is None:
        found = _wakeups[engine] = Wakeup(engine)
    return found


async def announce(connection: AsyncConnection) -> None:
    """In a write transaction: wakes the subscribers of every worker when it commits
    (PostgreSQL); nothing on SQLite, whose one process is woken by `committed`."""
    if connection.dialect.name == "postgresql":
        await connection.execute(_NOTIFY)


async def announce_committed(connection: AsyncConnection) -> None:
    """After a write committed, on its connection: the `pg_notify` of `announce` in a
    transaction of its own (PostgreSQL). Sent inside the write, it held the server's one
    notification lock from the commit's start to its end, WAL flush included, so every
    writer's commit waited for the one before. A failure is logged, not raised: the write is
    committed, and the subscribers' periodic poll finds it."""
    if connection.dialect.name != "postgresql":
        return
    try:
        await connection.execute(_NOTIFY_ALONE)
        await connection.commit()
    except sa.exc.DBAPIError:
        log.warning("could not announce a committed write; subscribers will poll", exc_info=True)


def committed(engine: AsyncEngine) -> None:
    """After a write committed: wakes the subscribers of this process."""
    found = _wakeups.get(engine)
    if found is not None:
        found.ring()
