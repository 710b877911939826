"""Every HTTP request observed once, whatever road it takes: its id, its log line, its metrics
and, when tracing is on, its span.

`Observe` is the outermost middleware. It gives each request an id (the caller's
`X-Request-Id` when it is 1 to 64 letters, digits or `._:-`, else a new random one), returns
it in the `X-Request-Id` header, and makes the request's `telemetry.facts.RequestFacts`
current while it is answered, so that the roads below record what they know and error
answers quote the id (`web.errors`, `schema.errors`). Once the answer is sent it counts the
request (`telemetry.metrics`) and logs its line (`telemetry.logs`, written off the loop).
"""

import random
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telemetry.facts import RequestFacts, facts_var
from telemetry.logs import request_line
from telemetry.metrics import Metrics

__all__ = ["REQUEST_ID_HEADER", "Observe"]

REQUEST_ID_HEADER = b"x-request-id"
_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
_random_bits = random.getrandbits
"""New ids from the process's pseudo-random generator (reseeded in each forked worker): an id
names a request, it guards nothing, and `os.urandom` costs a system call a request."""


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            if _SANE_ID.fullmatch(value):
                return str(value.decode("ascii"))
            break
    return f"{_random_bits(64):016x}"


class Observe:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, tracing: Any = None) -> None:
        self.app = app
        self.metrics = metrics
        self.tracing = tracing
        """A `telemetry.tracing.Tracing` when tracing is on."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        facts = RequestFacts(_request_id(scope))
        header = (REQUEST_ID_HEADER, facts.request_id.encode("ascii"))
        status = 500

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = facts_var.set(facts)
        try:
            if self.tracing is None:
                await self.app(scope, receive, tagged)
            else:
                with self.tracing.request_span(scope, facts) as answered:
                    try:
                        await self.app(scope, receive, tagged)
                    finally:
                        answered(status)
        finally:
            facts_var.reset(token)
            seconds = time.perf_counter() - started
            self.metrics.observe(facts, status, seconds)
            request_line(facts, scope["method"], scope["path"], status, seconds)
