"""Pages of rows cut in SQL: offsets, limits and totals, for one list or many parents at once.

A page is asked for as Relay asks (`first`/`after`, `last`/`before`, or both): the rows after
`after`, before `before`, then the first `first` of those, then the last `last` of those.
Cursors are opaque (base64): a row's id (`key:<id>`, `resolvers.keyset`) where the list's order
allows, so that rows added before it do not move the next page; elsewhere a position in the
whole list (`offset:<n>`). Both kinds are accepted wherever a list takes cursors: a key cursor
is turned into a position (how many rows of the list come up to it) in SQL when the page is read.
"""

import base64
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from resolvers.errors import BadUserInput, PageSizeTooLarge, excerpt
from resolvers.keyset import KEY_PREFIX, key_terms, precedes, tie_broken

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "KeptTotal",
    "Page",
    "PageRequest",
    "cursor_at",
    "fetch_page",
    "fetch_pages",
    "key_cursor",
    "page_request",
    "page_size",
    "page_window",
]

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
_CURSOR_PREFIX = "offset:"

OrderBy = Sequence[ColumnElement[Any]]
KeptTotal = Callable[[ColumnElement[Any], ColumnElement[Any]], ColumnElement[Any]]
"""A list's total from its parent's key and the counting subquery (`fetch_pages`)."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which rows of a list a client asks for, by position: after `offset` rows (those up to
    `after`), before position `before`, the first `first` of them, then the last `last`."""

    first: int | None
    offset: int = 0
    last: int | None = None
    before: int | None = None
    after_key: int | None = None
    """The id of the row named by a key cursor given as `after` (`offset` is then unknown)."""
    before_key: int | None = None

    @property
    def keys(self) -> bool:
        """Whether a cursor names a row, not a position: `offset` and `before` are known only
        once the list is read (`resolved`)."""
        return self.after_key is not None or self.before_key is not None

    def positional(self) -> "PageRequest":
        """The request, for a list whose order does not allow key cursors."""
        if self.keys:
            raise BadUserInput("a key cursor is not valid for this list", field="after")
        return self

    def resolved(self, offset: int, before: int | None) -> "PageRequest":
        """The request with its key cursors turned into positions: `offset` rows up to
        and including `after`'s row, `before` rows before `before`'s."""
        return PageRequest(
            first=self.first,
            offset=offset if self.after_key is not None else self.offset,
            last=self.last,
            before=before if self.before_key is not None else self.before,
        )

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
    keyed: bool = False
    """Whether the list's order allows key cursors (the rows then carry their id as `_id`)."""

    def cursor(self, index: int) -> str:
        """The cursor of the page's row at `index`."""
        if self.keyed:
            return key_cursor(self.rows[index]["_id"])
        return cursor_at(self.offset + index)

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def cursor_at(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def key_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"{KEY_PREFIX}{key}".encode()).decode()


def _position(cursor: str, field: str) -> tuple[int, bool]:
    """The number a cursor holds, and whether it is a row's id (else a position)."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
        keyed = raw.startswith(KEY_PREFIX)
        if not keyed and not raw.startswith(_CURSOR_PREFIX):
            raise ValueError(raw)
        position = int(raw.removeprefix(KEY_PREFIX if keyed else _CURSOR_PREFIX))
    except (UnicodeError, ValueError):
        raise BadUserInput(f"{excerpt(cursor)} is not a valid cursor", field=field) from None
    if position < 0 or (keyed and position >= 2**63):
        raise BadUserInput(f"{excerpt(cursor)} is not a valid cursor", field=field)
    return position, keyed


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
    after_at, after_keyed = (None, False) if after is None else _position(after, "after")
    before_at, before_keyed = (None, False) if before is None else _position(before, "before")
    return PageRequest(
        first=_checked_size(first, "first"),
        offset=0 if after_at is None or after_keyed else after_at + 1,
        last=_checked_size(last, "last"),
        before=None if before_keyed else before_at,
        after_key=after_at if after_keyed else None,
        before_key=before_at if before_keyed else None,
    )


def page_window(
    request: PageRequest,
    number: ColumnElement[Any],
    total: ColumnElement[Any],
    *,
    offset: Any = None,
    before: Any = None,
) -> ColumnElement[bool]:
    """Whether the row numbered `number` (from 1) of a list of `total` rows is on the page:
    `PageRequest.bounds` in SQL. `offset` and `before` (SQL values) stand for the request's
    where its key cursors are resolved in SQL."""
    offset = request.offset if offset is None else offset
    before = request.before if before is None else before
    ends: list[Any] = [] if before is None else [before]
    if request.first is not None:
        ends.append(offset + request.first)
    if len(ends) == 2 and all(isinstance(end, int) for end in ends):
        ends = [min(ends)]
    conditions = [number > offset, *(number <= end for end in ends)]
    if request.last is not None:
        tail = number + request.last > total
        conditions.append(sa.or_(*(number + request.last > end for end in ends), tail))
    return sa.and_(*conditions)


def _key_positions(
    request: PageRequest,
    statement: sa.Select[Any],
    tiebreak: ColumnElement[Any],
    order_by: OrderBy,
) -> dict[str, ColumnElement[bool]]:
    """The conditions that count the rows up to `after`'s row (`_after`, that row included)
    and before `before`'s (`_before`), for the key cursors the request has."""
    terms = key_terms(order_by, tiebreak)
    if terms is None or not request.keys:
        return {}
    conditions: dict[str, ColumnElement[bool]] = {}
    for name, row, inclusive in (
        ("_after", request.after_key, True),
        ("_before", request.before_key, False),
    ):
        if row is not None:
            conditions[name] = precedes(terms, tiebreak, row, inclusive=inclusive, within=statement)
    return conditions


