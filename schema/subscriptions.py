"""The subscriptions: change events pushed over a WebSocket (graphql-transport-ws) as they
commit (docs/changes.md, "Subscriptions").

Both fields yield the `Change` type of the `changes` query; the caller was admitted when the
connection was initialised (`web.subscriptions`), and `resolvers.subscriptions.follow` applies
its visibility to every event.
"""

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from starlette.websockets import WebSocket

from resolvers.changes import ChangeFilter as ReadFilter
from resolvers.changes import decode_position
from resolvers.context import Context
from resolvers.errors import NotFound
from resolvers.ids import decode_id_of
from resolvers.nodes import row_of
from resolvers.subscriptions import Keep, follow, subscription_slot
from schema.changes import Change, ChangeFilter, check_after
from schema.limits import CHECKS
from schema.relay import Info

__all__ = ["SLOW_SUBSCRIBER", "Subscription"]

SLOW_SUBSCRIBER = 4008
"""The close code of a connection whose subscriber stopped reading (its queue stayed full)."""


def _holder(ctx: Context) -> str:
    token = ctx.viewer.token_id
    return f"token:{token}" if token is not None else f"client:{ctx.client}"


async def _stream(
    ctx: Context, after: str | None, filter: ReadFilter | None, keep: Keep | None = None
) -> AsyncGenerator[Change, None]:
    async def overflow() -> None:
        if isinstance(ctx.request, WebSocket):
            await ctx.request.close(code=SLOW_SUBSCRIBER, reason="too many queued events")

    with subscription_slot(_holder(ctx), ctx.settings.max_subscriptions_per_token):
        events = follow(
            ctx.engine,
            ctx.viewer,
            after=None if after is None else decode_position(after),
            filter=filter,
            settings=ctx.settings,
            overflow=overflow,
            keep=keep,
        )
        async for stored in events:
            ctx.become(ctx.viewer, access_version=ctx.access_version)  # fresh loaders per event
            yield Change(stored=stored)


_AFTER = strawberry.argument(
    description="A cursor (`changes`' or an event's `cursor`): the events after it, then the "
    "new ones as they commit; resume with the cursor of the last event received. Without it, "
    "only events committed from now on."
)


@strawberry.type(
    description="Changes pushed as they commit, over a WebSocket speaking graphql-transport-ws "
    '(docs/changes.md, "Subscriptions"); the token goes in `connection_init`\'s payload '
    '(`{"authorization": "Bearer ..."}`).'
)
class Subscription:
    @strawberry.subscription(
        description="The change events the caller may see, in commit order, as they commit: "
        "the same events as the `changes` query.",
        metadata={CHECKS: {"after": check_after}},
    )
    async def changes(
        self,
        info: Info,
        filter: Annotated[
            ChangeFilter | None, strawberry.argument(description="Which changes.")
        ] = None,
        after: Annotated[str | None, _AFTER] = None,
    ) -> AsyncGenerator[Change, None]:
        read = None if filter is None else filter.read()
        async for change in _stream(info.context, after, read):
            yield change

    @strawberry.subscription(
        description="The change events of one agreement (its own fields and its parts: "
        "modes, commitments, signatures, ...), as they commit; `entity` is the agreement as "
        "it is after the change, null once deleted.",
        metadata={CHECKS: {"after": check_after}},
    )
    async def agreement_changed(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The agreement.")],
        after: Annotated[str | None, _AFTER] = None,
    ) -> AsyncGenerator[Change, None]:
        key = decode_id_of(id, "Agreement", field="id")
        if await row_of(info.context, "Agreement", key) is None:
            raise NotFound(f"no agreement {id} visible to this caller", field="id")
        read = ReadFilter(types=["Agreement"])
        async for change in _stream(info.context, after, read, lambda c: c.entity_id == key):
            yield change
