"""One log line per HTTP request, and the request id that finds it.

`RequestLog` is the outermost middleware. It gives each request an id (the caller's
`X-Request-ID` when it is a short token of safe characters, else a new one), keeps it in the
ASGI scope's state (`request_id`) for the error answers that quote it (`web.errors`), returns it
in the `X-Request-ID` header, and logs on `partnergraph.request`, once the answer is sent: the
id, method, path, GraphQL operation name (as the client named it), the caller's token id (never
its secret), status, cost charged and duration. Never the query, its variables or the query
string, which may carry personal data.

The inner layers pass what they know through the scope's state: the admission
(`resolvers.admission.ADMISSION`: viewer and cost) and the operation name (`OPERATION_NAME`).
"""

import logging
import re
import time
import uuid
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resolvers.admission import ADMISSION, Admission
from settings import LogFormat, Settings

__all__ = [
    "OPERATION_NAME",
    "REQUEST_ID",
    "JsonFormatter",
    "RequestLog",
    "configure_logging",
    "request_id",
]

log = logging.getLogger("partnergraph.request")

REQUEST_ID = "partnergraph.request_id"
"""The key of the request's id in its ASGI scope's state."""
OPERATION_NAME = "partnergraph.operation_name"
"""The key of the GraphQL operation name the client sent, in its ASGI scope's state."""

_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
_HANDLER_NAME = "partnergraph"


def request_id(scope: Scope) -> str | None:
    """The id `RequestLog` gave the request of `scope` (`None` outside it)."""
    found = scope.get("state", {}).get(REQUEST_ID)
    return found if isinstance(found, str) else None


def _incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers") or []:
        if name == b"x-request-id" and _SANE_ID.fullmatch(value):
            return str(value.decode("ascii"))
    return uuid.uuid4().hex


def _fields(scope: Scope, status: int | None, started: float) -> dict[str, Any]:
    state = scope.get("state", {})
    admission = state.get(ADMISSION)
    viewer = admission.viewer if isinstance(admission, Admission) else None
    cost = admission.cost if isinstance(admission, Admission) else None
    return {
        "requestId": state.get(REQUEST_ID),
        "method": scope.get("method"),
        "path": scope.get("path"),
        "operationName": state.get(OPERATION_NAME),
        "tokenId": viewer.token_id if viewer is not None else None,
        "status": status,
        "cost": cost.get("requested") if isinstance(cost, dict) else None,
        "durationMs": round((time.perf_counter() - started) * 1000, 2),
    }


def _text(fields: dict[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        identifier = _incoming_id(scope)
        scope.setdefault("state", {})[REQUEST_ID] = identifier
        status: int | None = None

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", identifier.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            if log.isEnabledFor(logging.INFO):
                fields = _fields(scope, status, started)
                log.info("%s", _text(fields), extra={"fields": fields})


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, then the request log's fields (or the
    message, and the traceback if any)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


def configure_logging(settings: Settings) -> None:
    """The `partnergraph` loggers at `log_level`, written to stderr in `log_format` by one
    handler of their own (set again, not added twice, when called again)."""
    logger = logging.getLogger("partnergraph")
    logger.setLevel(settings.log_level.upper())
    handler = next((h for h in logger.handlers if h.name == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.name = _HANDLER_NAME
        logger.addHandler(handler)
    handler.setFormatter(
        JsonFormatter()
        if settings.log_format is LogFormat.JSON
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
