"""`createX`, `updateX` and `deleteX` for every entity of `resolvers.entity_writes.ENTITIES`,
generated from the tables so that inputs, columns and checks cannot drift apart.

An input field is a column: a reference column `parent_id` becomes `parent: ID` (a global ID),
a text column checked against an enum becomes that enum, anything else keeps its Python type.
It is described as the node type's field of the same name is (`_COLUMN_DOCS` where there is
none), so the docs of a field and of the input that sets it cannot drift apart either; what a
field's description says after "; null ..." is about answers, and an input leaves it out.
`create` inputs require what the table requires; `update` inputs change only the fields given
(an explicit `null` clears a field) and carry the `version` read; `delete` inputs carry it too.
"""

import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from db.base import enum_of
from resolvers import entity_writes as writes
from resolvers.errors import BadUserInput
from resolvers.ids import decode_id_of
from resolvers.permissions import ANYONE
from schema import (  # noqa: F401  (defines the node types looked up below)
    activities,
    agreements,
    alliances,
    approvals,
    credits,
    evaluations,
    funding,
    indicators,
    organizations,
    people,
    programs,
    recognition,
    resources,
)
from schema.field_docs import describe, described
from schema.mutations import UserError, run_mutation
from schema.relay import Info, Node
from schema.wording import IN_LANGUAGE

__all__ = ["EntityMutation"]

_SKIPPED = {"id", "created_at", "updated_at", "version", "source"}
"""Columns no input sets: keys, stamps, and `source`, which only the registry loaders set."""


