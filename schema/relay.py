"""Relay plumbing: the `Node` interface, generic connections, and wrapping rows as types.

Connections are our own small generic types rather than strawberry's `ListConnection`,
which slices a Python list: ours are cut in SQL (see `resolvers.paging`), and one batch
serves the same page of a nested list for every parent.
"""

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Generic, Self, TypeVar

import strawberry
from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)
from sqlalchemy.engine import RowMapping

from resolvers.context import Context
from resolvers.ids import encode_id
from resolvers.modified import MODIFIED_SINCE
from resolvers.nodes import row_of
from resolvers.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    PageRequest,
    page_request,
)
from resolvers.references import require_references
from resolvers.relations import related_page
from schema.node_types import register

__all__ = [
    "Connection",
    "Edge",
    "Info",
    "Node",
    "PageInfo",
    "connection",
    "describe_modified_since",
    "describe_paging_arguments",
    "fetch",
    "list_request",
    "related",
]

Info = strawberry.Info[Context, None]
N = TypeVar("N")
T = TypeVar("T", bound="Node")


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
    updated_at: datetime = strawberry.field(
        description="When the record last changed (ISO date-time, UTC): every write moves it; "
        "list filters take `modifiedSince` to find what changed after a time."
    )

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


@strawberry.type(description="Where a page lies in its list, and the cursors to page on.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether objects follow this page: ask again with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether objects come before this page (it was asked for with `after`)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first object; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last object, to pass as `after` for the next "
        "page; null when the page is empty."
    )


@strawberry.type(description="One object of a list, with its cursor.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(
        description="An opaque position in the list: pass it as `after` to page on from here."
    )
    node: N = strawberry.field(description="The object itself.")


@strawberry.type(
    description="A page of a list, with the total count of the whole list. Lists show only "
    "what the caller may see (see the roles in the API's access rules), and so do their counts."
)
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(
        description="The objects of this page in the list's order, each with its cursor."
    )
    page_info: PageInfo = strawberry.field(description="Where this page lies in the list.")
    total_count: int = strawberry.field(
        description="How many objects the whole list holds (every page, filters applied), "
        "counting only those the caller may see."
    )

    @strawberry.field(description="The objects of this page, without their cursors.")
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def connection(page: Page, wrap: Callable[[RowMapping], N]) -> Connection[N]:
    """A connection over a page of rows, each wrapped as its GraphQL type."""
    edges = [Edge(cursor=page.cursor(i), node=wrap(row)) for i, row in enumerate(page.rows)]
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


PAGING_ARGUMENTS = {
    "first": f"How many objects to answer, from 0 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} when "
    f"neither `first` nor `last` is given. More than {MAX_PAGE_SIZE} is refused with "
    "`PAGE_SIZE_TOO_LARGE`.",
    "after": "Answer the objects after this cursor (an `endCursor` or edge `cursor` from the "
    "same list); from the start when left out.",
    "last": f"How many of the last objects to answer (those just before `before`, or at the end "
    f"of the list), from 0 to {MAX_PAGE_SIZE}; with `first`, the last of those first ones. More "
    f"than {MAX_PAGE_SIZE} is refused with `PAGE_SIZE_TOO_LARGE`.",
    "before": "Answer the objects before this cursor (a `startCursor` or edge `cursor` from the "
    f"same list), to page backwards; alone, the {DEFAULT_PAGE_SIZE} objects just before it.",
}
"""What the paging arguments of every connection mean, written once for all of them."""


def describe_modified_since(schema: GraphQLSchema) -> None:
    """Gives `modifiedSince`, which every list filter inherits (`resolvers.modified`), its
    description, written once."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInputObjectType) and "modifiedSince" in named.fields:
            found = named.fields["modifiedSince"]
            found.description = found.description or MODIFIED_SINCE


def describe_paging_arguments(schema: GraphQLSchema) -> None:
    """Gives the paging arguments of every field that answers a connection their description,
    where the field does not give one (most are declared by `list_of`, which gives none)."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field in named.fields.values():
            answer = get_named_type(field.type)
            if not isinstance(answer, GraphQLObjectType) or "pageInfo" not in answer.fields:
                continue
            for name, argument in field.args.items():
                if argument.description is None and name in PAGING_ARGUMENTS:
                    argument.description = PAGING_ARGUMENTS[name]
