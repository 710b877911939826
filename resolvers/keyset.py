"""Keyset cursors: a row's place in a list named by its id, so it stays put when rows are added.

A list's order allows them when it is a total order the database can compare against: every
sort term a column of the list's own table, its direction known, and where NULLs go written
out (or the column not nullable), then the id. The cursor (`key:<id>`) carries only the id;
the row's sort values are read back in SQL, and the rows before it found by comparing term by
term (NULLs included), so neither road writes sort values as text.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from db.tables.listings import MIRRORS

__all__ = ["KEY_PREFIX", "key_terms", "precedes", "tie_broken"]

KEY_PREFIX = "key:"


@dataclass(frozen=True, slots=True)
class _Term:
    column: sa.Column[Any]
    descending: bool
    nulls_first: bool | None
    """Where NULLs sort; `None` for a column that holds none."""


def _mirrored(column: sa.Column[Any], table: sa.Table) -> sa.Column[Any] | None:
    """The column of `table` that `column` (of another table) is a copy of, kept equal by the
    database (`info["mirrors"]`, db/tables/listings.py): the order is written on the copy (an
    index's order), the cursor's values are read and compared on the original."""
    named = column.info.get(MIRRORS)
    if not isinstance(named, str):
        return None
    table_name, _, column_name = named.partition(".")
    found = table.c.get(column_name) if table_name == table.name else None
    return found if isinstance(found, sa.Column) else None


def _term(term: Any, table: sa.Table) -> _Term | None:
    nulls_first: bool | None = None
    if isinstance(term, UnaryExpression) and term.modifier in (
        operators.nulls_first_op,
        operators.nulls_last_op,
    ):
        nulls_first = term.modifier is operators.nulls_first_op
        term = term.element
    descending = False
    if isinstance(term, UnaryExpression) and term.modifier in (operators.asc_op, operators.desc_op):
        descending = term.modifier is operators.desc_op
        term = term.element
    if isinstance(term, sa.Column) and term.table is not table:
        term = _mirrored(term, table)
    if not isinstance(term, sa.Column) or term.table is not table:
        return None
    if nulls_first is None and term.nullable:
        return None  # each database puts NULLs at its own end
    return _Term(term, descending, nulls_first)


def tie_broken(order_by: Sequence[Any], key: ColumnElement[Any]) -> list[Any]:
    """`order_by` then the tie-breaking `key` (a table's id, ascending), unless the order ends
    with it already, or with a copy of it kept by the database (`_mirrored`): sorted by the
    copy and again by the original, PostgreSQL could not take the rows in an index's order
    and stop after a page; it read a whole group of 32 index entries and fetched their
    agreements to sort them again (an incremental sort per member of the secretariat)."""
    if order_by:
        last = order_by[-1]
        if isinstance(last, UnaryExpression) and last.modifier is operators.asc_op:
            last = last.element
        table = getattr(key, "table", None)
        if isinstance(last, sa.Column) and isinstance(table, sa.Table):
            same = last if last.table is table else _mirrored(last, table)
            if same is not None and same is key:
                return list(order_by)
    return [*order_by, key]


def key_terms(order_by: Sequence[Any], key: ColumnElement[Any]) -> list[_Term] | None:
    """The terms of `order_by` (before the tie-breaking `key`, a table's id) when the order
    allows keyset cursors, else `None`."""
    table = getattr(key, "table", None)
    if not isinstance(table, sa.Table) or not isinstance(key, sa.Column) or key.name != "id":
        return None
    terms = [_term(term, table) for term in order_by]
    if any(term is None for term in terms):
        return None
    return [term for term in terms if term is not None]


def _value(column: ColumnElement[Any], key: ColumnElement[Any], row: Any) -> Any:
    table = key.table
    return sa.select(column).where(key == row).correlate_except(table).scalar_subquery()


def _before(term: _Term, mine: Any, theirs: Any) -> ColumnElement[bool]:
    smaller: ColumnElement[bool] = mine > theirs if term.descending else mine < theirs
    if term.nulls_first is None:
        return smaller
    if term.nulls_first:
        return sa.or_(smaller, sa.and_(mine.is_(None), theirs.is_not(None)))
    return sa.or_(smaller, sa.and_(mine.is_not(None), theirs.is_(None)))


def precedes(
    terms: Sequence[_Term],
    key: ColumnElement[Any],
    row: int,
    *,
    inclusive: bool,
    within: sa.Select[Any],
) -> ColumnElement[bool]:
    """Whether a row of the list `within` comes before the row with id `row` (or is it, if
    `inclusive`). A row that is not in the list (deleted, hidden from the viewer, filtered
    out) has no place, and nothing comes before it: its values are never compared."""
    equal: list[ColumnElement[bool]] = []
    alternatives: list[ColumnElement[bool]] = []
    for term in terms:
        theirs = _value(term.column, key, row)
        alternatives.append(sa.and_(*equal, _before(term, term.column, theirs)))
        equal.append(term.column.is_not_distinct_from(theirs))
    last = key <= row if inclusive else key < row
    alternatives.append(sa.and_(*equal, last))
    table = key.table
    member = within.with_only_columns(key, maintain_column_froms=True).where(key == row)
    exists = sa.exists(member.correlate_except(table))
    return sa.and_(exists, sa.or_(*alternatives))
