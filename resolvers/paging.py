"""Pages of rows cut in SQL: offsets, limits and totals, for one list or many parents at once.

A page is asked for as Relay asks (`first`/`after`, `last`/`before`, or both): the rows after
`after`, before `before`, then the first `first` of those, then the last `last` of those.
Cursors are positions in the whole list (`offset:<n>`, in base64).
"""

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from resolvers.errors import BadUserInput, PageSizeTooLarge, excerpt

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Page",
    "PageRequest",
    "cursor_at",
    "fetch_page",
    "fetch_pages",
    "page_request",
    "page_size",
    "page_window",
]

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
_CURSOR_PREFIX = "offset:"

OrderBy = Sequence[ColumnElement[Any]]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which rows of a list a client asks for, by position: after `offset` rows (those up to
    `after`), before position `before`, the first `first` of them, then the last `last`."""

    first: int | None
    offset: int = 0
    last: int | None = None
    before: int | None = None

    @property
    def end(self) -> int | None:
        """The position the page ends before, as far as it is known without the list's total."""
        ends = [self.before, None if self.first is None else self.offset + self.first]
        known = [end for end in ends if end is not None]
        return min(known) if known else None

    def bounds(self, total: int) -> tuple[int, int]:
        """The positions `[start, stop)` of the page in a list of `total` rows."""
        end = self.end
        stop = max(self.offset, total if end is None else min(end, total))
        start = self.offset if self.last is None else max(self.offset, stop - self.last)
        return start, stop


