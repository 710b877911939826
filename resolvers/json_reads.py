"""A whole read answered by one SQL statement that builds its JSON in PostgreSQL.

graphql-core completes a nested read one field and one awaitable at a time: the secretariat's
1,900 objects cost about 250 ms of Python for 26 ms of database work (bench/RESULTS.md). When a
selection is plain data (columns, ids, references and connections of node types), the answer
can instead be built by the database, as a hand-written query would: one statement, nested
`json_build_object`/`json_agg` over correlated pages, the same visibility conditions
(`Reader.select`), filters and orderings as the ordinary resolvers, so the same rows in the
same order.

`schema.compiled_reads` turns a GraphQL selection into the shapes below (or decides it cannot);
this module knows nothing of GraphQL and turns shapes into SQL. PostgreSQL only: SQLite has no
base64 for global IDs, and reads there take the ordinary road.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from db.engine import reads_engine
from resolvers import agreements as agreement_reads
from resolvers import alliances as alliance_reads
from resolvers import organizations as organization_reads
from resolvers.context import Context
from resolvers.json_reports import SummaryRoot, summary_json
from resolvers.json_sql import EMPTY_ARRAY, constant
from resolvers.memo import Bounded
from resolvers.nodes import NODE_TABLES
from resolvers.ordering import order_by_field
from resolvers.paging import OrderBy, PageRequest
from resolvers.reading import narrowed
from resolvers.relations import RELATIONS, relation_statement
from resolvers.report_terms import tune_for_reports
from resolvers.token_cache import StaleAccess
from resolvers.tokens import access_version

__all__ = [
    "COMPUTED",
    "LISTS",
    "Computed",
    "Constant",
    "Cursor",
    "Edges",
    "GlobalId",
    "Leaf",
    "ListShape",
    "ListSpec",
    "NodeRoot",
    "ObjectShape",
    "PageInfoShape",
    "Reference",
    "Root",
    "TotalCount",
    "answer",
    "supports",
]


@dataclass(frozen=True, slots=True)
class Leaf:
    """A column of the object's table; an enum's stored value is answered as its upper-case name."""

    column: str
    upper: bool = False


@dataclass(frozen=True, slots=True)
class Computed:
    """A value derived in SQL from the row (see `COMPUTED`)."""

    name: str


@dataclass(frozen=True, slots=True)
class GlobalId:
    pass


@dataclass(frozen=True, slots=True)
class Constant:
    value: str


@dataclass(frozen=True, slots=True)
class Cursor:
    pass


@dataclass(frozen=True, slots=True)
class TotalCount:
    pass


@dataclass(frozen=True, slots=True)
class ObjectShape:
    node: str
    """The node type, a key of `NODE_TABLES`."""
    parts: tuple[tuple[str, "Part"], ...]


@dataclass(frozen=True, slots=True)
class Reference:
    """The object whose id is in `column` of the parent's row, or null when hidden or missing."""

    column: str
    shape: ObjectShape


@dataclass(frozen=True, slots=True)
class Edges:
    parts: tuple[tuple[str, "ObjectShape | Cursor | Constant"], ...]


@dataclass(frozen=True, slots=True)
class PageInfoShape:
    parts: tuple[tuple[str, str], ...]
    """Response key and one of hasNextPage, hasPreviousPage, startCursor, endCursor,
    or `__typename`."""


@dataclass(frozen=True, slots=True)
class ListSpec:
    name: str
    """A key of `LISTS` or of `resolvers.relations.RELATIONS`."""
    filter: Any = None
    order: Any = None


@dataclass(frozen=True, slots=True)
class ListShape:
    """A connection: one page of a list, per parent when nested."""

    spec: ListSpec
    request: PageRequest
    node: str
    parts: tuple[tuple[str, "TotalCount | Edges | PageInfoShape | ObjectShape | Constant"], ...]
    """An `ObjectShape` part is the connection's `nodes`."""


@dataclass(frozen=True, slots=True)
class NodeRoot:
    """`node(id:)`: one object by key."""

    key: int
    shape: ObjectShape


Part = Leaf | Computed | GlobalId | Constant | Reference | ListShape
Root = NodeRoot | ListShape | SummaryRoot


@dataclass(frozen=True, slots=True)
class ListSource:
    """The visible rows of a list, their order, and the column that names their parent."""

    table: sa.Table
    statement: sa.Select[Any]
    order_by: OrderBy
    key: ColumnElement[Any] | None = None


def _organizations(ctx: Context, spec: ListSpec) -> ListSource:
    table = organization_reads.ORGANIZATION
    conditions = organization_reads.organization_conditions(spec.filter)
    return ListSource(
        table,
        narrowed(ctx.reader.select(table), conditions),
        organization_reads.organization_ordering(spec.order),
    )


def _units(ctx: Context, spec: ListSpec) -> ListSource:
    source = _organizations(ctx, spec)
    return ListSource(source.table, source.statement, source.order_by, source.table.c.parent_id)


