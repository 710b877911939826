"""The one way rows change: stamped, versioned, and traced in the history, on the caller's
transaction (`schema.mutations.run_mutation` opens it and rolls it back on any error).

Every update names the `version` the client read: `UPDATE ... WHERE id = :id AND version =
:version`, so of two writers racing from the same version exactly one matches a row; the other
gets `STALE_VERSION` and changes nothing. Changes to agreements (and their parties, modes,
commitments), memberships, recognition applications and program requirements write a
`history_entry` in the same transaction.
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from resolvers.errors import ApiError, NotFound
from resolvers.transactions import TEXT_TOO_LONG, RefusedByDatabase

__all__ = [
    "HISTORY",
    "StaleVersion",
    "as_stored",
    "delete_row",
    "insert_row",
    "jsonable",
    "record",
    "row_or_none",
    "update_row",
]

HISTORY = table_of(t.HistoryEntry)
_TRACED = {
    "agreement",
    "membership",
    "commitment",
    "agreement_party",
    "recognition_application",
    "program_requirement",
    "approval",
}


class StaleVersion(ApiError):
    code = "STALE_VERSION"


def jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _is_mutable(table: sa.Table) -> bool:
    return "version" in table.c


async def row_or_none(connection: AsyncConnection, table: sa.Table, key: int) -> RowMapping | None:
    result = await connection.execute(sa.select(table).where(table.c.id == key))
    return result.mappings().first()


def _agreement_of(table: sa.Table, row: Mapping[Any, Any]) -> int | None:
    if table.name == "agreement":
        return int(row["id"])
    value = row.get("agreement_id")
    return int(value) if value is not None else None


async def record(
    connection: AsyncConnection,
    *,
    table: sa.Table,
    row: Mapping[Any, Any],
    action: str,
    actor: str,
    changes: Mapping[str, Any],
) -> None:
    """A history entry for a change of `row`, if its table is traced."""
    if table.name not in _TRACED:
        return
    await connection.execute(
        sa.insert(HISTORY).values(
            subject_type=table.name,
            subject_id=row["id"],
            agreement_id=_agreement_of(table, row),
            action=action,
            actor=actor,
            changed_at=utcnow(),
            changes=dict(changes),
        )
    )


def _refuse_longer(text: str, length: int) -> None:
    if len(text) > length:
        raise RefusedByDatabase(TEXT_TOO_LONG, code="INVALID_VALUE")


def as_stored(table: sa.Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` as `table` keeps them, alike on both databases: PostgreSQL rounds a decimal to
    its column's places (halves away from zero) and refuses a text longer than its column,
    where SQLite stored the decimal as a float (0.125 read back as 0.12, 0.13 on PostgreSQL)
    and kept the text whole. Both are done here, before either database sees the values."""
    stored: dict[str, Any] = {}
    for name, value in values.items():
        kind = table.c[name].type if name in table.c else None
        if isinstance(kind, sa.TypeDecorator):  # sqlmodel's AutoString, a String underneath
            kind = kind.impl_instance
        if isinstance(value, Decimal) and isinstance(kind, sa.Numeric) and kind.scale is not None:
            value = value.quantize(Decimal(1).scaleb(-kind.scale), rounding=ROUND_HALF_UP)
        elif isinstance(value, str) and isinstance(kind, sa.String) and kind.length is not None:
            _refuse_longer(value, kind.length)
        stored[name] = value
    return stored


async def insert_row(
    connection: AsyncConnection,
    table: sa.Table,
    values: Mapping[str, Any],
    *,
    actor: str,
    action: str = "created",
) -> RowMapping:
    values = as_stored(table, values)
    stamped = {k: jsonable(v) if isinstance(v, Enum) else v for k, v in values.items()}
    if _is_mutable(table):
        now = utcnow()
        stamped.update(created_at=now, updated_at=now, version=1)
    result = await connection.execute(sa.insert(table).values(stamped).returning(table))
    row: RowMapping = result.mappings().one()
    await record(
        connection,
        table=table,
        row=row,
        action=action,
        actor=actor,
        changes={k: {"old": None, "new": jsonable(v)} for k, v in values.items()},
    )
    return row


async def update_row(
    connection: AsyncConnection,
    table: sa.Table,
    key: int,
    version: int,
    values: Mapping[str, Any],
    *,
    actor: str,
    action: str = "updated",
    what: str = "object",
) -> RowMapping:
    """Sets `values` on the row if it is still at `version`; records old and new values."""
    before = await row_or_none(connection, table, key)
    if before is None:
        raise NotFound(f"no {what} with that ID", field="id")
    if before["version"] != version:
        raise StaleVersion(
            f"this {what} changed since version {version} was read (it is at version "
            f"{before['version']}): read it again and retry",
            field="version",
        )
    clean = {
        k: jsonable(v) if isinstance(v, Enum) else v for k, v in as_stored(table, values).items()
    }
    result = await connection.execute(
        sa.update(table)
        .where(table.c.id == key, table.c.version == version)
        .values(**clean, updated_at=utcnow(), version=table.c.version + 1)
        .returning(table)
    )
    after: RowMapping | None = result.mappings().first()
    if after is None:
        raise StaleVersion(f"this {what} changed while it was being updated", field="version")
    changes = {
        k: {"old": jsonable(before[k]), "new": jsonable(after[k])}
        for k in clean
        if before[k] != after[k]
    }
    await record(connection, table=table, row=after, action=action, actor=actor, changes=changes)
    return after


async def delete_row(
    connection: AsyncConnection,
    table: sa.Table,
    key: int,
    version: int | None,
    *,
    actor: str,
    what: str = "object",
) -> RowMapping:
    before = await row_or_none(connection, table, key)
    if before is None:
        raise NotFound(f"no {what} with that ID", field="id")
    condition = table.c.id == key
    if _is_mutable(table):
        if version is None or before["version"] != version:
            raise StaleVersion(f"this {what} changed since it was read", field="version")
        condition = sa.and_(condition, table.c.version == version)
    result = await connection.execute(sa.delete(table).where(condition))
    if result.rowcount != 1:
        raise StaleVersion(f"this {what} changed while it was being deleted", field="version")
    await record(
        connection,
        table=table,
        row=before,
        action="deleted",
        actor=actor,
        changes={k: {"old": jsonable(v), "new": None} for k, v in before.items()},
    )
    return before
