"""The plain routes: health checks for load balancers and orchestrators, and the root sending a
browser to GraphiQL.

`/health` and `/health/live` answer as long as the process does, without asking anything else.
`/health/ready` asks the database one cheap statement (which also says whether its migrations are
at the code's head) within `ready_timeout_ms`, and Redis for a ping within its own deadline: 200
when the service can answer, 503 with the reasons otherwise. Redis out of reach makes the service
unready only when the rate limiter fails closed (`FailureMode.CLOSED`); it is reported either way.
"""

import asyncio
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from db.migrate import head_revisions
from resolvers.errors import database_outage
from resolvers.rate_limit import RateLimiter, RedisRateLimiter
from resolvers.redis_client import REDIS_FAILURES, BreakerOpen
from settings import FailureMode, Settings

__all__ = ["Readiness", "health", "live", "root"]

_VERSIONS = sa.text("SELECT version_num FROM alembic_version")


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def live(_: Request) -> Response:
    return JSONResponse({"status": "live"})


async def root(_: Request) -> Response:
    return RedirectResponse("/graphql")


class Readiness:
    """`/health/ready` (`answer`)."""

    def __init__(self, *, engine: AsyncEngine, settings: Settings, limiter: RateLimiter) -> None:
        self.engine = engine
        self.deadline_s = settings.ready_timeout_ms / 1000
        self.limiter = limiter

    async def answer(self, _: Request) -> Response:
        (database, database_ok), (redis, redis_ok) = await asyncio.gather(
            self._database(), self._redis()
        )
        ready = database_ok and redis_ok
        body: dict[str, Any] = {
            "status": "ready" if ready else "unready",
            "database": database,
            "redis": redis,
        }
        return Response(
            orjson.dumps(body), status_code=200 if ready else 503, media_type="application/json"
        )

    async def _database(self) -> tuple[str, bool]:
        """`ok`, or why not: `unreachable`, `timeout`, `not migrated` or `migrations not at
        head` (behind the code, or ahead of it: a newer version migrated it)."""
        try:
            async with asyncio.timeout(self.deadline_s), self.engine.connect() as connection:
                found = frozenset((await connection.execute(_VERSIONS)).scalars())
        except TimeoutError:
            return "timeout", False
        except Exception as error:
            if database_outage(error) is not None:
                return "unreachable", False
            return "not migrated", False
        if found == head_revisions():
            return "ok", True
        return ("migrations not at head" if found else "not migrated"), False

    async def _redis(self) -> tuple[str, bool]:
        """`ok`, `off` (no rate limiter), `unreachable` or `skipped` (the breaker is open);
        not ok only when the limiter refuses requests without Redis."""
        limiter = self.limiter
        if not isinstance(limiter, RedisRateLimiter):
            return "off", True
        tolerated = limiter.on_failure is FailureMode.OPEN
        try:
            await limiter.breaker.call(limiter.redis.ping)
        except BreakerOpen:
            return "skipped", tolerated
        except REDIS_FAILURES:
            return "unreachable", tolerated
        return "ok", True
