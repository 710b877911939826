"""Saved views: saving a new version of a named query, and reading them back.

Who may save (declared in `resolvers.write_declarations`, `saveView`): an admin, a view of any
organization or one of its own (no organization: an admins' view, for every portal); an editor,
a view of an organization it edits (`organization` is required, and checked as a reference the
caller must be able to change, like any other write). A name is one namespace for the server
(`GET /views/<name>` names one view for every caller, anonymous ones included): it belongs to
the owner of its first version, and saving it for another owner is refused `NAME_TAKEN`.
Saving again adds version n+1; old versions stay readable. Views are a public catalogue
(`resolvers.visibility.PUBLIC_TABLES`): a document holds no data, and a view runs as its caller,
answering only what that caller may see.

What the document is (one query, valid against the schema, within the cost limit at its
defaults) is checked by the caller of `save_view` (`schema.saved_views`): resolvers know SQL,
not GraphQL.
"""

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import tables as t
from db.base import table_of
from db.network_counter import counter
from resolvers.context import Context
from resolvers.errors import ApiError, BadUserInput, Forbidden
from resolvers.paging import Page, PageRequest
from resolvers.tokens import access_version
from resolvers.write_scope import check_arguments

__all__ = [
    "NAME_PATTERN",
    "VIEW",
    "NameTaken",
    "ViewToRun",
    "check_saver",
    "document_by_hash",
    "document_hash",
    "save_view",
    "view_row",
    "view_to_run",
    "views_page",
]

VIEW = table_of(t.SavedView)

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
"""A view's name: a path segment of `/views/<name>` that needs no escaping."""


class NameTaken(ApiError):
    code = "NAME_TAKEN"


def document_hash(document: str) -> str:
    """The hex SHA-256 of a document's UTF-8 text, as Automatic Persisted Queries name it."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def _check_name(name: str) -> None:
    if NAME_PATTERN.fullmatch(name) is None:
        raise BadUserInput(
            "a view's name is 1 to 100 letters, digits, `_`, `.` or `-`, starting with a letter "
            "or digit",
            field="name",
        )


async def check_saver(
    connection: AsyncConnection, ctx: Context, *, name: str, organization_id: int | None
) -> None:
    """Refuses a caller who may not save the view `name` for `organization_id` (declared as
    `saveView` in `resolvers.write_declarations`), before its document is looked at."""
    viewer = ctx.viewer
    await check_arguments(connection, viewer, "saveView", {"organization": organization_id})
    if organization_id is None and not viewer.is_admin:
        raise Forbidden(
            f"{viewer.role.value} callers may save only views of an organization they edit "
            "(give `organization`); views of no organization are admins'",
            field="organization",
        )
    _check_name(name)


async def save_view(
    connection: AsyncConnection,
    ctx: Context,
    *,
    name: str,
    document: str,
    operation_name: str | None,
    organization_id: int | None,
    cost: int,
) -> RowMapping:
    """The new version of the view `name` (version 1 when it is new), in the caller's
    transaction, once `check_saver` let the caller save for `organization_id`."""
    viewer = ctx.viewer
    latest = (
        (
            await connection.execute(
                sa.select(VIEW.c.version, VIEW.c.organization_id)
                .where(VIEW.c.name == name)
                .order_by(VIEW.c.version.desc())
                .limit(1)
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )
    if latest is not None and latest["organization_id"] != organization_id:
        raise NameTaken("another owner's view has this name; choose another name", field="name")
    version = 1 if latest is None else latest["version"] + 1
    inserted = await connection.execute(
        sa.insert(VIEW)
        .values(
            name=name,
            version=version,
            organization_id=organization_id,
            document=document,
            operation_name=operation_name,
            sha256=document_hash(document),
            cost=cost,
            saved_by=viewer.label,
        )
        .returning(*VIEW.c)
    )
    return inserted.mappings().one()


def _latest() -> sa.ColumnElement[bool]:
    newer = sa.alias(VIEW, "newer")
    return ~sa.exists().where(newer.c.name == VIEW.c.name, newer.c.version > VIEW.c.version)


async def view_row(ctx: Context, name: str, version: int | None) -> RowMapping | None:
    """Version `version` of the view `name` (its latest when `None`), or `None`."""
    statement = sa.select(VIEW).where(VIEW.c.name == name)
    statement = statement.where(_latest() if version is None else VIEW.c.version == version)
    async with ctx.engine.connect() as connection:
        return (await connection.execute(statement)).mappings().first()


async def views_page(ctx: Context, request: PageRequest) -> Page:
    """The latest version of every view, by name."""
    return await ctx.reader.page(
        VIEW, where=[_latest()], order_by=[VIEW.c.name.asc()], request=request
    )


async def document_by_hash(engine: AsyncEngine, sha256: str) -> str | None:
    """The document of a saved view version whose SHA-256 is `sha256`, if there is one."""
    async with engine.connect() as connection:
        found: str | None = await connection.scalar(
            sa.select(VIEW.c.document).where(VIEW.c.sha256 == sha256).limit(1)
        )
    return found


@dataclass(frozen=True, slots=True)
class ViewToRun:
    """What `GET /views/<name>` needs, read in one statement."""

    changes: int
    """The network change counter (`resolvers.network_changes`) when it was read."""
    access: int | None
    """The access change counter in the same snapshot: a viewer this worker kept
    (`resolvers.token_cache`) holds only if it was read at this value."""
    view: RowMapping
    """The view's latest version."""


def _to_run() -> sa.Select[Any]:
    changes = counter()
    return (
        sa.select(VIEW, changes.label("_changes"), access_version().label("_access"))
        .where(VIEW.c.name == sa.bindparam("name"))
        .order_by(VIEW.c.version.desc())
        .limit(1)
    )


_TO_RUN = _to_run()
"""Built once: building it each time was a third of a 304's time."""


async def view_to_run(engine: AsyncEngine, name: str) -> ViewToRun | None:
    """The change counter and the latest version of the view `name` (`None` when there is no
    such view), in one statement: the counter is read no later than the answer that follows,
    so a tag made from it can only be older than the data it stands for, never newer."""
    async with engine.connect() as connection:
        row = (await connection.execute(_TO_RUN, {"name": name})).mappings().first()
    if row is None:
        return None
    return ViewToRun(changes=int(row["_changes"]), access=row["_access"], view=row)