async def _resolve(
    connection: AsyncConnection,
    statement: sa.Select[Any],
    tiebreak: ColumnElement[Any],
    order_by: OrderBy,
    request: PageRequest,
) -> PageRequest:
    """The request with its key cursors turned into positions, in one statement."""
    conditions = _key_positions(request, statement, tiebreak, order_by)
    counts = [
        sa.select(sa.func.count())
        .select_from(statement.where(condition).subquery())
        .scalar_subquery()
        .label(name)
        for name, condition in conditions.items()
    ]
    found = (await connection.execute(sa.select(*counts))).mappings().one()
    return request.resolved(found.get("_after", 0), found.get("_before"))


def _checked_keys(order_by: OrderBy, tiebreak: ColumnElement[Any], request: PageRequest) -> bool:
    """Whether the list's order allows key cursors; refuses one given where it does not."""
    if key_terms(order_by, tiebreak) is None:
        request.positional()
        return False
    return True


def _ordered(order_by: OrderBy, key: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    return tie_broken(order_by, key)


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
    kept: Callable[[ColumnElement[Any]], ColumnElement[Any]] | None = None,
) -> Page:
    """One page of `statement` with its total, in one statement (two when asked for a page
    past the end, or for the last rows before a position past the end, to know the total).

    The total is an uncorrelated scalar subquery (evaluated once), not `count(*) OVER ()`: a
    window over the whole list makes the database read every row in order before it can cut
    the page (100 universities of a country of 16,000: 197 ms instead of 7, bench/RESULTS.md).
    The last rows of a list (`last` without `before` or `first`) are read in the reverse order,
    so the database keeps only those, as it does for the first rows.

    `kept`, where the database keeps the list's total, makes it from the counting subquery
    (`resolvers.agreements.kept_total`: read where it applies, else counted).
    """
    keyed = _checked_keys(order_by, tiebreak, request)
    if request.keys:
        request = await _resolve(connection, statement, tiebreak, order_by, request)
    whole: ColumnElement[Any] = (
        sa.select(sa.func.count()).select_from(statement.subquery()).scalar_subquery()
    )
    if kept is not None:
        whole = kept(whole)
    counted = statement.add_columns(whole.label("_total"), tiebreak.label("_id"))
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
        rows = rows[len(rows) - (stop - start) :]
        return Page(rows=rows, offset=start, total=total, keyed=keyed)
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
    return Page(rows=rows, offset=start, total=total, keyed=keyed)


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
    kept: KeptTotal | None = None,
) -> dict[Any, Page]:
    """The same page of `statement` for each parent key, with each parent's total, in one statement.

    Rows are numbered per parent with a window function; the first row of every parent is
    always kept so that its total is known even when the page lies past the end. `kept`
    makes a parent's total from its key and the counting subquery where the database keeps
    it: used for one parent; for several the window counts what it numbers anyway.
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
            kept=None if kept is None else functools.partial(kept, sa.literal(only)),
        )
        return {only: page}
    keyed = _checked_keys(order_by, tiebreak, request)
    ordering = _ordered(order_by, tiebreak)
    positions = [
        sa.func.sum(sa.case((condition, 1), else_=0)).over(partition_by=key).label(name)
        for name, condition in _key_positions(request, statement, tiebreak, order_by).items()
    ]
    numbered = (
        statement.add_columns(
            key.label("_key"),
            tiebreak.label("_id"),
            sa.func.row_number().over(partition_by=key, order_by=ordering).label("_rn"),
            sa.func.count().over(partition_by=key).label("_total"),
            *positions,
        )
        .where(key.in_(keys))
        .subquery()
    )
    window = page_window(
        request,
        numbered.c._rn,
        numbered.c._total,
        offset=numbered.c._after if request.after_key is not None else None,
        before=numbered.c._before if request.before_key is not None else None,
    )
    selected = (
        sa.select(numbered)
        .where(sa.or_(window, numbered.c._rn == 1))
        .order_by(numbered.c._key, numbered.c._rn)
    )
    grouped: dict[Any, list[RowMapping]] = {}
    totals: dict[Any, int] = {}
    requests: dict[Any, PageRequest] = {}
    for row in (await connection.execute(selected)).mappings():
        totals[row["_key"]] = row["_total"]
        resolved = requests.setdefault(
            row["_key"], request.resolved(row.get("_after", 0), row.get("_before"))
        )
        start, stop = resolved.bounds(row["_total"])
        rows = grouped.setdefault(row["_key"], [])
        if start < row["_rn"] <= stop:
            rows.append(row)
    pages: dict[Any, Page] = {}
    for k in keys:
        total = totals.get(k, 0)
        resolved = requests.get(k, request.resolved(0, 0))
        pages[k] = Page(
            rows=grouped.get(k, []),
            offset=resolved.bounds(total)[0],
            total=total,
            keyed=keyed,
        )
    return pages
