"""Raising the network change counter: the signal that every worker's cached network is stale.

`resolvers.transactions.in_transaction` calls `note_change` at the end of every write transaction,
so the counter moves exactly when a write commits (and not when it rolls back), on whichever
worker made it. The registry loads of the command line call `note_load` once they committed.

The counter is the sum of `SHARDS` rows (`db.network_counter`), and a write raises
one of them, chosen at random. A row's lock is held until the commit, which waits for the WAL
to reach the disk: with one row every write of every worker queued behind the one committing
(at 100,000 organizations nearly all of 16 writers waited on it). The sum still moves only when
a write commits, and never goes down.
"""

import random

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.network_counter import CHANGE, SHARDS

__all__ = ["note_change", "note_load"]

_RAISE = (
    sa.update(CHANGE)
    .where(CHANGE.c.id == sa.bindparam("shard", type_=sa.Integer))
    .values(value=CHANGE.c.value + 1)
)


async def note_change(connection: AsyncConnection) -> None:
    await connection.execute(_RAISE, {"shard": random.randint(1, SHARDS)})


async def note_load(engine: AsyncEngine) -> None:
    """Raise the counter after a bulk load (which ran in a transaction of its own)."""
    async with engine.begin() as connection:
        await note_change(connection)
