"""A request body limit enforced while the body streams in, before anything reads it whole."""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.errors import http_exception_response, wants_graphql_response

__all__ = ["BodySizeLimit"]


class BodySizeLimit:
    """Refuses a request body over `max_bytes` with 413, whether or not it declares its length,
    before the GraphQL view reads it whole."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = http_exception_response(
            413,
            f"the request body is over {self.max_bytes} bytes",
            graphql_response=wants_graphql_response(Headers(scope=scope).get("accept")),
            headers=None,
        )
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass
