"""Reading the change feed: the events after a position that a viewer may see, in commit order.

This is the one function every reader of the feed calls: the `changes` query, and the
subscriptions and webhook deliveries built on it. `changes_after(engine, viewer, after=...,
first=..., filter=...)` returns a `ChangePage` whose `end` is the position to read from next.

**Positions never skip an event that commits late.** On PostgreSQL an event's position is
`(xid, id)`: the id of the transaction that wrote it and its own sequence number. Ids are given
out when a statement asks for them, not in commit order, so a reader that read up to id 100
could later find id 99 committed. A reader therefore takes only the events whose transaction id
is below the oldest transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`, here
narrowed to this database, `_HORIZON`): every transaction below it has ended, and every
transaction that will ever write again has an id at or above it, so nothing can later appear
before the position read. The price: an event becomes
readable only once every transaction older than its own has ended (a transaction left open
holds the feed back; `statement_timeout` and `idle_in_transaction_session_timeout` bound it).
On SQLite writers are serialized (one write transaction at a time, holding the lock from its
first write to its commit), so the autoincrement id is already in commit order; `xid` is 0.

**Visibility is applied when reading**, with the rules of `resolvers.visibility`: a caller sees
an event of an entity it can see now. An event of an entity that no longer exists (it was
deleted) is shown to those who could see it: admins, everyone for a public profile, and
callers answering for one of the organizations the event names (`organization_ids`, stored by
the trigger when it wrote the event; a secretariat also for its alliance and its current
members).

A page is cut from a window of events read in position order; the events a caller may not see
are passed over, and `end` is the position of the last event looked at, so a caller that sees
little still moves on through the feed.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import SQLModel

from db.base import table_of
from db.change_feed import ENTITY_TABLES
from db.enums import ChangeKind
from db.tables import ChangeContext, ChangeEvent, Membership, Organization
from resolvers.errors import ApiError, BadUserInput, Forbidden, excerpt
from resolvers.viewer import Role, Viewer
from resolvers.visibility import PUBLIC_TABLES, visible

__all__ = [
    "EVENT",
    "Change",
    "ChangeFilter",
    "ChangePage",
    "CursorExpired",
    "Position",
    "changes_after",
    "check_filter",
    "decode_position",
    "encode_position",
    "held_back",
]

EVENT = table_of(ChangeEvent)
CONTEXT = table_of(ChangeContext)
MEMBERSHIP = table_of(Membership)
ORGANIZATION = table_of(Organization)

PUBLIC_TYPES = frozenset(name for name, table in ENTITY_TABLES.items() if table in PUBLIC_TABLES)
MAX_WINDOW = 2000
"""The most events looked at for one page of a caller that is not an admin."""


class CursorExpired(ApiError):
    """The events after the cursor were pruned (older than the retention)."""

    code = "CURSOR_EXPIRED"


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A place in the feed: after the event `id` of transaction `xid` (0 on SQLite)."""

    xid: int = 0
    id: int = 0


START = Position()


def encode_position(position: Position) -> str:
    raw = f"change:{position.xid}:{position.id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_position(cursor: str, *, field: str = "after") -> Position:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        tag, xid, key = base64.urlsafe_b64decode(padded.encode("ascii")).decode().split(":")
        position = Position(int(xid), int(key))
    except (UnicodeError, ValueError, binascii.Error):
        raise BadUserInput(f"{excerpt(cursor)} is not a cursor of `changes`", field=field) from None
    if tag != "change" or position.xid < 0 or position.id < 0:
        raise BadUserInput(f"{excerpt(cursor)} is not a cursor of `changes`", field=field)
    return position


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Events of these node types, kinds, organizations (or their units) and alliances; all
    given conditions hold together, each list is any of its values."""

    types: Sequence[str] | None = None
    kinds: Sequence[ChangeKind] | None = None
    organizations: Sequence[int] | None = None
    alliances: Sequence[int] | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One event as stored (`db.tables.changes.ChangeEvent`)."""

    id: int
    xid: int
    entity_type: str
    entity_id: int
    kind: str
    version: int
    actor_token_id: int | None
    actor: str | None
    fields: list[str]
    occurred_at: datetime
    organization_ids: list[int]
    alliance_ids: list[int]

    @property
    def position(self) -> Position:
        return Position(self.xid, self.id)

    @classmethod
    def from_row(cls, row: RowMapping) -> "Change":
        return cls(
            id=row["id"],
            xid=row["xid"],
            entity_type=row["entity_type"],
            entity_id=row["entity_id"],
            kind=row["kind"],
            version=row["version"],
            actor_token_id=row["actor_token_id"],
            actor=row["actor"],
            fields=list(row["fields"] or []),
            occurred_at=row["occurred_at"],
            organization_ids=list(row["organization_ids"] or []),
            alliance_ids=list(row["alliance_ids"] or []),
        )


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: list[Change]
    end: Position
    """Where to read on from: the last event looked at (seen or passed over), or `after`."""
    has_more: bool
    """Whether events that may be visible follow `end` (readable now)."""
    oldest: Position | None = field(default=None)


