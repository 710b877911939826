"""`changes`: the feed of change events a caller may see, in commit order (docs/changes.md).

The field reads its arguments and hands off to `resolvers.changes.changes_after`, which decides
what the caller sees; an event's `entity` is its node now, through the node loader (one
statement per type per page).
"""

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers.changes import (
    Change as StoredChange,
)
from resolvers.changes import (
    ChangeFilter as ReadFilter,
)
from resolvers.changes import (
    ChangePage,
    Position,
    changes_after,
    decode_position,
    encode_position,
)
from resolvers.errors import BadUserInput
from resolvers.ids import decode_id_of, encode_id
from resolvers.nodes import row_of
from resolvers.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from schema.enums import ChangeKind
from schema.limits import CHECKS
from schema.node_types import REGISTERED
from schema.relay import Info, Node, PageInfo

__all__ = ["Change", "ChangeConnection", "ChangeFilter", "ChangeQuery"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type(
    description="One committed change of an entity: what happened, to which object, by whom, "
    "when. It says which fields changed, not their values: read the entity (`entity`, or "
    "`nodes(ids:)`) for those."
)
class Change:
    stored: strawberry.Private[StoredChange]

    @strawberry.field(
        description="The position of this change: pass it as `after` to read (or, in a "
        "subscription, to resume with) the changes after it; the same as its edge's `cursor`."
    )
    def cursor(self) -> str:
        return encode_position(self.stored.position)

    @strawberry.field(description="The GraphQL type of the entity that changed (`Agreement`).")
    def entity_type(self) -> str:
        return self.stored.entity_type

    @strawberry.field(description="The global ID of the entity that changed, as its `id` gives.")
    def entity_id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(self.stored.entity_type, self.stored.entity_id))

    @strawberry.field(description="What happened.")
    def kind(self) -> ChangeKind:
        return ChangeKind(self.stored.kind)

    @strawberry.field(
        description="The entity's `version` after the change (for a deletion, one past its "
        "last); a change of one of its parts (modes, identifiers, ...) repeats it."
    )
    def version(self) -> int:
        return self.stored.version

    @strawberry.field(
        description="Who made the change: `token:<id>` for an API token (never its secret), "
        "`job:<name>` for a scheduled job; null for the command line, a loader or plain SQL."
    )
    def actor(self) -> str | None:
        return self.stored.actor

    @strawberry.field(
        description="The fields that changed (GraphQL names, `endDate`), on an update; empty "
        "when the entity was created or deleted."
    )
    def fields(self) -> list[str]:
        return [_camel(name) for name in self.stored.fields]

    @strawberry.field(description="When the change was made (the start of its transaction, UTC).")
    def occurred_at(self) -> datetime:
        return self.stored.occurred_at

    @strawberry.field(
        description="The organizations the entity concerned when it changed (an agreement's "
        "parties, a resource's owner), as global IDs."
    )
    def organizations(self) -> list[strawberry.ID]:
        return [strawberry.ID(encode_id("Organization", k)) for k in self.stored.organization_ids]

    @strawberry.field(description="The alliances the entity concerned when it changed.")
    def alliances(self) -> list[strawberry.ID]:
        return [strawberry.ID(encode_id("Alliance", k)) for k in self.stored.alliance_ids]

    @strawberry.field(
        description="The entity as it is now, if it exists and the caller may see it; null "
        "after a deletion."
    )
    async def entity(self, info: Info) -> Node | None:
        row = await row_of(info.context, self.stored.entity_type, self.stored.entity_id)
        if row is None:
            return None
        node: Node = REGISTERED[self.stored.entity_type].from_row(row)  # type: ignore[attr-defined]
        return node


@strawberry.type(description="One change of the feed, with its cursor.")
class ChangeEdge:
    cursor: str = strawberry.field(
        description="The position of this change: pass it as `after` to read the changes after it."
    )
    node: Change = strawberry.field(description="The change.")


@strawberry.type(
    description="A page of the change feed: the changes the caller may see, in commit order."
)
class ChangeConnection:
    edges: list[ChangeEdge] = strawberry.field(description="The changes of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page lies in the feed.")
    cursor: str = strawberry.field(
        description="Where reading stopped: pass it as `after` next time. Past the changes of "
        "this page and any the caller may not see, so it moves even when `edges` is empty."
    )


@strawberry.input(description="Which changes; all given conditions hold, each list is any of.")
class ChangeFilter:
    types: list[str] | None = strawberry.field(
        default=None,
        description="Only changes of entities of these GraphQL types (`Agreement`, "
        "`Commitment`); a type the caller can never see is refused (FORBIDDEN).",
    )
    kinds: list[ChangeKind] | None = strawberry.field(
        default=None, description="Only changes of these kinds."
    )
    organizations: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Only changes concerning one of these organizations or their units.",
    )
    alliances: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only changes concerning one of these alliances."
    )

    def read(self) -> ReadFilter:
        return ReadFilter(
            types=self.types,
            kinds=self.kinds,
            organizations=[
                decode_id_of(i, "Organization", field="filter.organizations")
                for i in self.organizations or []
            ]
            or None,
            alliances=[
                decode_id_of(i, "Alliance", field="filter.alliances") for i in self.alliances or []
            ]
            or None,
        )


def check_first(first: int | None) -> None:
    if first is not None and not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` is between 0 and {MAX_PAGE_SIZE}", field="first")


def check_after(after: str | None) -> None:
    if after is not None:
        decode_position(after)


def _connection(page: ChangePage, after: Position | None) -> ChangeConnection:
    edges = [
        ChangeEdge(cursor=encode_position(change.position), node=Change(stored=change))
        for change in page.changes
    ]
    return ChangeConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_more,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        cursor=encode_position(page.end),
    )


@strawberry.type
class ChangeQuery:
    @strawberry.field(
        description="The changes the caller may see, oldest first, after a cursor: a "
        "change committed late is never skipped (docs/changes.md). A caller sees a change of "
        "an entity it can see now, and a deletion of one it could see.",
        metadata={CHECKS: {"first": check_first, "after": check_after}, "size": MAX_PAGE_SIZE},
    )
    async def changes(
        self,
        info: Info,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor (an edge's, or the connection's `cursor`): the changes "
                "after it. Without it, from the oldest change kept."
            ),
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"How many changes at most (default {DEFAULT_PAGE_SIZE}, at most "
                f"{MAX_PAGE_SIZE})."
            ),
        ] = None,
        filter: Annotated[
            ChangeFilter | None, strawberry.argument(description="Which changes.")
        ] = None,
    ) -> ChangeConnection:
        check_first(first)
        position = None if after is None else decode_position(after)
        page = await changes_after(
            info.context.engine,
            info.context.viewer,
            after=position,
            first=DEFAULT_PAGE_SIZE if first is None else first,
            filter=None if filter is None else filter.read(),
        )
        return _connection(page, position)
