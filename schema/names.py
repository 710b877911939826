"""Names in every language: the `LocalizedName` type, the `names` list of every named type, and
the mutations that set and remove a name (`resolvers.names`)."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db.tables.names import NAMED
from resolvers import names as reads
from resolvers.errors import BadUserInput
from resolvers.ids import decode_id
from resolvers.permissions import ANYONE
from schema.enums import NameField
from schema.mutations import UserError, run_mutation
from schema.node_types import REGISTERED
from schema.relay import Info, Node
from schema.wording import USER_ERRORS

__all__ = ["LocalizedName", "NameMutation", "names_field"]


@strawberry.type(description="A name, short name or title of a record in one language.")
class LocalizedName:
    field: NameField = strawberry.field(description="Which name field this is a value of.")
    lang: str = strawberry.field(
        description="Its language, as a standard BCP 47 tag (`zh`, `zh-Hant`, `en`)."
    )
    value: str = strawberry.field(description="The name as written in that language.")
    local: bool = strawberry.field(
        description="Whether this is the record's name in its own local language (the "
        "fallback when a language asked for is not kept)."
    )

    @classmethod
    def of(cls, field: str, lang: str, value: str, is_local: bool) -> "LocalizedName":
        return cls(field=NameField(field), lang=lang, value=value, local=is_local)


def names_field(type_name: str) -> Any:
    """The `names` field of a named type: every kept name, in the order they were recorded."""

    async def resolve(
        self: Any,
        info: Info,
        field: Annotated[
            NameField | None,
            strawberry.argument(description="Only the names of this field; all when not given."),
        ] = None,
    ) -> list[LocalizedName]:
        found = await reads.names_of(info.context, type_name).load(self.pk)
        return [
            LocalizedName.of(n.field, n.lang, n.value, n.is_local)
            for n in found
            if field is None or n.field == field.value
        ]

    return strawberry.field(
        resolver=resolve,
        description="Its names in every language kept (name, short name or title), oldest "
        "first; each name field answers one of them with `lang:`.",
    )


@strawberry.input(description="A name of a record in one language, to set.")
class SetLocalizedNameInput:
    id: strawberry.ID = strawberry.field(
        description="The organization, alliance, program, course or agreement named."
    )
    lang: str = strawberry.field(description="The language, as a BCP 47 tag (`zh`, `fr-CA`).")
    value: str = strawberry.field(description="The name as written in that language.")
    field: NameField = strawberry.field(
        default=NameField.NAME, description="Which name field; `NAME` when not given."
    )
    local: bool = strawberry.field(
        default=False,
        description="Marks it the record's local name (and copies it to `localName` or "
        "`localTitle`), unmarking any other.",
    )


@strawberry.input(description="A name of a record in one language, to remove.")
class RemoveLocalizedNameInput:
    id: strawberry.ID = strawberry.field(
        description="The organization, alliance, program, course or agreement named."
    )
    lang: str = strawberry.field(description="The language of the name to remove (BCP 47).")
    field: NameField = strawberry.field(
        default=NameField.NAME, description="Which name field; `NAME` when not given."
    )


@strawberry.type(description="What a name mutation answers: the name and the record it names.")
class LocalizedNamePayload:
    name: LocalizedName | None = strawberry.field(
        default=None,
        description="The name set (or removed); null when `userErrors` is not empty.",
    )
    node: Node | None = strawberry.field(
        default=None, description="The record named, as it now is."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


def _target(global_id: strawberry.ID) -> tuple[str, int]:
    type_name, key = decode_id(global_id)
    if type_name not in NAMED:
        raise BadUserInput(
            f"names in other languages are kept for {', '.join(NAMED)} only", field="id"
        )
    return type_name, key


NameWrite = Callable[[AsyncConnection, str, int], Awaitable[RowMapping]]
"""A name write on the record `(type_name, key)`, answering the name row it set or removed."""


async def _name_mutation(
    info: Info, record: strawberry.ID, write: NameWrite
) -> LocalizedNamePayload:
    """`write` in one transaction, answered with the name and the record as it now is."""

    async def work(connection: AsyncConnection) -> LocalizedNamePayload:
        type_name, key = _target(record)
        row = await write(connection, type_name, key)
        owner = await reads.owner_row(connection, type_name, key)
        return LocalizedNamePayload(
            name=LocalizedName.of(row["field"], row["lang"], row["value"], row["is_local"]),
            node=REGISTERED[type_name].from_row(owner),  # type: ignore[attr-defined]
        )

    return await run_mutation(
        info,
        permission=ANYONE,
        arguments={},
        work=work,
        payload=LocalizedNamePayload,
        name="name records",
    )


_INPUT = strawberry.argument(description="The one input object: the record, language and name.")


@strawberry.type
class NameMutation:
    @strawberry.mutation(
        description="Sets a record's name (or short name, or title) in one language, "
        "replacing the one it had there; by whoever may change the record. A tag that is not "
        "BCP 47 is refused (`BAD_USER_INPUT`), nothing written."
    )
    async def set_localized_name(
        self, info: Info, input: Annotated[SetLocalizedNameInput, _INPUT]
    ) -> LocalizedNamePayload:
        viewer = info.context.viewer
        return await _name_mutation(
            info,
            input.id,
            lambda connection, type_name, key: reads.set_name(
                connection,
                viewer,
                type_name=type_name,
                key=key,
                field=input.field.value,
                lang=input.lang,
                value=input.value,
                local=input.local,
            ),
        )

    @strawberry.mutation(
        description="Removes a record's name in one language; removing its local name clears "
        "`localName` (or `localTitle`) too."
    )
    async def remove_localized_name(
        self, info: Info, input: Annotated[RemoveLocalizedNameInput, _INPUT]
    ) -> LocalizedNamePayload:
        viewer = info.context.viewer
        return await _name_mutation(
            info,
            input.id,
            lambda connection, type_name, key: reads.remove_name(
                connection,
                viewer,
                type_name=type_name,
                key=key,
                field=input.field.value,
                lang=input.lang,
            ),
        )
