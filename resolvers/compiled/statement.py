"""Shapes (`resolvers.compiled.shapes`) written as one SQL expression building their JSON.

Nested `json_build_object`/`json_agg` over correlated pages, with the same visibility conditions
(`Reader.select`), filters and orderings as the ordinary resolvers, so the same rows in the same
order; every value is written as the text GraphQL would give it (global IDs and cursors in
base64, enums by name, DateTime as Python's `isoformat`).
"""

from collections.abc import Sequence
from itertools import count
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from resolvers.compiled.json_sql import EMPTY_ARRAY, constant
from resolvers.compiled.shapes import (
    PAGE_INFO_FIELDS,
    Computed,
    Constant,
    Cursor,
    Edges,
    GlobalId,
    Leaf,
    ListShape,
    ListSource,
    Localized,
    ObjectShape,
    PageInfoShape,
    Part,
    Reference,
    Root,
    TotalCount,
)
from resolvers.compiled.summaries import SummaryRoot, summary_json
from resolvers.context import Context
from resolvers.keyset import key_terms, precedes, tie_broken
from resolvers.languages import lookup_chain
from resolvers.names import picked_name
from resolvers.nodes import NODE_TABLES
from resolvers.paging import PageRequest, page_window

__all__ = ["Statement"]

_SECONDS = 'YYYY-MM-DD"T"HH24:MI:SS'


def _isoformat(moment: ColumnElement[Any]) -> ColumnElement[Any]:
    """`datetime.isoformat()` of a stored moment as read back (`db.base.UTCDateTime`: in UTC):
    microseconds only when there are any, and the offset `+00:00`."""
    utc = sa.func.timezone(constant("UTC"), moment)
    whole = sa.func.to_char(utc, constant("US")) == constant("000000")
    text = sa.case(
        (whole, sa.func.to_char(utc, constant(_SECONDS))),
        else_=sa.func.to_char(utc, constant(_SECONDS + ".US")),
    )
    return text.op("||")(constant("+00:00"))


def _base64url(text: ColumnElement[Any], *, padded: bool) -> ColumnElement[Any]:
    encoded = sa.func.translate(
        sa.func.encode(sa.func.convert_to(text, constant("UTF8")), constant("base64")),
        constant("+/"),
        constant("-_"),
    )
    return encoded if padded else sa.func.rtrim(encoded, constant("="))


def _global_id(type_name: str, key: ColumnElement[Any]) -> ColumnElement[Any]:
    """`resolvers.ids.encode_id` in SQL."""
    return _base64url(constant(f"{type_name}:").op("||")(sa.cast(key, sa.Text)), padded=False)


def _cursor(position: ColumnElement[Any]) -> ColumnElement[Any]:
    """`resolvers.paging.cursor_at` in SQL."""
    return _base64url(constant("offset:").op("||")(sa.cast(position, sa.Text)), padded=True)


def _key_cursor(key: Any) -> ColumnElement[Any]:
    """`resolvers.paging.key_cursor` in SQL."""
    return _base64url(constant("key:").op("||")(sa.cast(key, sa.Text)), padded=True)


def _keyed(source: ListSource, request: PageRequest) -> bool:
    """Whether the list's order allows key cursors; refuses one given where it does not."""
    if key_terms(source.order_by, source.table.c.id) is None:
        request.positional()
        return False
    return True


def _positions(
    source: ListSource, statement: sa.Select[Any], request: PageRequest
) -> dict[str, ColumnElement[bool]]:
    """`resolvers.paging._key_positions` for a compiled list."""
    terms = key_terms(source.order_by, source.table.c.id)
    key = source.table.c.id
    conditions: dict[str, ColumnElement[bool]] = {}
    if terms is None:
        return conditions
    if request.after_key is not None:
        conditions["_after"] = precedes(
            terms, key, request.after_key, inclusive=True, within=statement
        )
    if request.before_key is not None:
        conditions["_before"] = precedes(
            terms, key, request.before_key, inclusive=False, within=statement
        )
    return conditions


