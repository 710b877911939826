"""The one road every read takes to the database: visibility first, then ids, pages or parents.

Rows come back as plain `RowMapping`s from Core selects; no ORM objects are hydrated on reads.
"""

from collections.abc import Iterable, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BooleanClauseList, ColumnElement, Grouping

from db.engine import reads_engine
from resolvers.paging import KeptTotal, OrderBy, Page, PageRequest, fetch_page, fetch_pages
from resolvers.viewer import Viewer
from resolvers.visibility import visible

__all__ = ["Reader", "narrowed"]


def _criteria(clause: ColumnElement[Any] | None) -> list[ColumnElement[Any]]:
    if clause is None:
        return []
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        # an OR among ANDed conditions is wrapped in parentheses (a Grouping): compare what
        # it holds, as a condition given alone would be
        return [
            cast(ColumnElement[Any], c.element if isinstance(c, Grouping) else c)
            for c in clause.clauses
        ]
    return [clause]


def narrowed(
    statement: sa.Select[Any], conditions: Iterable[ColumnElement[bool]]
) -> sa.Select[Any]:
    """`statement.where(*conditions)`, leaving out the conditions it has already (compared by
    structure). A filter can repeat the viewer's visibility (a secretariat asking for agreements
    with a party in its own alliance); kept twice, PostgreSQL tests it twice on every row
    (bench/RESULTS.md: the secretariat at 100,000 organizations)."""
    present = _criteria(statement.whereclause)
    added: list[ColumnElement[bool]] = []
    for condition in conditions:
        if not any(condition.compare(other) for other in (*present, *added)):
            added.append(condition)
    return statement.where(*added)


class Reader:
    """Reads for one request: one viewer, one engine."""

    def __init__(self, *, engine: AsyncEngine, viewer: Viewer) -> None:
        self.engine = reads_engine(engine)
        self.viewer = viewer

    def select(self, table: sa.Table, *extra: ColumnElement[Any]) -> sa.Select[Any]:
        """All columns of `table` (plus `extra`), restricted to the rows the viewer may see."""
        return sa.select(table, *extra).where(visible(self.viewer, table))

    async def rows_by_id(self, table: sa.Table, ids: Sequence[int]) -> list[RowMapping | None]:
        """The visible rows with these ids, in the order asked; `None` where hidden or missing."""
        statement = self.select(table).where(table.c.id.in_(list(set(ids))))
        async with self.engine.connect() as connection:
            found = {row["id"]: row for row in (await connection.execute(statement)).mappings()}
        return [found.get(i) for i in ids]

    async def page(
        self,
        table: sa.Table,
        *,
        where: Iterable[ColumnElement[bool]],
        order_by: OrderBy,
        request: PageRequest,
    ) -> Page:
        statement = narrowed(self.select(table), where)
        async with self.engine.connect() as connection:
            return await fetch_page(
                connection, statement, order_by=order_by, tiebreak=table.c.id, request=request
            )

    async def pages_by_key(
        self,
        statement: sa.Select[Any],
        *,
        key: ColumnElement[Any],
        keys: Sequence[Any],
        order_by: OrderBy,
        tiebreak: ColumnElement[Any],
        request: PageRequest,
        kept: KeptTotal | None = None,
    ) -> list[Page]:
        """The same page for each parent key, in key order (for a DataLoader)."""
        async with self.engine.connect() as connection:
            pages = await fetch_pages(
                connection,
                statement,
                key=key,
                keys=keys,
                order_by=order_by,
                tiebreak=tiebreak,
                request=request,
                kept=kept,
            )
        return [pages[k] for k in keys]
