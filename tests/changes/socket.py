"""A graphql-transport-ws client for the ASGI app, in the test's own event loop (the engine's
connections belong to it): the app runs as a task, fed and read through two queues.

`stalled_after=n` makes the connection's transport stop taking messages after `n` of them, as a
client that stops reading does (its TCP window fills): the app's sends then wait forever."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.types import ASGIApp, Message

__all__ = ["Closed", "Socket", "socket"]

TIMEOUT = 10.0


class Closed(Exception):
    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"closed {code} {reason}")
        self.code = code
        self.reason = reason


class Socket:
    def __init__(self, app: ASGIApp, *, stalled_after: int | None = None) -> None:
        self.app = app
        self.incoming: asyncio.Queue[Message] = asyncio.Queue()
        self.outgoing: asyncio.Queue[Message] = asyncio.Queue()
        self.stalled_after = stalled_after
        self.sent = 0
        self.task: asyncio.Task[None] | None = None
        self.ids = 0

    async def _receive(self) -> Message:
        return await self.incoming.get()

    async def _send(self, message: Message) -> None:
        if message["type"] == "websocket.send":
            self.sent += 1
            if self.stalled_after is not None and self.sent > self.stalled_after:
                await asyncio.Event().wait()
        await self.outgoing.put(message)

    async def open(self) -> None:
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "path": "/graphql",
            "raw_path": b"/graphql",
            "root_path": "",
            "scheme": "ws",
            "query_string": b"",
            "headers": [
                (b"host", b"testserver"),
                (b"sec-websocket-protocol", b"graphql-transport-ws"),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "subprotocols": ["graphql-transport-ws"],
            "state": {},
        }

        async def run() -> None:
            await self.app(scope, self._receive, self._send)

        self.task = asyncio.create_task(run())
        await self.incoming.put({"type": "websocket.connect"})
        accepted = await self._next()
        if accepted["type"] == "websocket.close":
            raise Closed(accepted.get("code", 1000), accepted.get("reason", ""))
        assert accepted["type"] == "websocket.accept", accepted

    async def _next(self, seconds: float = TIMEOUT) -> Message:
        return await asyncio.wait_for(self.outgoing.get(), seconds)

    async def send(self, payload: dict[str, Any]) -> None:
        await self.incoming.put({"type": "websocket.receive", "text": json.dumps(payload)})

    async def receive(self, seconds: float = TIMEOUT) -> dict[str, Any]:
        """The next protocol message; `Closed` when the server closed the connection."""
        message = await self._next(seconds)
        if message["type"] == "websocket.close":
            raise Closed(message.get("code", 1000), message.get("reason", ""))
        found: dict[str, Any] = json.loads(message.get("text") or message["bytes"])
        return found

    async def init(self, token: str | None) -> dict[str, Any]:
        payload = {} if token is None else {"authorization": f"Bearer {token}"}
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self.ids += 1
        key = str(self.ids)
        await self.send(
            {
                "id": key,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return key

    async def close(self) -> None:
        await self.incoming.put({"type": "websocket.disconnect", "code": 1000})
        if self.task is not None:
            with contextlib.suppress(Exception, asyncio.TimeoutError):
                await asyncio.wait_for(self.task, 5)
            self.task.cancel()


@asynccontextmanager
async def socket(app: ASGIApp, *, stalled_after: int | None = None) -> AsyncIterator[Socket]:
    found = Socket(app, stalled_after=stalled_after)
    await found.open()
    try:
        yield found
    finally:
        await found.close()
