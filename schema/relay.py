"""Relay plumbing: the `Node` interface, generic connections, and wrapping rows as types.

Connections are our own small generic types rather than strawberry's `ListConnection`,
which slices a Python list: ours are cut in SQL (see `resolvers.paging`), and one batch
serves the same page of a nested list for every parent.
"""

import dataclasses
from collections.abc import Callable
from typing import Annotated, Generic, Self, TypeVar

import strawberry
from sqlalchemy.engine import RowMapping

from resolvers.context import Context
from resolvers.ids import encode_id
from resolvers.nodes import row_of
from resolvers.paging import Page, PageRequest, cursor_at, page_request
from resolvers.references import require_references
from resolvers.relations import related_page
from schema.node_types import register

__all__ = [
    "Before",
    "Connection",
    "Edge",
    "Info",
    "Last",
    "Node",
    "PageInfo",
    "connection",
    "fetch",
    "list_request",
    "related",
]

Info = strawberry.Info[Context, None]
N = TypeVar("N")
T = TypeVar("T", bound="Node")


Last = Annotated[
    int | None,
    strawberry.argument(
        description="How many, counted back from `before` (or the end), at most 100."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(
        description="The cursor of the object just after the page, to page backwards."
    ),
]


_INIT_FIELDS: dict[type, tuple[str, ...]] = {}


def _init_fields(cls: type) -> tuple[str, ...]:
    """The constructor fields of a node type besides `pk` (computed once per type)."""
    found = _INIT_FIELDS.get(cls)
    if found is None:
        fields = dataclasses.fields(cls)
        found = _INIT_FIELDS[cls] = tuple(f.name for f in fields if f.init and f.name != "pk")
    return found


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)`.")
class Node:
    pk: strawberry.Private[int]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        register(cls)

    @strawberry.field(description="The opaque global ID of this object.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(type(self).__name__, self.pk))

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        """This type over a row whose columns carry the same names as its fields."""
        return cls(pk=row["id"], **{name: row[name] for name in _init_fields(cls)})

    @classmethod
    def from_optional(cls, row: RowMapping | None) -> Self | None:
        return None if row is None else cls.from_row(row)


@strawberry.type(description="Where a page lies in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="One object of a list, with its cursor.")
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type(description="A page of a list, with the total count of the whole list.")
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    total_count: int

    @strawberry.field(description="The objects of this page, without their cursors.")
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def connection(page: Page, wrap: Callable[[RowMapping], N]) -> Connection[N]:
    """A connection over a page of rows, each wrapped as its GraphQL type."""
    edges = [
        Edge(cursor=cursor_at(page.offset + i), node=wrap(row)) for i, row in enumerate(page.rows)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )


async def related(
    info: Info,
    relation: str,
    parent_id: int,
    wrap: Callable[[RowMapping], N],
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> Connection[N]:
    """A nested list declared in `resolvers.relations`, as a connection."""
    request = page_request(first, after, last, before)
    page = await related_page(info.context, relation, parent_id, request)
    return connection(page, wrap)


async def fetch(info: Info, cls: type[T], key: int | None) -> T | None:
    """The visible object of type `cls` with this key (batched per request), or `None`."""
    return cls.from_optional(await row_of(info.context, cls.__name__, key))


async def list_request(
    info: Info,
    first: int | None,
    after: str | None,
    filter: object = None,
    *,
    last: int | None = None,
    before: str | None = None,
) -> PageRequest:
    """The page a filtered list asks for, once its arguments are known to be valid."""
    request = page_request(first, after, last, before)
    await require_references(info.context, filter)
    return request
