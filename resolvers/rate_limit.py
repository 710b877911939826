"""Cost points per caller per minute, counted in Redis so that every worker shares the count.

A fixed one-minute window per caller, counted by a Lua script in one round trip and one command
(`INCRBY`, `EXPIRE`, and `DECRBY` when over): a `MULTI` pipeline of the same commands cost the
client 40% more CPU, a fifth of a portal request (bench/RESULTS.md). A request that would go over
the limit is refused and its points are given back in the same script.

Redis is asked with a deadline and through a circuit breaker (`resolvers.redis_client`): a slow
or silent Redis costs a request at most the deadline, and after a few failures in a row none at
all for a while. While Redis cannot be reached the request is let through and the failure
logged (`FailureMode.OPEN`, the default: an outage of the limiter must not take the API down
with it), or refused with 503 `RATE_LIMIT_UNAVAILABLE` (`FailureMode.CLOSED`).
"""

import logging
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from resolvers.errors import RateLimitUnavailable
from resolvers.redis_client import REDIS_FAILURES, Breaker, BreakerOpen, redis_client
from settings import FailureMode

__all__ = ["NoRateLimit", "RateLimiter", "RedisRateLimiter", "Spend"]

log = logging.getLogger("partnergraph.rate_limit")

WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Spend:
    allowed: bool
    remaining: int | None
    """Points left in this window (`None` when not counted)."""
    retry_after: int = 0
    """Seconds until the window resets, when refused."""


class RateLimiter(Protocol):
    async def spend(self, caller: str, points: int, *, limit: int | None = None) -> Spend:
        """Spends `points` of `caller`'s window, out of `limit` (the limiter's own when
        `None`)."""
        ...

    async def check(self) -> None:
        """At start-up: logs a warning when the counting store cannot be reached."""

    async def close(self) -> None: ...


class NoRateLimit:
    async def spend(self, caller: str, points: int, *, limit: int | None = None) -> Spend:
        return Spend(allowed=True, remaining=None)

    async def check(self) -> None:
        return None

    async def close(self) -> None:
        return None


_SPEND = """
local spent = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if spent > tonumber(ARGV[3]) then
    redis.call('DECRBY', KEYS[1], ARGV[1])
end
return spent
"""
"""Adds the points to the caller's window and returns the sum; gives them back when it is over
the limit (the caller reads `spent > limit` as a refusal)."""


class RedisRateLimiter:
    def __init__(
        self,
        url: str,
        *,
        points_per_minute: int,
        prefix: str = "partnergraph",
        timeout_s: float = 0.2,
        breaker_failures: int = 3,
        breaker_pause_s: float = 10.0,
        on_failure: FailureMode = FailureMode.OPEN,
    ) -> None:
        self.redis: Redis = redis_client(url, timeout_s=timeout_s)
        self.breaker = Breaker(
            failures=breaker_failures, pause_s=breaker_pause_s, deadline_s=2 * timeout_s
        )
        self.limit = points_per_minute
        self.prefix = prefix
        self.on_failure = on_failure
        self._spend = self.redis.register_script(_SPEND)

    async def spend(self, caller: str, points: int, *, limit: int | None = None) -> Spend:
        limit = self.limit if limit is None else limit
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"{self.prefix}:rate:{caller}:{window}"
        arguments = [points, WINDOW_SECONDS * 2, limit]
        try:
            spent = int(await self.breaker.call(lambda: self._spend(keys=[key], args=arguments)))
        except REDIS_FAILURES as error:
            return self._unavailable(error)
        if spent > limit:
            retry = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
            return Spend(allowed=False, remaining=0, retry_after=retry)
        return Spend(allowed=True, remaining=limit - spent)

    def _unavailable(self, error: BaseException) -> Spend:
        """Let through (logged once per failure, not for each request skipping Redis), or
        refused when the server is set to fail closed."""
        if not isinstance(error, BreakerOpen):
            state = "skipped for a while" if self.breaker.is_open else "failed"
            log.warning("rate limiter unavailable (Redis %s): %r", state, error)
        if self.on_failure is FailureMode.CLOSED:
            retry = self.breaker.retry_after()
            raise RateLimitUnavailable(
                f"the rate limiter is unavailable; retry in {retry} s", retry_after=retry
            )
        return Spend(allowed=True, remaining=None)

    async def check(self) -> None:
        try:
            await self.breaker.call(self.redis.ping)
        except REDIS_FAILURES as error:
            kwargs = self.redis.connection_pool.connection_kwargs
            where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
            mode = "let through uncounted" if self.on_failure is FailureMode.OPEN else "refused"
            log.warning(
                "Redis at %s is unreachable (%r): rate-limited requests are %s until it answers",
                where,
                error,
                mode,
            )

    async def close(self) -> None:
        await self.redis.aclose()
