"""The error contract of every HTTP answer (docs/api.md, "Errors").

Every refusal and failure is JSON in the GraphQL-over-HTTP form, `{"errors": [{"message": ...,
"extensions": {"code": ...}}]}`, whatever road the request took and wherever it failed: a body
that cannot be read (400 `BAD_REQUEST`), of another media type (415), a route or method that
does not exist (404, 405), a CORS preflight refused (403, `web.cors`), a database out of reach
(503 `DATABASE_UNAVAILABLE` with `Retry-After`, never the driver's text), and, as a last resort,
anything unexpected (500 `INTERNAL_SERVER_ERROR` with a short reference that finds the traceback
in the log, and the request's id, `requestId`, that finds its log line). A client that accepts
`application/graphql-response+json` gets that media type back.
"""

import logging
import uuid
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resolvers.errors import ApiError, RateLimited, Unauthenticated, Unavailable, database_outage
from telemetry.facts import current

__all__ = [
    "GRAPHQL_RESPONSE_JSON",
    "LastResort",
    "error_response",
    "http_exception_response",
    "media_type",
    "refusal_response",
    "starlette_http_exception",
    "status_of",
    "unexpected_response",
    "wants_graphql_response",
]

log = logging.getLogger("partnergraph.errors")

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

_STATUS_BY_CODE = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "OPERATION_NOT_REGISTERED": 403,
    "PERSISTED_QUERY_NOT_FOUND": 404,
    "NOT_FOUND": 404,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "RATE_LIMITED": 429,
    "INTERNAL_SERVER_ERROR": 500,
    "DATABASE_UNAVAILABLE": 503,
    "RATE_LIMIT_UNAVAILABLE": 503,
}

_CODE_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def wants_graphql_response(accept: str | None) -> bool:
    """Whether `accept` prefers `application/graphql-response+json` to `application/json`
    (no header, or only wildcards, means `application/json`, as the spec says for legacy
    clients)."""
    if not accept or "graphql-response" not in accept:
        return False
    wanted = plain = 0.0
    for part in accept.split(","):
        kind, *parameters = part.split(";")
        kind = kind.strip().lower()
        if kind == GRAPHQL_RESPONSE_JSON:
            wanted = max(wanted, _quality(parameters))
        elif kind == "application/json":
            plain = max(plain, _quality(parameters))
    return wanted > 0 and wanted >= plain


def media_type(graphql_response: bool) -> str:
    return GRAPHQL_RESPONSE_JSON if graphql_response else "application/json"


def status_of(code: str) -> int:
    """The HTTP status of a request that failed, as a whole, with `code`."""
    return _STATUS_BY_CODE.get(code, 400)


def _json(
    body: dict[str, Any], status: int, graphql_response: bool, headers: dict[str, str]
) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        headers=headers,
        media_type=media_type(graphql_response),
    )


def error_response(
    error: ApiError, *, status: int | None = None, graphql_response: bool = False
) -> Response:
    """`error` as the whole answer, with the status its kind calls for and the headers a client
    acts on (`Retry-After`, `WWW-Authenticate`)."""
    extensions: dict[str, Any] = {"code": error.code}
    if error.field is not None:
        extensions["field"] = error.field
    headers: dict[str, str] = {}
    if isinstance(error, RateLimited | Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="partnergraph"'
    body = {"errors": [{"message": error.message, "extensions": extensions}]}
    return _json(body, status or status_of(error.code), graphql_response, headers)


def refusal_response(
    status: int,
    code: str,
    message: str,
    *,
    graphql_response: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """A refusal made before GraphQL (`code` with `status`), in the same form as every other
    error."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return _json(body, status, graphql_response, dict(headers or {}))


def http_exception_response(
    status: int, message: str, *, graphql_response: bool = False, headers: dict[str, str] | None
) -> Response:
    """An HTTP-level refusal (an unknown route, a method not allowed, a body that cannot be
    read), its code read from its status."""
    code = _CODE_BY_STATUS.get(status, "INTERNAL_SERVER_ERROR" if status >= 500 else "BAD_REQUEST")
    return refusal_response(
        status, code, message, graphql_response=graphql_response, headers=headers
    )


def unexpected_response(error: BaseException, *, graphql_response: bool = False) -> Response:
    """The answer to a failure nothing else handled: 503 when the database is out of reach, else
    500 with a reference to the traceback, which is logged here."""
    outage = database_outage(error)
    if outage is not None:
        log.warning("database unavailable: %r", error)
        return error_response(outage, graphql_response=graphql_response)
    reference = uuid.uuid4().hex[:12]
    facts = current()
    extensions = {"code": "INTERNAL_SERVER_ERROR", "reference": reference}
    if facts is not None:
        extensions["requestId"] = facts.request_id
        facts.code = "INTERNAL_SERVER_ERROR"
    log.error(
        "unexpected error %s (request %s)", reference, extensions.get("requestId"), exc_info=error
    )
    body = {
        "errors": [
            {"message": f"Internal server error (reference {reference})", "extensions": extensions}
        ]
    }
    return _json(body, 500, graphql_response, {})


async def starlette_http_exception(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (no such route, method not allowed) as JSON."""
    assert isinstance(error, HTTPException)
    return http_exception_response(
        error.status_code,
        error.detail,
        graphql_response=wants_graphql_response(request.headers.get("accept")),
        headers=dict(error.headers or {}),
    )


class LastResort:
    """The outermost middleware: an exception that escapes everything else becomes a JSON
    answer (`unexpected_response`) if nothing was sent yet, never Starlette's plain-text 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as error:
            if started:
                raise
            accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
            response = unexpected_response(error, graphql_response=wants_graphql_response(accept))
            await response(scope, receive, send)
