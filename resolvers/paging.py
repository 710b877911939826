"""Pages of rows cut in SQL: offsets, limits and totals, for one list or many parents at once."""

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

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
]

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
_CURSOR_PREFIX = "offset:"

OrderBy = Sequence[ColumnElement[Any]]


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int
    offset: int


@dataclass(frozen=True, slots=True)
class Page:
    rows: Sequence[RowMapping]
    offset: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


EMPTY_PAGE = Page(rows=(), offset=0, total=0)


def cursor_at(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def _offset_after(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
        if not raw.startswith(_CURSOR_PREFIX):
            raise ValueError(raw)
        position = int(raw.removeprefix(_CURSOR_PREFIX))
    except (UnicodeError, ValueError):
        raise BadUserInput(f"{excerpt(cursor)} is not a valid cursor", field="after") from None
    if position < 0:
        raise BadUserInput(f"{excerpt(cursor)} is not a valid cursor", field="after")
    return position + 1


def page_request(first: int | None, after: str | None) -> PageRequest:
    """Checks `first` and `after` as a client sent them."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0:
        raise BadUserInput("`first` must not be negative", field="first")
    if size > MAX_PAGE_SIZE:
        raise PageSizeTooLarge(
            f"`first` is {size}, over the maximum page size of {MAX_PAGE_SIZE}", field="first"
        )
    return PageRequest(first=size, offset=0 if after is None else _offset_after(after))


def _ordered(order_by: OrderBy, key: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    return [*order_by, key]


async def fetch_page(
    connection: AsyncConnection,
    statement: sa.Select[Any],
    *,
    order_by: OrderBy,
    tiebreak: ColumnElement[Any],
    request: PageRequest,
) -> Page:
    """One page of `statement` with its total, in one statement (two when asked for a page
    past the end, to know the total).

    The total is an uncorrelated scalar subquery (evaluated once), not `count(*) OVER ()`: a
    window over the whole list makes the database read every row in order before it can cut
    the page (100 universities of a country of 16,000: 197 ms instead of 7, bench/RESULTS.md).
    """
    whole = sa.select(sa.func.count()).select_from(statement.subquery()).scalar_subquery()
    paged = (
        statement.add_columns(whole.label("_total"))
        .order_by(*_ordered(order_by, tiebreak))
        .limit(request.first)
        .offset(request.offset)
    )
    rows = (await connection.execute(paged)).mappings().all()
    if rows:
        return Page(rows=rows, offset=request.offset, total=rows[0]["_total"])
    if request.offset == 0 and request.first > 0:
        return Page(rows=(), offset=0, total=0)
    counted = sa.select(sa.func.count()).select_from(statement.subquery())
    total = (await connection.execute(counted)).scalar_one()
    return Page(rows=(), offset=request.offset, total=total)


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
    start, stop = request.offset, request.offset + request.first
    selected = (
        sa.select(numbered)
        .where(
            sa.or_(
                sa.and_(numbered.c._rn > start, numbered.c._rn <= stop),
                numbered.c._rn == 1,
            )
        )
        .order_by(numbered.c._key, numbered.c._rn)
    )
    grouped: dict[Any, list[RowMapping]] = {}
    totals: dict[Any, int] = {}
    for row in (await connection.execute(selected)).mappings():
        totals[row["_key"]] = row["_total"]
        rows = grouped.setdefault(row["_key"], [])
        if start < row["_rn"] <= stop:
            rows.append(row)
    return {k: Page(rows=grouped.get(k, []), offset=start, total=totals.get(k, 0)) for k in keys}