def _agreements(ctx: Context, spec: ListSpec) -> ListSource:
    table = agreement_reads.AGREEMENT
    return ListSource(
        table,
        narrowed(ctx.reader.select(table), agreement_reads.agreement_conditions(spec.filter)),
        agreement_reads.agreement_ordering(spec.order),
    )


def _agreements_of_organizations(ctx: Context, spec: ListSpec) -> ListSource:
    table, party = agreement_reads.AGREEMENT, agreement_reads.PARTY
    statement = narrowed(
        agreement_reads.agreements_through_parties(ctx.viewer),
        agreement_reads.agreement_conditions(spec.filter, listed=party),
    )
    return ListSource(
        table, statement, agreement_reads.agreement_ordering(spec.order), party.c.organization_id
    )


def _alliances(ctx: Context, spec: ListSpec) -> ListSource:
    table = alliance_reads.ALLIANCE
    return ListSource(
        table,
        narrowed(ctx.reader.select(table), alliance_reads.alliance_conditions(spec.filter)),
        order_by_field(table, spec.order or alliance_reads.AllianceOrder()),
    )


def _memberships_of_alliances(ctx: Context, spec: ListSpec) -> ListSource:
    table = alliance_reads.MEMBERSHIP
    return ListSource(
        table,
        narrowed(ctx.reader.select(table), alliance_reads.membership_conditions(spec.filter)),
        alliance_reads.MEMBERSHIP_ORDER,
        table.c.alliance_id,
    )


LISTS: dict[str, Callable[[Context, ListSpec], ListSource]] = {
    "organizations": _organizations,
    "agreements": _agreements,
    "alliances": _alliances,
    "Organization.units": _units,
    "Organization.agreements": _agreements_of_organizations,
    "Alliance.memberships": _memberships_of_alliances,
}
"""The filtered lists; every list of `RELATIONS` (first and after only) is supported as well."""


def _source(ctx: Context, spec: ListSpec) -> ListSource:
    made = LISTS.get(spec.name)
    if made is not None:
        return made(ctx, spec)
    relation = RELATIONS[spec.name]
    table = NODE_TABLES[relation.node]
    statement = relation_statement(ctx, relation)
    if statement is None:
        statement = ctx.reader.select(table)
    return ListSource(table, statement, relation.order_by, relation.key)


def supports(list_name: str) -> bool:
    return list_name in LISTS or list_name in RELATIONS


def _agreement_status(table: sa.Table) -> ColumnElement[Any]:
    status = agreement_reads.effective_status(date.today())
    if table is not agreement_reads.AGREEMENT:
        raise ValueError(f"the agreement status is not a column of {table.name}")
    return sa.func.upper(status)


COMPUTED: dict[str, Callable[[sa.Table], ColumnElement[Any]]] = {
    "agreement_status": _agreement_status,
}


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


class _Statement:
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
                wanted[f"x_{part.name}"] = COMPUTED[part.name](table)
        return [value.label(label) for label, value in wanted.items()]

    def object(self, shape: ObjectShape, row: sa.Subquery) -> ColumnElement[Any]:
        values: list[ColumnElement[Any]] = []
        for key, part in shape.parts:
            values += [constant(key), self.value(shape, part, row)]
        return sa.func.json_build_object(*values)

    def value(self, shape: ObjectShape, part: Part, row: sa.Subquery) -> ColumnElement[Any]:
        if isinstance(part, Leaf):
            column = row.c[f"c_{part.column}"]
            return sa.func.upper(column) if part.upper else column
        if isinstance(part, Computed):
            return row.c[f"x_{part.name}"]
        if isinstance(part, GlobalId):
            return _global_id(shape.node, row.c.id)
        if isinstance(part, Constant):
            return constant(part.value)
        if isinstance(part, Reference):
            return self.reference(part, row)
        return self.connection(part, row)

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
        source = _source(self.ctx, shape.spec)
        statement = source.statement
        if parent is not None and source.key is not None:
            statement = statement.where(source.key == parent.c.id).correlate(parent)
        values: list[ColumnElement[Any]] = []
        for key, part in shape.parts:
            values.append(constant(key))
            if isinstance(part, TotalCount):
                values.append(self.total(statement))
            elif isinstance(part, Constant):
                values.append(constant(part.value))
            elif isinstance(part, PageInfoShape):
                values.append(self.page_info(part, statement, shape.request))
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
        node = part if isinstance(part, ObjectShape) else _edge_node(part)
        ordering = [*source.order_by, source.table.c.id]
        columns = self.columns(node, source.table) if node else [source.table.c.id.label("id")]
        rows = (
            statement.with_only_columns(
                *columns,
                sa.func.row_number().over(order_by=ordering).label("_rn"),
                maintain_column_froms=True,
            )
            .order_by(*ordering)
            .limit(shape.request.first)
            .offset(shape.request.offset)
            .subquery(self.name())
        )
        if isinstance(part, ObjectShape):
            item = self.object(part, rows)
        else:
            values: list[ColumnElement[Any]] = []
            for key, edge_part in part.parts:
                values.append(constant(key))
                if isinstance(edge_part, ObjectShape):
                    values.append(self.object(edge_part, rows))
                elif isinstance(edge_part, Cursor):
                    values.append(_cursor(rows.c._rn - 1))
                else:
                    values.append(constant(edge_part.value))
            item = sa.func.json_build_object(*values)
        aggregated = sa.func.json_agg(aggregate_order_by(item, rows.c._rn))
        return (
            sa.select(sa.func.coalesce(aggregated, EMPTY_ARRAY)).select_from(rows).scalar_subquery()
        )

    def page_info(
        self, part: PageInfoShape, statement: sa.Select[Any], request: PageRequest
    ) -> ColumnElement[Any]:
        """`resolvers.paging.Page`'s flags and the first and last cursors, from the total."""
        first, offset = request.first, request.offset
        values: list[ColumnElement[Any]] = []
        for key, name in part.parts:
            values.append(constant(key))
            if name == "hasPreviousPage":
                values.append(sa.true() if offset > 0 else sa.false())
            elif name == "hasNextPage":
                values.append(self.total(statement) > offset + first)
            elif name in ("startCursor", "endCursor"):
                total = self.total(statement)
                last = (
                    sa.literal(offset)
                    if name == "startCursor"
                    else sa.func.least(total, offset + first) - 1
                )
                present = sa.and_(total > offset, sa.literal(first > 0))
                values.append(sa.case((present, _cursor(last)), else_=sa.null()))
            else:
                values.append(constant(name))
        return sa.func.json_build_object(*values)

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


