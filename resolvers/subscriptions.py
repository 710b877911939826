"""Following the change feed: the events a viewer may see, as they commit (docs/changes.md,
"Subscriptions").

`follow` is a subscription's stream. A reader task reads the feed with `changes_after` from the
subscription's position whenever `resolvers.change_wakeup` rings (a commit on any worker) or
every `subscription_poll_seconds`, and queues what it reads; the subscription sends from the
queue. The queue holds at most `max_queued_events`: when it is full, the feed holds another
event for this viewer and the subscriber takes nothing for `subscription_poll_seconds`, it is
not reading, and `overflow` is called (the web layer
closes its connection) instead of buffering without end. A subscriber resumes with the cursor
of the last event it received.

`subscription_slot` counts the subscriptions each token holds open in this process.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.change_wakeup import wakeup_of
from resolvers.changes import (
    EVENT,
    START,
    Change,
    ChangeFilter,
    Position,
    _readable,
    changes_after,
    check_filter,
)
from resolvers.errors import ApiError
from resolvers.viewer import Viewer
from settings import Settings

__all__ = ["TooManySubscriptions", "feed_end", "follow", "subscription_slot"]


class TooManySubscriptions(ApiError):
    code = "TOO_MANY_SUBSCRIPTIONS"


_open: dict[str, int] = {}
"""Subscriptions open in this process, by holder (`token:<id>`, or `client:<address>`)."""


@contextlib.contextmanager
def subscription_slot(holder: str, limit: int) -> Iterator[None]:
    """One of `holder`'s subscriptions, for as long as the block runs; `TooManySubscriptions`
    when it holds `limit` already."""
    held = _open.get(holder, 0)
    if held >= limit:
        raise TooManySubscriptions(
            f"this caller has {held} subscriptions open, the most allowed "
            f"(PARTNERGRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN); complete one first"
        )
    _open[holder] = held + 1
    try:
        yield
    finally:
        left = _open[holder] - 1
        if left:
            _open[holder] = left
        else:
            del _open[holder]


async def feed_end(engine: AsyncEngine) -> Position:
    """The position after the last event readable now (the start of an empty feed)."""
    statement = (
        sa.select(EVENT.c.xid, EVENT.c.id)
        .where(*_readable(engine.dialect.name))
        .order_by(EVENT.c.xid.desc(), EVENT.c.id.desc())
        .limit(1)
    )
    async with engine.connect() as connection:
        row = (await connection.execute(statement)).first()
    return START if row is None else Position(int(row[0]), int(row[1]))


Keep = Callable[[Change], bool]


async def _room(queue: "asyncio.Queue[Change]", seconds: float) -> bool:
    """Whether the subscriber takes an event from its full queue within `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while queue.full():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def follow(
    engine: AsyncEngine,
    viewer: Viewer,
    *,
    after: Position | None,
    filter: ChangeFilter | None,
    settings: Settings,
    overflow: Callable[[], Awaitable[None]],
    keep: Keep | None = None,
) -> AsyncIterator[Change]:
    """The events after `after` (or after those committed before now) that `viewer` may see
    and `keep` keeps, as they commit, without end. A bad filter or an expired cursor raises
    before the first event."""
    check_filter(viewer, filter)
    wakeup = wakeup_of(engine)
    wakeup.start()
    queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=max(1, settings.max_queued_events))
    position = after if after is not None else await feed_end(engine)
    first = await changes_after(engine, viewer, after=position, first=1, filter=filter)

    async def read(position: Position) -> None:
        while True:
            ticket = wakeup.ticket()
            free = queue.maxsize - queue.qsize()
            page = await changes_after(
                engine, viewer, after=position, first=max(free, 1), filter=filter
            )
            found = [c for c in page.changes if keep is None or keep(c)]
            if found and free == 0 and not await _room(queue, settings.subscription_poll_seconds):
                await overflow()
                return
            for change in found:
                queue.put_nowait(change)
            position = page.end
            if not page.has_more:
                await wakeup.wait(ticket, settings.subscription_poll_seconds)

    reader = asyncio.get_running_loop().create_task(read(position))
    del first  # read only to refuse an expired cursor before the stream starts
    getting: asyncio.Future[Change] | None = None
    try:
        while True:
            getting = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getting, reader}, return_when=asyncio.FIRST_COMPLETED)
            if getting in done:
                yield getting.result()
                continue
            reader.result()  # the reader's error, if it failed
            return
    finally:
        if getting is not None:
            getting.cancel()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