def _table(type_name: str) -> sa.Table:
    return SQLModel.metadata.tables[ENTITY_TABLES[type_name]]


def readable_types(viewer: Viewer) -> frozenset[str]:
    """The node types whose events `viewer` can ever see."""
    if viewer.is_admin:
        return frozenset(ENTITY_TABLES)
    if not viewer.sees_records:
        return PUBLIC_TYPES
    return frozenset(
        name for name in ENTITY_TABLES if visible(viewer, _table(name)) is not sa.false()
    )


def check_filter(viewer: Viewer, filter: ChangeFilter | None) -> None:
    """A `BadUserInput` for a type that is not one, a `Forbidden` for one the caller can never
    see (a reporter asking for agreements)."""
    if filter is None or not filter.types:
        return
    for name in filter.types:
        if name not in ENTITY_TABLES:
            known = ", ".join(sorted(ENTITY_TABLES))
            raise BadUserInput(
                f"{excerpt(name)} is not a type with changes (one of {known})",
                field="filter.types",
            )
    hidden = sorted(set(filter.types) - readable_types(viewer))
    if hidden:
        raise Forbidden(
            f"{viewer.role.value} callers never see changes of {', '.join(hidden)}",
            field="filter.types",
        )


def _ids_overlap(
    column: ColumnElement[Any], ids: Sequence[int], dialect: str
) -> ColumnElement[bool]:
    """The id list `column` holds one of `ids`."""
    if not ids:
        return sa.false()
    if dialect == "postgresql":
        wanted = sa.literal(sorted(ids), type_=postgresql.ARRAY(sa.Integer()))
        return column.op("&&")(wanted)
    each = sa.func.json_each(column).table_valued("value")
    return sa.exists().where(each.c.value.in_(sorted(ids)))


def _ids_hold(column: ColumnElement[Any], dialect: str) -> sa.Select[tuple[Any]]:
    """The ids of the list `column`, as a one-column select."""
    if dialect == "postgresql":
        return sa.select(sa.func.unnest(column))
    each = sa.func.json_each(column).table_valued("value")
    return sa.select(each.c.value)


def _answered_for(viewer: Viewer, source: Subquery, dialect: str) -> ColumnElement[bool]:
    """The event names an organization or alliance `viewer` answers for (deleted records)."""
    conditions = [_ids_overlap(source.c.organization_ids, sorted(viewer.scope), dialect)]
    if viewer.role is Role.SECRETARIAT and viewer.alliance_id is not None:
        conditions.append(_ids_overlap(source.c.alliance_ids, [viewer.alliance_id], dialect))
        conditions.append(
            sa.exists().where(
                MEMBERSHIP.c.alliance_id == viewer.alliance_id,
                MEMBERSHIP.c.left_on.is_(None),
                MEMBERSHIP.c.organization_id.in_(_ids_hold(source.c.organization_ids, dialect)),
            )
        )
    return sa.or_(*conditions)


def _seen(viewer: Viewer, source: Subquery, dialect: str) -> ColumnElement[bool]:
    """Whether `viewer` may see each event of `source` (a subquery of `change_event`)."""
    cases: dict[str, ColumnElement[bool]] = {}
    answered = _answered_for(viewer, source, dialect)
    for name in sorted(readable_types(viewer)):
        if name in PUBLIC_TYPES:
            cases[name] = sa.true()
            continue
        table = _table(name)
        now = sa.exists().where(table.c.id == source.c.entity_id, visible(viewer, table))
        gone = ~sa.exists().where(table.c.id == source.c.entity_id)
        cases[name] = sa.or_(now, sa.and_(gone, answered))
    if not cases:
        return sa.false()
    return sa.case(cases, value=source.c.entity_type, else_=sa.false())


_HORIZON = sa.text(
    """COALESCE(
        (SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) x
         WHERE x::text::bigint % 4294967296 NOT IN (
             SELECT backend_xid::text::bigint FROM pg_stat_activity
             WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())),
        pg_snapshot_xmax(pg_current_snapshot())::text::bigint)"""
)
"""The oldest transaction of this database still running when the statement began (or the next
one to start): `pg_snapshot_xmin` is the oldest of the whole server, and a transaction left
open in another database would hold every feed back. A transaction is left out only when
`pg_stat_activity` places it in another database; one that ended meanwhile, or one the role
may not see, is kept, which only holds the horizon back (never lets an event be skipped)."""


