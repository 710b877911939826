"""A request body limit enforced while the body streams in, before anything reads it whole."""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.errors import http_exception_response, wants_graphql_response

__all__ = ["BodySizeLimit"]


class BodySizeLimit:
    """Refuses a request body over `max_bytes` with 413, whether or not it declares its length,
    before the GraphQL view reads it whole; a `multipart/form-data` body (a document upload)
    may be up to `max_multipart_bytes`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_multipart_bytes: int = 0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_multipart_bytes = max(max_bytes, max_multipart_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.max_bytes
        if headers.get("content-type", "").lower().startswith("multipart/form-data"):
            limit = self.max_multipart_bytes
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await self._too_large(scope, receive, send, limit)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = http_exception_response(
            413,
            f"the request body is over {limit} bytes",
            graphql_response=wants_graphql_response(Headers(scope=scope).get("accept")),
            headers=None,
        )
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass
