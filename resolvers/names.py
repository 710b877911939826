"""Names in every language: the fallback chain of a name field, read per request in one
statement per type (`names_of`), the same choice in SQL for the compiled road (`picked_name`),
and the writes that set and remove a name.

The chain of a field asked for with `lang:` (else with the request's `Accept-Language`): the
names in the requested language and its shorter prefixes (RFC 4647 lookup), then the record's
name marked local, then its local column where it has one (`local_name`, `local_title`), then
the stored column. The stored column is the English name (the schema says so of each name
field), so English in the chain stops it there: `en` (or `fr, en`) answers a kept `en` (or
`fr`) name, else the stored column, never the local name. With no language asked for the field
answers its stored column, as it always did.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db.base import table_of
from db.tables import LocalizedName
from db.tables.names import NAME_FIELDS, NAMED
from resolvers.context import Context
from resolvers.errors import ApiError, BadUserInput
from resolvers.languages import language_tag, lookup_chain
from resolvers.nodes import NODE_TABLES
from resolvers.viewer import Viewer
from resolvers.write_scope import load_for_write, require_change
from resolvers.writes import delete_row, insert_row, update_row

__all__ = [
    "LOCAL_COLUMNS",
    "NAME",
    "NameField",
    "StoredName",
    "chain_for",
    "localized",
    "names_of",
    "owner_row",
    "picked_name",
    "remove_name",
    "set_name",
]

NAME = table_of(LocalizedName)

LOCAL_COLUMNS: dict[tuple[str, str], str] = {
    ("Organization", "name"): "local_name",
    ("Alliance", "name"): "local_name",
    ("Program", "name"): "local_name",
    ("Agreement", "title"): "local_title",
}
"""The column holding a field's name in the local language, kept equal to its local name."""

MAX_VALUE = 1000
ENGLISH = "en"


class NameField(StrEnum):
    """The name fields that take a language; which of them a type has: `NAME_FIELDS`."""

    NAME = "name"
    SHORT_NAME = "short_name"
    TITLE = "title"
    SHORT_TITLE = "short_title"


class NameNotSet(ApiError):
    """Removing a name in a language the record has none in (the record itself was found)."""

    code = "NAME_NOT_SET"


@dataclass(frozen=True, slots=True)
class StoredName:
    id: int
    field: str
    lang: str
    value: str
    is_local: bool


def chain_for(ctx: Context, lang: str | None) -> tuple[str, ...]:
    """The languages a name field looks for: `lang` when given (`BadUserInput` when it is not
    BCP 47), else the request's `Accept-Language`; each followed by its prefixes."""
    if lang is not None:
        return lookup_chain((language_tag(lang),))
    return lookup_chain(ctx.languages)


def names_of(ctx: Context, type_name: str) -> DataLoader[int, list[StoredName]]:
    """Every name of each record of `type_name`, oldest first: one statement per type and
    request, however many records ask."""
    owner = NAME.c[NAMED[type_name]]

    async def batch(keys: Sequence[int]) -> list[list[StoredName]]:
        statement = (
            sa.select(owner, NAME.c.id, NAME.c.field, NAME.c.lang, NAME.c.value, NAME.c.is_local)
            .where(owner.in_(sorted(set(keys))))
            .order_by(NAME.c.id)
        )
        found: dict[int, list[StoredName]] = {key: [] for key in keys}
        async with ctx.engine.connect() as connection:
            for row in await connection.execute(statement):
                found[row[0]].append(StoredName(*row[1:]))
        return [found[key] for key in keys]

    loader: DataLoader[int, list[StoredName]] = ctx.loaders.lists(("names", type_name), batch)
    return loader


def _english_cut(chain: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """The chain up to English, and whether it reached English (the stored column)."""
    if ENGLISH in chain:
        return chain[: chain.index(ENGLISH) + 1], True
    return chain, False


def _rank(name: StoredName, field: str, chain: tuple[str, ...], english: bool) -> int | None:
    if name.field != field:
        return None
    if name.lang in chain:
        return chain.index(name.lang)
    return len(chain) if name.is_local and not english else None


async def localized(
    ctx: Context,
    type_name: str,
    key: int,
    field: str,
    chain: tuple[str, ...],
    stored: str | None,
    local: str | None = None,
) -> str | None:
    """The value of a name field along `chain` (see the module's docstring)."""
    if not chain:
        return stored
    chain, english = _english_cut(chain)
    ranked = [
        (rank, name.id, name.value)
        for name in await names_of(ctx, type_name).load(key)
        if (rank := _rank(name, field, chain, english)) is not None
    ]
    if ranked:
        return min(ranked)[2]
    return local if local is not None and not english else stored


def picked_name(
    type_name: str,
    field: str,
    chain: tuple[str, ...],
    key: ColumnElement[Any],
    stored: ColumnElement[Any],
    local: ColumnElement[Any] | None,
) -> ColumnElement[Any]:
    """`localized` in SQL, for the row whose id is `key`."""
    if not chain:
        return stored
    chain, english = _english_cut(chain)
    owner = NAME.c[NAMED[type_name]]
    in_chain = NAME.c.lang.in_([sa.literal(tag) for tag in chain])
    steps = [(NAME.c.lang == sa.literal(tag), index) for index, tag in enumerate(chain)]
    if not english:
        steps.append((NAME.c.is_local, len(chain)))
    picked = (
        sa.select(NAME.c.value)
        .where(
            owner == key,
            NAME.c.field == sa.literal(field),
            in_chain if english else sa.or_(in_chain, NAME.c.is_local),
        )
        .order_by(sa.case(*steps), NAME.c.id)
        .limit(1)
        .scalar_subquery()
    )
    fallbacks = [stored] if local is None or english else [local, stored]
    return sa.func.coalesce(picked, *fallbacks)


async def owner_row(connection: AsyncConnection, type_name: str, key: int) -> RowMapping:
    """The named record as it now is (after a name write, in the same transaction)."""
    table = NODE_TABLES[type_name]
    statement = sa.select(table).where(table.c.id == key)
    return (await connection.execute(statement)).mappings().one()


def _named(type_name: str, field: str) -> None:
    if type_name not in NAMED:
        kinds = ", ".join(NAMED)
        raise BadUserInput(f"names in other languages are kept for {kinds} only", field="id")
    if field not in NAME_FIELDS[type_name]:
        allowed = ", ".join(NAME_FIELDS[type_name])
        raise BadUserInput(f"a {type_name} has no name field {field} ({allowed})", field="field")


async def _owner_row(
    connection: AsyncConnection, viewer: Viewer, type_name: str, key: int, doing: str
) -> RowMapping:
    row = await load_for_write(connection, viewer, type_name, key)
    await require_change(connection, viewer, type_name, row, doing=doing)
    return row


async def _existing(
    connection: AsyncConnection, type_name: str, key: int, field: str, lang: str
) -> RowMapping | None:
    owner = NAME.c[NAMED[type_name]]
    statement = sa.select(NAME).where(owner == key, NAME.c.field == field, NAME.c.lang == lang)
    return (await connection.execute(statement)).mappings().first()


async def _set_local_column(
    connection: AsyncConnection,
    viewer: Viewer,
    type_name: str,
    row: RowMapping,
    field: str,
    value: str | None,
) -> None:
    column = LOCAL_COLUMNS.get((type_name, field))
    if column is None or row[column] == value:
        return
    table = NODE_TABLES[type_name]
    await update_row(
        connection, table, row["id"], row["version"], {column: value}, actor=viewer.label
    )


async def set_name(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    type_name: str,
    key: int,
    field: str,
    lang: str,
    value: str,
    local: bool,
) -> RowMapping:
    """Sets the name of a record in one language (replacing the one it had); `local` marks it
    the record's local name (unmarking any other) and copies it to the local column."""
    _named(type_name, field)
    tag = language_tag(lang)
    text = value.strip()
    if not text:
        raise BadUserInput("a name cannot be empty", field="value")
    if len(text) > MAX_VALUE:
        raise BadUserInput(f"a name is at most {MAX_VALUE} characters", field="value")
    row = await _owner_row(connection, viewer, type_name, key, "name this record")
    owner = NAMED[type_name]
    if local:
        await connection.execute(
            sa.update(NAME)
            .where(NAME.c[owner] == key, NAME.c.field == field, NAME.c.lang != tag)
            .values(is_local=False)
        )
    values = {"value": text, "is_local": local}
    existing = await _existing(connection, type_name, key, field, tag)
    if existing is None:
        values |= {owner: key, "field": field, "lang": tag}
        saved = await insert_row(connection, NAME, values, actor=viewer.label)
    else:
        saved = await update_row(
            connection, NAME, existing["id"], existing["version"], values, actor=viewer.label
        )
    if local:
        await _set_local_column(connection, viewer, type_name, row, field, text)
    return saved


async def remove_name(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    type_name: str,
    key: int,
    field: str,
    lang: str,
) -> RowMapping:
    """Removes the name of a record in one language; removing its local name clears the local
    column too."""
    _named(type_name, field)
    tag = language_tag(lang)
    row = await _owner_row(connection, viewer, type_name, key, "name this record")
    existing = await _existing(connection, type_name, key, field, tag)
    if existing is None:
        raise NameNotSet(f"this {type_name} has no {field} in {tag}", field="lang")
    await delete_row(
        connection, NAME, existing["id"], existing["version"], actor=viewer.label, what="name"
    )
    if existing["is_local"]:
        await _set_local_column(connection, viewer, type_name, row, field, None)
    return existing
