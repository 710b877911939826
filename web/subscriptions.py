"""The WebSocket side of /graphql: graphql-transport-ws only, its caller admitted once, at
`connection_init`, with the token of the payload's `authorization` (or of the upgrade request's
`Authorization` header), through `resolvers.admission.admit` like every HTTP road. A refused
token closes the connection with 4403 (the protocol's Forbidden); a subscription sent before
`connection_init` closes it with 4401."""

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any

from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError

from resolvers.admission import admit
from resolvers.context import Context
from resolvers.errors import ApiError
from schema.errors import coded
from web.access import bearer_token

__all__ = ["PROTOCOLS", "CodedHandler", "SocketContext", "admit_connection"]

PROTOCOLS = (GRAPHQL_TRANSPORT_WS_PROTOCOL,)


@dataclass(slots=True)
class SocketContext(Context):
    """The context of one WebSocket connection, shared by its subscriptions."""

    connection_params: dict[str, Any] | None = None
    """`connection_init`'s payload (set by strawberry)."""


async def admit_connection(ctx: Context) -> None:
    """Admits the caller of a connection from its `connection_init` payload; strawberry closes
    it with 4403 on `ConnectionRejectionError`, whose payload says why."""
    params = getattr(ctx, "connection_params", None) or {}
    sent = params.get("authorization", params.get("Authorization"))
    if sent is not None and not isinstance(sent, str):
        raise ConnectionRejectionError(
            {"code": "BAD_USER_INPUT", "message": "`authorization` is a string"}
        )
    if sent is not None:
        ctx.credentials = bearer_token(sent)
    try:
        await admit(ctx, cost=1)
    except ApiError as error:
        raise ConnectionRejectionError({"code": error.code, "message": error.message}) from None


class CodedHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's graphql-transport-ws handler, with the errors of each result coded
    (`extensions.code`, `schema.errors.coded`) as HTTP answers have them."""

    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        await super()._send_result_stream(operation, _coded(result_source, self.context))


async def _coded(
    results: AsyncIterator[ExecutionResult | PreExecutionError], ctx: Context
) -> AsyncGenerator[ExecutionResult | PreExecutionError, None]:
    async for result in results:
        for error in result.errors or []:
            coded(error, suggestions=ctx.settings.suggestions)
        yield result