def _readable(dialect: str) -> list[ColumnElement[bool]]:
    """Only events of transactions that ended, with every older one of this database."""
    if dialect != "postgresql":
        return []
    return [EVENT.c.xid < sa.cast(_HORIZON, sa.BigInteger).self_group()]


async def held_back(connection: AsyncConnection) -> int:
    """How many events are committed or being written but not yet readable, held back by an
    older transaction still running (always 0 on SQLite): for monitoring, and for tests that
    read right after a write."""
    if connection.dialect.name != "postgresql":
        return 0
    statement = (
        sa.select(sa.func.count()).select_from(EVENT).where(~sa.and_(*_readable("postgresql")))
    )
    return int((await connection.execute(statement)).scalar_one())


def _filtered(filter: ChangeFilter | None, units: Sequence[int], dialect: str) -> list[Any]:
    if filter is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if filter.types:
        conditions.append(EVENT.c.entity_type.in_(sorted(set(filter.types))))
    if filter.kinds:
        conditions.append(EVENT.c.kind.in_(sorted({ChangeKind(k).value for k in filter.kinds})))
    if filter.organizations:
        conditions.append(_ids_overlap(EVENT.c.organization_ids, units, dialect))
    if filter.alliances:
        conditions.append(_ids_overlap(EVENT.c.alliance_ids, filter.alliances, dialect))
    return conditions


def _units_query(organizations: Sequence[int]) -> sa.Select[Any]:
    """The organizations and every unit below them (filters by organization include units)."""
    roots = sa.select(ORGANIZATION.c.id).where(ORGANIZATION.c.id.in_(sorted(set(organizations))))
    tree = roots.cte("tree", recursive=True)
    below = sa.select(ORGANIZATION.c.id).where(ORGANIZATION.c.parent_id == tree.c.id)
    tree = tree.union(below)
    return sa.select(tree.c.id)


async def changes_after(
    engine: AsyncEngine,
    viewer: Viewer,
    *,
    after: Position | None = None,
    first: int = 100,
    filter: ChangeFilter | None = None,
) -> ChangePage:
    """Up to `first` events after `after` (the start when `None`) that `viewer` may see, in
    position order, with the position to read on from. `CursorExpired` when events after
    `after` were pruned. Reads on one connection, in two or three statements."""
    check_filter(viewer, filter)
    start = after or START
    dialect = engine.dialect.name
    async with engine.connect() as connection:
        pruned = (
            await connection.execute(sa.select(CONTEXT.c.pruned_through).where(CONTEXT.c.id == 1))
        ).scalar_one()
        if after is not None and after.id < pruned:
            raise CursorExpired(
                "events after this cursor are past the retention and were pruned: read the "
                "lists again (with `modifiedSince`) and start from a new cursor",
                field="after",
            )
        units: list[int] = []
        if filter is not None and filter.organizations:
            tree = await connection.execute(_units_query(filter.organizations))
            units = [int(row[0]) for row in tree]
        conditions = [
            sa.tuple_(EVENT.c.xid, EVENT.c.id)
            > sa.tuple_(sa.literal(start.xid), sa.literal(start.id)),
            *_readable(dialect),
            *_filtered(filter, units, dialect),
        ]
        ordered = (EVENT.c.xid, EVENT.c.id)
        if viewer.is_admin:
            statement = sa.select(EVENT).where(*conditions).order_by(*ordered).limit(first + 1)
            rows = (await connection.execute(statement)).mappings().all()
            found = [Change.from_row(row) for row in rows[:first]]
            end = found[-1].position if found else start
            return ChangePage(found, end, len(rows) > first)
        size = min(max(first * 4, 200), MAX_WINDOW)
        window = sa.select(EVENT).where(*conditions).order_by(*ordered).limit(size).subquery("w")
        statement = sa.select(window, _seen(viewer, window, dialect).label("seen")).order_by(
            window.c.xid, window.c.id
        )
        rows = (await connection.execute(statement)).mappings().all()
    return _cut(rows, first, start, full=len(rows) == size)


def _cut(rows: Sequence[RowMapping], first: int, start: Position, *, full: bool) -> ChangePage:
    """The first `first` seen events of a window; `end` is the last event looked at."""
    found: list[Change] = []
    end = start
    for index, row in enumerate(rows):
        if len(found) == first:
            return ChangePage(found, end, True)
        end = Position(row["xid"], row["id"])
        if row["seen"]:
            found.append(Change.from_row(row))
        if index == len(rows) - 1:
            return ChangePage(found, end, full)
    return ChangePage(found, end, full)
