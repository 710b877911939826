"""The change feed: one row per committed change of a traced row (see `db.change_feed`).

`change_event` is written by triggers only (and by `resolvers.change_recording` for events no
row change makes, such as a reminder). `change_context` has one row: on SQLite the actor of the
write transaction under way (PostgreSQL keeps it in transaction-local settings), and on both the
highest event id pruned (`resolvers.change_retention`), so a reader whose cursor is older learns
that it missed events.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from db.base import UTCDateTime

__all__ = ["ID_LIST", "NAME_LIST", "ChangeContext", "ChangeEvent"]

ID_LIST = sa.JSON().with_variant(postgresql.ARRAY(sa.Integer()), "postgresql")
"""Integer ids: an array on PostgreSQL (`&&` overlaps it), JSON text on SQLite."""
NAME_LIST = sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")

_EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class ChangeEvent(SQLModel, table=True):
    __tablename__ = "change_event"
    __table_args__ = (
        sa.Index("ix_change_event_position", "xid", "id"),
        sa.Index("ix_change_event_entity", "entity_type", "entity_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=_EVENT_ID)
    xid: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
    """The writing transaction's id on PostgreSQL (`pg_current_xact_id()`); 0 on SQLite."""
    entity_type: str = Field(max_length=40)
    entity_id: int
    kind: str = Field(max_length=40)
    version: int
    actor_token_id: int | None = None
    actor: str | None = Field(default=None, max_length=200)
    fields: list[str] = Field(default_factory=list, sa_type=NAME_LIST, nullable=False)
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    organization_ids: list[int] = Field(default_factory=list, sa_type=ID_LIST, nullable=False)
    alliance_ids: list[int] = Field(default_factory=list, sa_type=ID_LIST, nullable=False)


class ChangeContext(SQLModel, table=True):
    __tablename__ = "change_context"

    id: int = Field(primary_key=True)
    actor_token_id: int | None = None
    actor: str | None = Field(default=None, max_length=200)
    pruned_through: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
