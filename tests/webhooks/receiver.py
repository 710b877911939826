"""A webhook receiver for the tests: a Starlette app served by uvicorn on a free loopback port,
recording what it receives and answering as told (a status per request, or hanging)."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["Receiver", "receiver"]


@dataclass
class Receiver:
    url: str = ""
    received: list[tuple[dict[str, str], str]] = field(default_factory=list)
    answers: list[int | str] = field(default_factory=list)
    """What to answer next, in turn: a status, or `"hang"` (never answer); then 200."""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    delay: float = 0.0
    """Seconds to wait before each answer (a slow receiver)."""

    async def handle(self, request: Request) -> Response:
        body = (await request.body()).decode()
        self.received.append((dict(request.headers), body))
        self.arrived.set()
        answer = self.answers.pop(0) if self.answers else 200
        await asyncio.sleep(self.delay)
        if answer == "hang":
            await asyncio.sleep(3600)
        return Response(status_code=int(answer))

    def bodies(self) -> list[str]:
        return [body for _, body in self.received]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = Starlette(routes=[Route("/hook", found.handle, methods=["POST"])])
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task: asyncio.Task[Any] = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    found.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield found
    finally:
        server.should_exit = True
        server.force_exit = True
        await asyncio.wait_for(task, 10)