def _node_type(name: str) -> type[Node]:
    pending = list(Node.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls.__name__ == name:
            return cls
        pending.extend(cls.__subclasses__())
    raise LookupError(name)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


class _Column:
    """One settable column and how it looks in GraphQL."""

    def __init__(self, entity: writes.Entity, column: str) -> None:
        model_field = entity.model.model_fields[column]
        self.column = column
        self.reference = entity.references.get(column)
        self.name = column.removesuffix("_id") if self.reference else column
        self.required = model_field.is_required()
        enum = enum_of(entity.table, column)
        base: Any
        if self.reference:
            base = strawberry.ID
        elif enum is not None:
            base = enum
        else:
            base = _strip_optional(model_field.annotation)
        self.base = base
        self.default = model_field.default

    def value(self, given: Any) -> Any:
        if given is None:
            return None
        if self.reference:
            return decode_id_of(given, self.reference, field=self.name)
        if isinstance(given, Enum):
            return given.value
        return given


def _strip_optional(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return inner[0]
    return annotation


def _columns(entity: writes.Entity) -> list[_Column]:
    return [
        _Column(entity, c.name)
        for c in entity.table.columns
        if c.name not in _SKIPPED
        and c.name not in entity.hidden
        and c.name in entity.model.model_fields
    ]


_COLUMN_DOCS = {
    ("Funding", "amount"): "The amount granted, in `currency` (e.g. 50000.00).",
    ("Funding", "currency"): "The currency of `amount`: an ISO 4217 code in capitals (`CNY`).",
    ("Document", "uploaded_at"): "When the document was uploaded; now when left out.",
}
"""Descriptions of the columns whose node type shows them otherwise (or not at all)."""

_VERSION_DOC = (
    "The `version` you read. If the record has changed since, nothing changes and the answer "
    "is a `STALE_VERSION` user error: read it again."
)


def _column_doc(entity_name: str, column: _Column) -> str | None:
    fixed = _COLUMN_DOCS.get((entity_name, column.name))
    if fixed is not None:
        return fixed
    fields = get_object_definition(_node_type(entity_name), strict=True).fields
    graphql_name = to_camel_case(column.name)
    description = next(
        (
            f.description
            for f in fields
            if f.python_name == column.name or (f.graphql_name or "") == graphql_name
        ),
        None,
    )
    if description is None:
        return None
    description = description.removesuffix(IN_LANGUAGE)
    said, _, answers = description.partition("; null ")
    if answers:
        said += "."
    if column.reference is not None:
        said += f" Given as the {column.reference}'s global ID."
    return said


def _column_docs(entity_name: str, columns: list[_Column]) -> dict[str, str]:
    found = {c.name: _column_doc(entity_name, c) for c in columns}
    return {name: doc for name, doc in found.items() if doc is not None}


def _input(
    name: str,
    fields: dict[str, tuple[Any, Any]],
    description: str,
    field_docs: dict[str, str],
) -> type:
    annotations = {key: annotation for key, (annotation, _) in fields.items()}
    defaults = {key: default for key, (_, default) in fields.items() if default is not _REQUIRED}
    cls = strawberry.input(
        type(name, (), {"__annotations__": annotations, **defaults}), description=description
    )
    described(cls, field_docs)
    return cls


_REQUIRED = object()


def _create_fields(columns: list[_Column]) -> dict[str, tuple[Any, Any]]:
    fields: dict[str, tuple[Any, Any]] = {}
    for column in sorted(columns, key=lambda c: not c.required):
        if column.required:
            fields[column.name] = (column.base, _REQUIRED)
        else:
            default = column.default
            if (
                isinstance(default, str)
                and issubclass(type(column.base), type)
                and issubclass(column.base, Enum)
            ):
                default = column.base(default)
            fields[column.name] = (column.base | None, default)
    return fields


def _first_owner(entity: writes.Entity) -> tuple[writes.Entity, list[_Column]] | None:
    """The row that owns a new person, program or activity, and its settable columns."""
    first = entity.record.first_owner
    if first is None:
        return None
    link = writes.BY_NAME[first.type_name]
    return link, [c for c in _columns(link) if c.column != first.via]


def _create_input(entity: writes.Entity, columns: list[_Column]) -> type:
    fields = _create_fields(columns)
    found = _first_owner(entity)
    first = entity.record.first_owner
    if found is not None and first is not None:
        link, link_columns = found
        owner_input = _input(
            f"First{link.name}Input",
            _create_fields(link_columns),
            f"The {link.name} that makes the new {entity.name} owned by an organization.",
            _column_docs(link.name, link_columns),
        )
        fields[first.field] = (owner_input | None, None)
    docs = _column_docs(entity.name, columns)
    if first is not None:
        docs[first.field] = (
            f"The new {entity.name}'s first {first.field}, at an organization "
            f"the caller edits: without it, a caller other than an admin would make a "
            f"{entity.name} that no organization it edits owns, which is refused."
        )
    return _input(f"Create{entity.name}Input", fields, f"A new {entity.name}.", docs)


def _update_input(entity: writes.Entity, columns: list[_Column]) -> type:
    fields: dict[str, tuple[Any, Any]] = {
        "id": (strawberry.ID, _REQUIRED),
    }
    if "version" in entity.table.c:
        fields["version"] = (int, _REQUIRED)
    for column in columns:
        fields[column.name] = (column.base | None, strawberry.UNSET)
    docs = {"id": f"The {entity.name} to change (its global ID)."}
    if "version" in fields:
        docs["version"] = _VERSION_DOC
    return _input(
        f"Update{entity.name}Input",
        fields,
        f"Changes to a {entity.name}: only the fields given change; `null` clears one.",
        docs | _column_docs(entity.name, columns),
    )


def _delete_input(entity: writes.Entity) -> type:
    fields: dict[str, tuple[Any, Any]] = {"id": (strawberry.ID, _REQUIRED)}
    if "version" in entity.table.c:
        fields["version"] = (int, _REQUIRED)
    docs = {"id": f"The {entity.name} to delete (its global ID)."}
    if "version" in fields:
        docs["version"] = _VERSION_DOC
    return _input(f"Delete{entity.name}Input", fields, f"The {entity.name} to delete.", docs)


_USER_ERRORS_DOC = "Why nothing changed; empty when the mutation succeeded."


def _payload(entity: writes.Entity, node: type[Node]) -> type:
    key = _snake(entity.name)
    cls = type(
        f"{entity.name}Payload",
        (),
        {
            "__annotations__": {key: node | None, "user_errors": list[UserError]},
            key: strawberry.field(
                default=None,
                description=f"The {entity.name} as written; null when `userErrors` says why "
                "nothing was.",
            ),
            "user_errors": strawberry.field(default_factory=list, description=_USER_ERRORS_DOC),
        },
    )
    return strawberry.type(
        cls, description=f"What `create{entity.name}` or `update{entity.name}` did."
    )


@describe(
    deleted_id="The global ID of the deleted record; null when `userErrors` says why it was not.",
    user_errors=_USER_ERRORS_DOC,
)
@strawberry.type(description="What a `delete...` mutation did.")
class DeletedPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


_INPUT_DOCS = {
    "create": "The new {}'s fields.",
    "change": "Which {} to change (with the version read) and the fields to change.",
    "delete": "Which {} to delete.",
}


def _resolver(
    entity: writes.Entity,
    input_type: type,
    payload: type,
    work: Callable[[AsyncConnection, Info, Any], Any],
    verb: str,
) -> Callable[..., Any]:
    async def resolve(info: Info, input: Any) -> Any:
        async def run(connection: AsyncConnection) -> Any:
            return await work(connection, info, input)

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=run,
            payload=payload,
            name=f"{verb} {entity.name} records",
        )

    described_input = Annotated[
        input_type,  # type: ignore[valid-type]
        strawberry.argument(description=_INPUT_DOCS[verb].format(entity.name)),
    ]
    resolve.__annotations__ = {"info": Info, "input": described_input, "return": payload}
    return resolve


def _mutations(entity: writes.Entity) -> dict[str, Any]:
    node = _node_type(entity.name)
    columns = _columns(entity)
    by_name = {c.name: c for c in columns}
    create_input = _create_input(entity, columns)
    update_input = _update_input(entity, columns)
    delete_input = _delete_input(entity)
    payload = _payload(entity, node)
    key = _snake(entity.name)

    def values_of(given: Any, *, partial: bool) -> dict[str, Any]:
        found = {}
        for name, column in by_name.items():
            value = getattr(given, name)
            if partial and value is strawberry.UNSET:
                continue
            if value is None and column.required:
                raise BadUserInput(f"{name} cannot be null", field=name)
            found[column.column] = column.value(value)
        return found

    first = entity.record.first_owner
    owner_link = _first_owner(entity)
    link_columns = {c.name: c for c in owner_link[1]} if owner_link is not None else {}

    def first_owner_of(given: Any) -> dict[str, Any] | None:
        owner = getattr(given, first.field, None) if first is not None else None
        if owner is None:
            return None
        return {c.column: c.value(getattr(owner, name)) for name, c in link_columns.items()}

    async def create(connection: AsyncConnection, info: Info, given: Any) -> Any:
        row = await writes.create(
            connection,
            info.context.viewer,
            entity,
            values_of(given, partial=False),
            first_owner_of(given),
        )
        return payload(**{key: node.from_row(row)})

    async def update(connection: AsyncConnection, info: Info, given: Any) -> Any:
        row = await writes.update(
            connection,
            info.context.viewer,
            entity,
            decode_id_of(given.id, entity.name, field="id"),
            given.version,
            values_of(given, partial=True),
        )
        return payload(**{key: node.from_row(row)})

    async def delete(connection: AsyncConnection, info: Info, given: Any) -> Any:
        await writes.delete(
            connection,
            info.context.viewer,
            entity,
            decode_id_of(given.id, entity.name, field="id"),
            getattr(given, "version", None),
        )
        return DeletedPayload(deleted_id=given.id)

    found = {
        f"create_{key}": strawberry.mutation(
            resolver=_resolver(entity, create_input, payload, create, "create"),
            description=f"Create a {entity.name}.",
        ),
    }
    if "version" in entity.table.c:
        found[f"update_{key}"] = strawberry.mutation(
            resolver=_resolver(entity, update_input, payload, update, "change"),
            description=f"Change a {entity.name} (send the version you read).",
        )
    if entity.deletable:
        found[f"delete_{key}"] = strawberry.mutation(
            resolver=_resolver(entity, delete_input, DeletedPayload, delete, "delete"),
            description=f"Delete a {entity.name} (refused while others refer to it).",
        )
    return found


EntityMutation = strawberry.type(
    type(
        "EntityMutation",
        (),
        {name: field for entity in writes.ENTITIES for name, field in _mutations(entity).items()},
    )
)
