"""`node(id:)` and `nodes(ids:)`: any object by its global ID."""

from typing import Annotated

import strawberry

from resolvers.errors import BadUserInput
from resolvers.nodes import node_row, node_rows
from schema.relay import Info, Node

__all__ = ["MAX_NODES", "NodeQuery"]

MAX_NODES = 100


def _node_types() -> dict[str, type[Node]]:
    found: dict[str, type[Node]] = {}
    pending = list(Node.__subclasses__())
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


def _wrap(found: tuple[str, object] | None) -> Node | None:
    if found is None:
        return None
    type_name, row = found
    return _node_types()[type_name].from_row(row)  # type: ignore[arg-type]


@strawberry.type
class NodeQuery:
    @strawberry.field(description="The object with this global ID, or null if none is visible.")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A global ID, as any `id` field gives.")
        ],
    ) -> Node | None:
        return _wrap(await node_row(info.context, id))

    @strawberry.field(
        description="The objects with these IDs, in order; null where none is visible."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description=f"Up to {MAX_NODES} global IDs, of any types."),
        ],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadUserInput(f"at most {MAX_NODES} IDs at once", field="ids")
        return [_wrap(found) for found in await node_rows(info.context, ids)]