def _edge_node(edges: Edges) -> ObjectShape | None:
    for _, part in edges.parts:
        if isinstance(part, ObjectShape):
            return part
    return None


@dataclass(frozen=True, slots=True)
class _Written:
    sql: str
    parameters: tuple[Any, ...]
    seen_at: tuple[int, ...]
    """Where the parameters take the counter value the caller's kept token was read at."""

    def bound(self, seen: int | None) -> tuple[Any, ...]:
        if not self.seen_at:
            return self.parameters
        values = list(self.parameters)
        for index in self.seen_at:
            values[index] = seen
        return tuple(values)


_sql_cache: Bounded[Hashable, _Written] = Bounded(512)
"""Statements already written, by their shapes, viewer and day: building and compiling the
secretariat's statement costs about 10 ms of Python, running it a few."""

_SEEN = "access_version_seen"


def _sql(ctx: Context, roots: Sequence[Root], shapes: Hashable, *, checked: bool) -> _Written:
    """The statement; `checked` puts the access change counter first and makes every root
    conditional on its being the value the caller's kept token was read at, so that a stale
    token's statement returns the counter alone (PostgreSQL evaluates the roots, uncorrelated
    subqueries, only when the condition holds: `EXPLAIN ANALYZE` says "never executed")."""
    key = (shapes, ctx.viewer, date.today(), checked)
    found = _sql_cache.get(key)
    if found is not None:
        return found
    builder = _Statement(ctx)
    columns: list[ColumnElement[Any]] = [sa.cast(builder.root(root), sa.Text) for root in roots]
    if checked:
        current = access_version()
        unchanged = current == sa.bindparam(_SEEN, 0, type_=sa.BigInteger)  # set per request
        columns = [current, *(sa.case((unchanged, column)) for column in columns)]
    statement = sa.select(*(column.label(f"f{i}") for i, column in enumerate(columns)))
    compiled = statement.compile(
        dialect=ctx.engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    values = compiled.construct_params()
    names = compiled.positiontup or []
    made = _Written(
        compiled.string,
        tuple(values[name] for name in names),
        tuple(i for i, name in enumerate(names) if name == _SEEN),
    )
    return _sql_cache.put(key, made)


async def answer(
    ctx: Context, roots: Sequence[Root], shapes: Hashable
) -> list[orjson.Fragment | None]:
    """The JSON of each root, from one statement, as the text PostgreSQL wrote: an
    `orjson.Fragment` goes into the response as it is, never parsed into Python objects and
    encoded again (130 KB for the secretariat).

    `shapes` names `roots` by value in the cache of written statements (the planner makes it
    once per plan: a `repr` of the shapes on every request was 3.6% of the portal's time).

    For a viewer this worker kept (`ctx.access_version` set) the statement also reads the
    access change counter, in the same snapshot, and answers only if it has not moved since;
    `StaleAccess` if it has."""
    checked = ctx.access_version is not None
    written = _sql(ctx, roots, shapes, checked=checked)
    summaries = any(isinstance(root, SummaryRoot) for root in roots)
    engine = ctx.engine if summaries else reads_engine(ctx.engine)
    async with engine.connect() as connection:
        if summaries:  # in a transaction, for the report settings to hold
            await tune_for_reports(connection)
        parameters = written.bound(ctx.access_version)
        row = (await connection.exec_driver_sql(written.sql, parameters)).one()
    if checked and row[0] != ctx.access_version:
        raise StaleAccess
    values = row[1:] if checked else row
    return [None if value is None else orjson.Fragment(value) for value in values]
