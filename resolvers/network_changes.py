"""Raising the network change counter: the signal that every worker's cached network is stale.

`resolvers.transactions.in_transaction` calls `note_change` at the end of every write transaction,
so the counter moves exactly when a write commits (and not when it rolls back), on whichever
worker made it. It is the last statement of the transaction, so the counter row's lock is held
only for the commit. The registry loads of the command line call `note_load` once they
committed.
"""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.base import table_of
from db.tables import NetworkChange

__all__ = ["CHANGE", "note_change", "note_load"]

CHANGE = table_of(NetworkChange)


async def note_change(connection: AsyncConnection) -> None:
    await connection.execute(
        sa.update(CHANGE).where(CHANGE.c.id == 1).values(value=CHANGE.c.value + 1)
    )


async def note_load(engine: AsyncEngine) -> None:
    """Raise the counter after a bulk load (which ran in a transaction of its own)."""
    async with engine.begin() as connection:
        await note_change(connection)
