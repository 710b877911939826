"""Recording an event that no row change makes: a reminder due, a deadline passed.

The triggers of `db.change_feed` record every change of a row. A scheduled job that decides
something happened without changing a row (an agreement expiring in 30 days) records it here,
in its own transaction, and the event then reaches readers like any other: the `changes`
query, and whatever is built on `resolvers.changes.changes_after`.

    async with engine.begin() as connection:
        await record_change(
            connection,
            entity_type="Agreement",
            entity_id=agreement_id,
            kind=ChangeKind.AGREEMENT_EXPIRING,  # a kind the job adds to db.enums.ChangeKind
            actor=Actor.system("reminders"),
        )

The event gets the same position as a trigger's (the transaction id on PostgreSQL), the
entity's current version, and, unless given, the organizations and alliances of the entity's
last event, so that readers filtering by organization find it and a deletion rule can apply.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from db.base import utcnow
from db.change_feed import ENTITY_TABLES
from db.enums import ChangeKind
from resolvers.change_actor import Actor
from resolvers.changes import EVENT
from resolvers.errors import BadUserInput, NotFound

__all__ = ["record_change"]

_XID = sa.text("pg_current_xact_id()::text::bigint")


def _last_event(entity_type: str, entity_id: int) -> sa.Select[Any]:
    return (
        sa.select(EVENT.c.organization_ids, EVENT.c.alliance_ids)
        .where(EVENT.c.entity_type == entity_type, EVENT.c.entity_id == entity_id)
        .order_by(EVENT.c.id.desc())
        .limit(1)
    )


async def record_change(
    connection: AsyncConnection,
    *,
    entity_type: str,
    entity_id: int,
    kind: ChangeKind | str,
    actor: Actor,
    fields: Sequence[str] = (),
    organization_ids: Sequence[int] | None = None,
    alliance_ids: Sequence[int] | None = None,
) -> int:
    """Records one event of the entity `entity_type` (a GraphQL type name) `entity_id` on
    `connection`'s transaction; its id. `NotFound` when the entity does not exist."""
    if entity_type not in ENTITY_TABLES:
        raise BadUserInput(f"{entity_type} is not a type with changes")
    table = SQLModel.metadata.tables[ENTITY_TABLES[entity_type]]
    current = (
        (await connection.execute(sa.select(table).where(table.c.id == entity_id)))
        .mappings()
        .first()
    )
    if current is None:
        raise NotFound(f"no {entity_type} {entity_id}")
    if "version" in table.c:
        version = int(current["version"])
    else:
        counted = sa.select(sa.func.count()).where(
            EVENT.c.entity_type == entity_type, EVENT.c.entity_id == entity_id
        )
        version = int((await connection.execute(counted)).scalar_one()) + 1
    organizations: list[int] = list(organization_ids or [])
    alliances: list[int] = list(alliance_ids or [])
    if organization_ids is None or alliance_ids is None:
        last = (await connection.execute(_last_event(entity_type, entity_id))).mappings().first()
        if last is not None:
            if organization_ids is None:
                organizations = list(last["organization_ids"])
            if alliance_ids is None:
                alliances = list(last["alliance_ids"])
    postgres = connection.dialect.name == "postgresql"
    inserted = await connection.execute(
        sa.insert(EVENT)
        .values(
            xid=_XID if postgres else 0,
            entity_type=entity_type,
            entity_id=entity_id,
            kind=ChangeKind(kind).value if isinstance(kind, ChangeKind) else kind,
            version=version,
            actor_token_id=actor.token_id,
            actor=actor.label,
            fields=list(fields),
            occurred_at=utcnow(),
            organization_ids=sorted(set(organizations)),
            alliance_ids=sorted(set(alliances)),
        )
        .returning(EVENT.c.id)
    )
    return int(inserted.scalar_one())
