"""Requests from browser pages on other origins: only those `PARTNERGRAPH_CORS_ORIGINS` names
(none by default; docs/api.md, "Browser pages on other origins").

Starlette's `CORSMiddleware`, set for what a GraphQL client sends (`GET` and `POST`, with
`Authorization`, `Content-Type` and `Accept`; no cookies, since callers send bearer tokens),
with two changes: a refused preflight answers JSON with a code (403 `CORS_NOT_ALLOWED`) like
every other refusal, with no `Access-Control-*` header; and an answer to an origin not allowed
carries no `Access-Control-*` header at all (Starlette adds the exposed headers for any origin).
With no origin configured, answers are sent untouched (no `Vary: Origin` either).
It is the outermost middleware, so a preflight is answered before the body limit, admission or
any database work (it costs no rate-limit points), and every other answer to an allowed origin,
refusals and last-resort 500s included, carries the headers a browser needs to read it.
"""

from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Send

from web.errors import refusal_response, wants_graphql_response

__all__ = ["ALLOWED_HEADERS", "ALLOWED_METHODS", "EXPOSED_HEADERS", "Cors"]

ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Accept")
EXPOSED_HEADERS = ("Retry-After", "WWW-Authenticate", "Content-Disposition")
"""What a page may read of an answer: when to retry, why it was refused, a CSV's file name."""

MAX_AGE_S = 600


class Cors(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, origins: Sequence[str]) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=MAX_AGE_S,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        if not self.is_allowed_origin(origin=request_headers["origin"]):
            return self._refused(
                request_headers,
                "this origin may not call the API from a browser page "
                "(the server's PARTNERGRAPH_CORS_ORIGINS does not name it)",
            )
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        return self._refused(
            request_headers,
            f"the preflight asks for a method or header the API does not take; it takes "
            f"{', '.join(ALLOWED_METHODS)} with {', '.join(ALLOWED_HEADERS)}",
        )

    @staticmethod
    def _refused(request_headers: Headers, message: str) -> Response:
        return refusal_response(
            403,
            "CORS_NOT_ALLOWED",
            message,
            graphql_response=wants_graphql_response(request_headers.get("accept")),
            headers={"Vary": "Origin"},
        )

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        if not self.allow_origins:
            await send(message)  # no origin allowed: answers do not vary by origin
            return
        origin = request_headers.get("origin")
        if (
            message["type"] != "http.response.start"
            or origin is None
            or self.is_allowed_origin(origin=origin)
        ):
            await super().send(message, send, request_headers)
            return
        message.setdefault("headers", [])
        headers = MutableHeaders(scope=message)
        headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
        await send(message)
