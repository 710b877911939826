"""The shapes of a compiled read: what the planner (`schema.compiled.planner`) makes of a
selection and the statement writer (`resolvers.compiled.statement`) turns into SQL.

Shapes are frozen values: their `repr` names a plan in the cache of written statements.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from resolvers.compiled.summaries import SummaryRoot
from resolvers.context import Context
from resolvers.paging import OrderBy, PageRequest

__all__ = [
    "PAGE_INFO_FIELDS",
    "Computed",
    "Constant",
    "Cursor",
    "Edges",
    "Expression",
    "GlobalId",
    "Leaf",
    "ListMaker",
    "ListShape",
    "ListSource",
    "ListSpec",
    "Localized",
    "NodeRoot",
    "ObjectShape",
    "PageInfoShape",
    "Part",
    "Reference",
    "Root",
    "TotalCount",
]


@dataclass(frozen=True, slots=True)
class Expression:
    """A value derived in SQL from a row of `table`, named for the plan's text."""

    name: str
    make: Callable[[sa.Table], ColumnElement[Any]] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ListSource:
    """The visible rows of a list, their order, and the column that names their parent."""

    table: sa.Table
    statement: sa.Select[Any]
    order_by: OrderBy
    key: ColumnElement[Any] | None = None
    total: Callable[[ColumnElement[Any], ColumnElement[Any]], ColumnElement[Any]] | None = None
    """A nested list's total from its parent's key and the counting subquery, where the
    database keeps it (`resolvers.agreements.kept_total`); `None`: counted."""


@dataclass(frozen=True, slots=True)
class ListMaker:
    """How the rows of one list are read (`resolvers.compiled.lists`), named for the plan's text."""

    name: str
    make: Callable[[Context, "ListSpec"], ListSource] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Leaf:
    """A column of the object's table; an enum's stored value is answered as its upper-case name."""

    column: str
    upper: bool = False
    moment: bool = False
    """A DateTime, written as Python's `isoformat` of it."""


@dataclass(frozen=True, slots=True)
class Localized:
    """A name field along its language chain (`resolvers.names.picked_name`): `lang` as asked
    for in the document, else the request's `Accept-Language` when the statement is written."""

    type_name: str
    field: str
    column: str
    local_column: str | None
    lang: str | None


@dataclass(frozen=True, slots=True)
class Computed:
    """A value derived in SQL from the row."""

    expression: "Expression"


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
    """The node type, a key of `resolvers.nodes.NODE_TABLES`."""
    parts: tuple[tuple[str, "Part"], ...]


@dataclass(frozen=True, slots=True)
class Reference:
    """The object whose id is in `column` of the parent's row, or null when hidden or missing."""

    column: str
    shape: ObjectShape


@dataclass(frozen=True, slots=True)
class Edges:
    parts: tuple[tuple[str, "ObjectShape | Cursor | Constant"], ...]


PAGE_INFO_FIELDS = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})
"""The fields of `PageInfo` the statement writes."""


@dataclass(frozen=True, slots=True)
class PageInfoShape:
    parts: tuple[tuple[str, str], ...]
    """Response key and one of hasNextPage, hasPreviousPage, startCursor, endCursor,
    or `__typename`."""


@dataclass(frozen=True, slots=True)
class ListSpec:
    source: "ListMaker"
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


Part = Leaf | Localized | Computed | GlobalId | Constant | Reference | ListShape
Root = NodeRoot | ListShape | SummaryRoot
