"""Telling the database who writes, so the change events of the transaction name the caller.

The triggers of `db.change_feed` read the actor in the transaction that writes:

- PostgreSQL: the settings `partnergraph.actor_token` and `partnergraph.actor`, made local to
  the transaction by `set_config(..., true)`, so they vanish at its end, commit or rollback,
  and a pooled connection never carries them into the next one.
- SQLite has no session variables, and a trigger cannot read a temporary table; the actor goes
  into the one row of `change_context`, in the transaction, and is cleared before it commits.
  SQLite serializes writers (one write transaction at a time), so no other transaction can
  see the row meanwhile; a rollback undoes the row with the rest.

`acting` is called by `resolvers.transactions.in_transaction` for every API write; the command
line and scheduled jobs call it (with `Actor.system(...)`) to be named too. The actor is the
token's id and label (`token:<id>`), never its secret.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.base import table_of
from db.tables import ChangeContext
from resolvers.viewer import Viewer

__all__ = ["Actor", "acting", "done_acting"]

CONTEXT = table_of(ChangeContext)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: an API token (`token_id`) or a named job (`label` only)."""

    label: str
    token_id: int | None = None

    @classmethod
    def of(cls, viewer: Viewer) -> "Actor":
        return cls(label=viewer.label, token_id=viewer.token_id)

    @classmethod
    def system(cls, name: str) -> "Actor":
        """A job of the server itself: `Actor.system("reminders")` is labelled `job:reminders`."""
        return cls(label=f"job:{name}")


async def acting(connection: AsyncConnection, actor: Actor) -> None:
    """The change events written from now on in this transaction name `actor`."""
    token = "" if actor.token_id is None else str(actor.token_id)
    if connection.dialect.name == "postgresql":
        await connection.execute(
            sa.select(
                sa.func.set_config("partnergraph.actor_token", token, True),
                sa.func.set_config("partnergraph.actor", actor.label, True),
            )
        )
        return
    await connection.execute(
        sa.update(CONTEXT)
        .where(CONTEXT.c.id == 1)
        .values(actor_token_id=actor.token_id, actor=actor.label)
    )


async def done_acting(connection: AsyncConnection) -> None:
    """Before the commit: on SQLite the actor row is cleared, so a later writer that names no
    actor (a loader, plain SQL) is not taken for this one. Nothing to do on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        return
    await connection.execute(
        sa.update(CONTEXT).where(CONTEXT.c.id == 1).values(actor_token_id=None, actor=None)
    )