@dataclass(frozen=True, slots=True)
class Page:
    rows: Sequence[RowMapping]
    offset: int
    """The position of the page's first row in the whole list."""
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def cursor_at(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def _position(cursor: str, field: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
        if not raw.startswith(_CURSOR_PREFIX):
            raise ValueError(raw)
        position = int(raw.removeprefix(_CURSOR_PREFIX))
    except (UnicodeError, ValueError):
        raise BadUserInput(f"{excerpt(cursor)} is not a valid cursor", field=field) from None
    if position < 0:
        raise BadUserInput(f"{excerpt(cursor)} is not a valid cursor", field=field)
    return position


def _checked_size(size: int | None, name: str) -> int | None:
    if size is None:
        return None
    if size < 0:
        raise BadUserInput(f"`{name}` must not be negative", field=name)
    if size > MAX_PAGE_SIZE:
        raise PageSizeTooLarge(
            f"`{name}` is {size}, over the maximum page size of {MAX_PAGE_SIZE}", field=name
        )
    return size


def page_size(first: int | None) -> int:
    """The size of a plain (unpaged) list that takes `first`, checked as a page's `first`."""
    return page_request(first, None).first or 0


def page_request(
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> PageRequest:
    """Checks `first`, `after`, `last` and `before` as a client sent them. Without `first` or
    `last`, a page is `DEFAULT_PAGE_SIZE` rows: the last ones before `before` when only
    `before` is given, else the first ones (after `after`)."""
    if first is None and last is None:
        if before is not None and after is None:
            last = DEFAULT_PAGE_SIZE
        else:
            first = DEFAULT_PAGE_SIZE
    return PageRequest(
        first=_checked_size(first, "first"),
        offset=0 if after is None else _position(after, "after") + 1,
        last=_checked_size(last, "last"),
        before=None if before is None else _position(before, "before"),
    )


def page_window(
    request: PageRequest, number: ColumnElement[Any], total: ColumnElement[Any]
) -> ColumnElement[bool]:
    """Whether the row numbered `number` (from 1) of a list of `total` rows is on the page:
    `PageRequest.bounds` in SQL."""
    conditions = [number > request.offset]
    end = request.end
    if end is not None:
        conditions.append(number <= end)
    if request.last is not None:
        tail = number + request.last > total
        conditions.append(tail if end is None else sa.or_(number + request.last > end, tail))
    return sa.and_(*conditions)


def _ordered(order_by: OrderBy, key: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    return [*order_by, key]


_NULLS = {operators.nulls_first_op: "nulls_last", operators.nulls_last_op: "nulls_first"}


def _reversed(term: ColumnElement[Any]) -> ColumnElement[Any]:
    """One term of an ORDER BY the other way round, NULLs included (a term with no NULLS
    clause stays without one: each database then puts NULLs at the other end as well)."""
    nulls = None
    if isinstance(term, UnaryExpression) and term.modifier in _NULLS:
        nulls, term = _NULLS[term.modifier], term.element
    if isinstance(term, UnaryExpression) and term.modifier is operators.desc_op:
        flipped = term.element.asc()
    elif isinstance(term, UnaryExpression) and term.modifier is operators.asc_op:
        flipped = term.element.desc()
    else:
        flipped = term.desc()
    return flipped if nulls is None else getattr(flipped, nulls)()


async def _rows(
    connection: AsyncConnection, statement: sa.Select[Any], start: int, stop: int
) -> Sequence[RowMapping]:
    if stop <= start:
        return ()
    result = await connection.execute(statement.limit(stop - start).offset(start))
    rows: Sequence[RowMapping] = result.mappings().all()
    return rows


async def fetch_page(
    connection: AsyncConnection,
    statement: sa.Select[Any],
    *,
    order_by: OrderBy,
    tiebreak: ColumnElement[Any],
    request: PageRequest,
) -> Page:
    """One page of `statement` with its total, in one statement (two when asked for a page
    past the end, or for the last rows before a position past the end, to know the total).

    The total is an uncorrelated scalar subquery (evaluated once), not `count(*) OVER ()`: a
    window over the whole list makes the database read every row in order before it can cut
    the page (100 universities of a country of 16,000: 197 ms instead of 7, bench/RESULTS.md).
    The last rows of a list (`last` without `before` or `first`) are read in the reverse order,
    so the database keeps only those, as it does for the first rows.
    """
    whole = sa.select(sa.func.count()).select_from(statement.subquery()).scalar_subquery()
    counted = statement.add_columns(whole.label("_total"))
    ordering = _ordered(order_by, tiebreak)
    end = request.end
    if request.last is not None and end is None:
        tail = counted.order_by(*(_reversed(term) for term in ordering)).limit(request.last)
        rows = list(reversed((await connection.execute(tail)).mappings().all()))
        if rows:
            total = rows[0]["_total"]
        else:
            total = 0 if request.last > 0 else await _count(connection, statement)
        start, stop = request.bounds(total)
        return Page(rows=rows[len(rows) - (stop - start) :], offset=start, total=total)
    forward = counted.order_by(*ordering)
    start, stop = request.bounds(end or 0)  # as if the list reached `end`
    rows = list(await _rows(connection, forward, start, stop))
    if rows:
        total = rows[0]["_total"]
    elif start == 0 and stop > 0:
        total = 0
    else:
        total = await _count(connection, statement)
    if request.bounds(total) != (start, stop):
        # Fewer rows than `end` (a `before` past the end): the last rows are others.
        start, stop = request.bounds(total)
        if request.last is not None:
            rows = list(await _rows(connection, forward, start, stop))
    return Page(rows=rows, offset=start, total=total)


async def _count(connection: AsyncConnection, statement: sa.Select[Any]) -> int:
    counted = sa.select(sa.func.count()).select_from(statement.subquery())
    total: int = (await connection.execute(counted)).scalar_one()
    return total


async def fetch_pages(
    connection: AsyncConnection,
    statement: sa.Select[Any],
    *,
    key: ColumnElement[Any],
    keys: Iterable[Any],
    order_by: OrderBy,
    tiebreak: ColumnElement[Any],
    request: PageRequest,
) -> dict[Any, Page]:
    """The same page of `statement` for each parent key, with each parent's total, in one statement.

    Rows are numbered per parent with a window function; the first row of every parent is
    always kept so that its total is known even when the page lies past the end.
    """
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    if len(keys) == 1:
        # One parent (a portal's organization): a plain LIMIT lets the database keep only the
        # top rows (a top-N sort) instead of numbering all of the parent's rows in a window.
        (only,) = keys
        page = await fetch_page(
            connection,
            statement.where(key == only),
            order_by=order_by,
            tiebreak=tiebreak,
            request=request,
        )
        return {only: page}
    ordering = _ordered(order_by, tiebreak)
    numbered = (
        statement.add_columns(
            key.label("_key"),
            sa.func.row_number().over(partition_by=key, order_by=ordering).label("_rn"),
            sa.func.count().over(partition_by=key).label("_total"),
        )
        .where(key.in_(keys))
        .subquery()
    )
    selected = (
        sa.select(numbered)
        .where(
            sa.or_(
                page_window(request, numbered.c._rn, numbered.c._total),
                numbered.c._rn == 1,
            )
        )
        .order_by(numbered.c._key, numbered.c._rn)
    )
    grouped: dict[Any, list[RowMapping]] = {}
    totals: dict[Any, int] = {}
    for row in (await connection.execute(selected)).mappings():
        totals[row["_key"]] = row["_total"]
        start, stop = request.bounds(row["_total"])
        rows = grouped.setdefault(row["_key"], [])
        if start < row["_rn"] <= stop:
            rows.append(row)
    pages: dict[Any, Page] = {}
    for k in keys:
        total = totals.get(k, 0)
        pages[k] = Page(rows=grouped.get(k, []), offset=request.bounds(total)[0], total=total)
    return pages
