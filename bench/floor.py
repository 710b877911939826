"""The floor server: Starlette and asyncpg, one hand-written SQL statement per request that builds
the whole JSON answer in PostgreSQL, bytes passed through. Served by uvicorn like the API:

    BENCH_DATABASE_URL=postgresql://... uvicorn --factory bench.floor:create_app

POST /{scenario} with {"id": subject} answers {"data": ...} as the API would.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.scenarios import SCENARIOS


def create_app() -> Starlette:
    dsn = os.environ["BENCH_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    state: dict[str, Any] = {}
    queries = {s.name: s.floor_sql for s in SCENARIOS if s.floor_sql}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=4, max_size=10)
        yield
        await state["pool"].close()

    async def answer(request: Request) -> Response:
        sql = queries[request.path_params["scenario"]]
        subject = orjson.loads(await request.body())["id"]
        async with state["pool"].acquire() as connection:
            data: str = await connection.fetchval(sql, subject)
        return Response(b'{"data":' + data.encode() + b"}", media_type="application/json")

    return Starlette(routes=[Route("/{scenario}", answer, methods=["POST"])], lifespan=lifespan)
