"""Pruning the change feed: events older than the retention are deleted.

`prune_changes` deletes every event up to the last one older than the cutoff (in id order, so
what is left is a suffix of the feed) and records the highest id pruned in `change_context`;
a reader whose cursor lies before it gets `CURSOR_EXPIRED` (`resolvers.changes`) rather than a
feed with a silent hole, and starts again from a full read. Run by `partnergraph changes prune`
(daily, from cron or a scheduler), with `PARTNERGRAPH_CHANGE_RETENTION_DAYS`.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import utcnow
from resolvers.changes import CONTEXT, EVENT

__all__ = ["prune_changes"]


async def prune_changes(engine: AsyncEngine, *, days: int, now: datetime | None = None) -> int:
    """Deletes the events older than `days` days; how many. The first event at or after the
    cutoff is found walking the ids from the oldest (no index on the time), so the work is in
    proportion to what is pruned."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    async with engine.begin() as connection:
        first_kept = (
            await connection.execute(
                sa.select(EVENT.c.id)
                .where(EVENT.c.occurred_at >= cutoff)
                .order_by(EVENT.c.id)
                .limit(1)
            )
        ).scalar()
        if first_kept is None:
            first_kept = (await connection.execute(sa.select(sa.func.max(EVENT.c.id)))).scalar()
            if first_kept is None:
                return 0
            first_kept += 1
        deleted = await connection.execute(sa.delete(EVENT).where(EVENT.c.id < first_kept))
        if deleted.rowcount:
            await connection.execute(
                sa.update(CONTEXT)
                .where(CONTEXT.c.id == 1, CONTEXT.c.pruned_through < first_kept - 1)
                .values(pruned_through=first_kept - 1)
            )
        return int(deleted.rowcount)