class Statement:
    """Builds one statement; every derived table gets a name of its own."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._names = count(1)

    def name(self) -> str:
        return f"r{next(self._names)}"

    def columns(self, shape: ObjectShape, table: sa.Table) -> list[ColumnElement[Any]]:
        """What a row source must carry for `shape`: the id, leaves, computed values, keys."""
        wanted: dict[str, ColumnElement[Any]] = {"id": table.c.id}
        for _, part in shape.parts:
            if isinstance(part, Leaf | Reference):
                wanted[f"c_{part.column}"] = table.c[part.column]
            elif isinstance(part, Computed):
                wanted[f"x_{part.expression.name}"] = part.expression.make(table)
            elif isinstance(part, Localized):
                for column in (part.column, part.local_column):
                    if column is not None:
                        wanted[f"c_{column}"] = table.c[column]
        return [value.label(label) for label, value in wanted.items()]

    def object(self, shape: ObjectShape, row: sa.Subquery) -> ColumnElement[Any]:
        values: list[ColumnElement[Any]] = []
        for key, part in shape.parts:
            values += [constant(key), self.value(shape, part, row)]
        return sa.func.json_build_object(*values)

    def value(self, shape: ObjectShape, part: Part, row: sa.Subquery) -> ColumnElement[Any]:
        if isinstance(part, Leaf):
            column = row.c[f"c_{part.column}"]
            if part.moment:
                return _isoformat(column)
            return sa.func.upper(column) if part.upper else column
        if isinstance(part, Computed):
            return row.c[f"x_{part.expression.name}"]
        if isinstance(part, Localized):
            return self.localized(part, row)
        if isinstance(part, GlobalId):
            return _global_id(shape.node, row.c.id)
        if isinstance(part, Constant):
            return constant(part.value)
        if isinstance(part, Reference):
            return self.reference(part, row)
        return self.connection(part, row)

    def localized(self, part: Localized, row: sa.Subquery) -> ColumnElement[Any]:
        tags = (part.lang,) if part.lang is not None else self.ctx.languages
        local = None if part.local_column is None else row.c[f"c_{part.local_column}"]
        chain = lookup_chain(tags)
        return picked_name(
            part.type_name, part.field, chain, row.c.id, row.c[f"c_{part.column}"], local
        )

    def reference(self, part: Reference, row: sa.Subquery) -> ColumnElement[Any]:
        table = NODE_TABLES[part.shape.node]
        target = (
            self.ctx.reader.select(table)
            .with_only_columns(*self.columns(part.shape, table), maintain_column_froms=True)
            .where(table.c.id == row.c[f"c_{part.column}"])
            .correlate(row)
            .subquery(self.name())
        )
        return sa.select(self.object(part.shape, target)).select_from(target).scalar_subquery()

    def connection(self, shape: ListShape, parent: sa.Subquery | None) -> ColumnElement[Any]:
        source = shape.spec.source.make(self.ctx, shape.spec)
        statement = source.statement
        if parent is not None and source.key is not None:
            statement = statement.where(source.key == parent.c.id).correlate(parent)
        total = self.total(statement)
        if parent is not None and source.key is not None and source.total is not None:
            total = source.total(parent.c.id, total)
        values: list[ColumnElement[Any]] = []
        for key, part in shape.parts:
            values.append(constant(key))
            if isinstance(part, TotalCount):
                values.append(total)
            elif isinstance(part, Constant):
                values.append(constant(part.value))
            elif isinstance(part, PageInfoShape):
                values.append(self.page_info(part, statement, shape.request, source, total))
            else:
                values.append(self.page(shape, part, source, statement))
        return sa.func.json_build_object(*values)

    def total(self, statement: sa.Select[Any]) -> ColumnElement[Any]:
        counted = statement.with_only_columns(sa.func.count(), maintain_column_froms=True)
        return counted.order_by(None).scalar_subquery()

    def page(
        self,
        shape: ListShape,
        part: "Edges | ObjectShape",
        source: ListSource,
        statement: sa.Select[Any],
    ) -> ColumnElement[Any]:
        """The page's edges (or nodes) as a JSON array, in the list's order."""
        node = part if isinstance(part, ObjectShape) else edge_node(part)
        ordering = tie_broken(source.order_by, source.table.c.id)
        columns = self.columns(node, source.table) if node else [source.table.c.id.label("id")]
        keyed = _keyed(source, shape.request)
        rows = self.rows(statement, columns, ordering, shape.request, source)
        if isinstance(part, ObjectShape):
            item = self.object(part, rows)
        else:
            values: list[ColumnElement[Any]] = []
            for key, edge_part in part.parts:
                values.append(constant(key))
                if isinstance(edge_part, ObjectShape):
                    values.append(self.object(edge_part, rows))
                elif isinstance(edge_part, Cursor):
                    values.append(_key_cursor(rows.c.id) if keyed else _cursor(rows.c._rn - 1))
                else:
                    values.append(constant(edge_part.value))
            item = sa.func.json_build_object(*values)
        aggregated = sa.func.json_agg(aggregate_order_by(item, rows.c._rn))
        return (
            sa.select(sa.func.coalesce(aggregated, EMPTY_ARRAY)).select_from(rows).scalar_subquery()
        )

    def rows(
        self,
        statement: sa.Select[Any],
        columns: Sequence[ColumnElement[Any]],
        ordering: list[Any],
        request: PageRequest,
        source: ListSource,
    ) -> sa.Subquery:
        """The page's rows, numbered from 1 in the whole list (`_rn`): cut by LIMIT and OFFSET
        when paging forwards; when paging backwards (`last`), numbered with the list's count
        and kept by `resolvers.paging.page_window` (also when a key cursor gives a position,
        counted over the same window)."""
        number = sa.func.row_number().over(order_by=ordering).label("_rn")
        end = request.end
        if request.last is None and end is not None and not request.keys:
            return (
                statement.with_only_columns(*columns, number, maintain_column_froms=True)
                .order_by(*ordering)
                .limit(max(0, end - request.offset))
                .offset(request.offset)
                .subquery(self.name())
            )
        positions = [
            sa.func.sum(sa.case((condition, 1), else_=0)).over().label(name)
            for name, condition in _positions(source, statement, request).items()
        ]
        numbered = statement.with_only_columns(
            *columns,
            number,
            sa.func.count().over().label("_total"),
            *positions,
            maintain_column_froms=True,
        ).subquery(self.name())
        window = page_window(
            request,
            numbered.c._rn,
            numbered.c._total,
            offset=numbered.c._after if request.after_key is not None else None,
            before=numbered.c._before if request.before_key is not None else None,
        )
        return sa.select(numbered).where(window).subquery(self.name())

    def page_info(
        self,
        part: PageInfoShape,
        statement: sa.Select[Any],
        request: PageRequest,
        source: ListSource,
        total: ColumnElement[Any],
    ) -> ColumnElement[Any]:
        """`resolvers.paging.Page`'s flags and the first and last cursors, from the list's
        `total`: `PageRequest.bounds` in SQL."""
        keyed = _keyed(source, request)
        positions = {
            name: self.total(statement.where(condition))
            for name, condition in _positions(source, statement, request).items()
        }
        values: list[ColumnElement[Any]] = []
        for key, name in part.parts:
            values.append(constant(key))
            if name not in PAGE_INFO_FIELDS:
                values.append(constant(name))
                continue
            start, stop = _bounds(request, total, positions)
            if name == "hasPreviousPage":
                if isinstance(start, int):
                    values.append(sa.true() if start > 0 else sa.false())
                else:
                    values.append(start > 0)
            elif name == "hasNextPage":
                values.append(sa.func.greatest(start, stop) < total)
            elif keyed:
                values.append(self.end_key(statement, request, source, name == "startCursor"))
            else:
                at = _sql(start) if name == "startCursor" else stop - 1
                values.append(sa.case((stop > start, _cursor(at)), else_=sa.null()))
        return sa.func.json_build_object(*values)

    def end_key(
        self, statement: sa.Select[Any], request: PageRequest, source: ListSource, start: bool
    ) -> ColumnElement[Any]:
        """The key cursor of the page's first (`start`) or last row; null on an empty page."""
        ordering = tie_broken(source.order_by, source.table.c.id)
        columns = [source.table.c.id.label("id")]
        rows = self.rows(statement, columns, ordering, request, source)
        order = rows.c._rn if start else rows.c._rn.desc()
        return (
            sa.select(_key_cursor(rows.c.id))
            .select_from(rows)
            .order_by(order)
            .limit(1)
            .scalar_subquery()
        )

    def root(self, root: Root) -> ColumnElement[Any]:
        if isinstance(root, ListShape):
            return self.connection(root, None)
        if isinstance(root, SummaryRoot):
            return summary_json(self.ctx.viewer, root, self.name)
        table = NODE_TABLES[root.shape.node]
        row = (
            self.ctx.reader.select(table)
            .with_only_columns(*self.columns(root.shape, table), maintain_column_froms=True)
            .where(table.c.id == root.key)
            .subquery(self.name())
        )
        return sa.select(self.object(root.shape, row)).select_from(row).scalar_subquery()


def _bounds(
    request: PageRequest, total: ColumnElement[Any], positions: dict[str, Any]
) -> tuple[Any, Any]:
    """The positions `[start, stop)` of the page (`PageRequest.bounds`) in SQL; `start` a
    Python int when it does not depend on the total (paging forwards). `positions` holds the
    positions key cursors stand for (`_after`, `_before`), counted in SQL."""
    offset = positions.get("_after", request.offset)
    before = positions.get("_before", request.before)
    ends = [] if before is None else [before]
    if request.first is not None:
        ends.append(offset + request.first)
    stop = sa.func.least(total, *ends) if ends else total
    stop = sa.func.greatest(stop, offset)
    if request.last is None:
        return offset, stop
    return sa.func.greatest(offset, stop - request.last), stop


def _sql(value: Any) -> ColumnElement[Any]:
    return sa.literal(value) if isinstance(value, int) else value


def edge_node(edges: Edges) -> ObjectShape | None:
    for _, part in edges.parts:
        if isinstance(part, ObjectShape):
            return part
    return None
