"""How a field reads in SQL, said at the field: the compiled road's knowledge of the schema.

A field of a node type is compiled when it is

- a plain column: no resolver, and its python name is a column of the type's table (inferred,
  nothing to declare); an enum, a scalar PostgreSQL's JSON writes as GraphQL does, or a DateTime;
- a computed value: `strawberry.field(metadata=computed(lists.AGREEMENT_STATUS))`, an expression
  of `resolvers.compiled.lists` giving in SQL what the field's resolver gives in Python;
- a reference to another node whose key is in a column: `referenced("Agreement", "parent_id")`
  makes the resolver and declares it;
- a name field in every language: `localized_field("Organization", "name")` makes the
  resolver (the `lang:` argument, `resolvers.names.localized`) and declares it;
- a child list (a connection): `list_of("Agreement.programs", "Program")` for a relation of
  `resolvers.relations.RELATIONS` makes the resolver and declares it; a list with filters keeps
  its own resolver and says `metadata=child_list(lists.UNITS)`.

The planner (`schema.compiled.planner`) reads these declarations; any other field sends its root
field down the ordinary road, and tests/schema/test_compiled_fields.py says which fields may.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from resolvers.compiled.lists import relation
from resolvers.compiled.shapes import Expression, ListMaker
from resolvers.languages import language_tag
from resolvers.names import LOCAL_COLUMNS, chain_for, localized
from resolvers.nodes import row_of
from schema.limits import CHECKS
from schema.node_types import REGISTERED, lazy
from schema.relay import Connection, Info, related

__all__ = [
    "COMPILED",
    "ComputedRead",
    "ListRead",
    "LocalizedRead",
    "ReferenceRead",
    "child_list",
    "computed",
    "declared",
    "list_of",
    "localized_field",
    "referenced",
]

COMPILED = "compiled"
"""The key of a field's metadata that holds its declaration."""


@dataclass(frozen=True, slots=True)
class ComputedRead:
    expression: Expression


@dataclass(frozen=True, slots=True)
class ReferenceRead:
    column: str
    """The column of the field's object that holds the referenced node's key."""


@dataclass(frozen=True, slots=True)
class ListRead:
    source: ListMaker


@dataclass(frozen=True, slots=True)
class LocalizedRead:
    type_name: str
    field: str
    """The name field (`resolvers.names`), also the column holding its stored value."""
    local_column: str | None


Declaration = ComputedRead | ReferenceRead | ListRead | LocalizedRead


def declared(field: StrawberryField) -> Declaration | None:
    metadata: Mapping[str, Any] = field.metadata or {}
    found = metadata.get(COMPILED)
    return (
        found
        if isinstance(found, ComputedRead | ReferenceRead | ListRead | LocalizedRead)
        else None
    )


def computed(expression: Expression) -> dict[str, Any]:
    """Field metadata: the field's value is `expression` of its object's row."""
    return {COMPILED: ComputedRead(expression)}


def child_list(source: ListMaker) -> dict[str, Any]:
    """Field metadata: the field is a connection over the rows `source` reads."""
    return {COMPILED: ListRead(source)}


def referenced(target: str, column: str, *, description: str | None = None) -> Any:
    """A nullable field: the visible node of type `target` whose key is in `column` of this
    object (a `strawberry.Private` attribute), fetched in a batch per request."""

    async def resolve(self: Any, info: Info) -> Any:
        row = await row_of(info.context, target, getattr(self, column))
        return None if row is None else REGISTERED[target].from_row(row)  # type: ignore[attr-defined]

    resolve.__annotations__["return"] = lazy(target) | None
    return _field(resolve, description, {COMPILED: ReferenceRead(column)})


def list_of(relation_name: str, target: str, *, description: str | None = None) -> Any:
    """A connection field over the relation `relation_name` of `resolvers.relations`, whose
    rows are nodes of type `target`; paged with `first`/`after` and `last`/`before`, batched
    per parent."""

    async def resolve(
        self: Any,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Any:
        wrap = REGISTERED[target].from_row  # type: ignore[attr-defined]
        return await related(
            info, relation_name, self.pk, wrap, first=first, after=after, last=last, before=before
        )

    resolve.__annotations__["return"] = Connection[lazy(target)]  # type: ignore[misc]
    return _field(resolve, description, child_list(relation(relation_name)))


_LANG = (
    "The language wanted, as a BCP 47 tag (`zh`, `zh-Hant`, `en`); the request's "
    "`Accept-Language` when not given. Falls back to the record's local name, then to the "
    "stored name; with no language asked for at all, the stored name."
)


def localized_field(type_name: str, field: str, *, description: str, nullable: bool = False) -> Any:
    """A name field of `type_name` that takes `lang:` (`resolvers.names`); its stored value
    is the object's attribute `field` (a `strawberry.Private` column)."""
    local_column = LOCAL_COLUMNS.get((type_name, field))

    async def resolve(
        self: Any,
        info: Info,
        lang: Annotated[str | None, strawberry.argument(description=_LANG)] = None,
    ) -> Any:
        local = None if local_column is None else getattr(self, local_column)
        chain = chain_for(info.context, lang)
        stored = getattr(self, field)
        return await localized(info.context, type_name, self.pk, field, chain, stored, local)

    resolve.__annotations__["return"] = str | None if nullable else str
    metadata = {
        COMPILED: LocalizedRead(type_name, field, local_column),
        CHECKS: {"lang": _check_lang},
    }
    return strawberry.field(
        resolver=resolve, name=to_camel_case(field), description=description, metadata=metadata
    )


def _check_lang(value: str | None) -> str | None:
    return None if value is None else language_tag(value)


def _field(resolve: Callable[..., Any], description: str | None, metadata: dict[str, Any]) -> Any:
    return strawberry.field(resolver=resolve, description=description, metadata=metadata)
