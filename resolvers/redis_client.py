"""Redis with deadlines: what a slow or silent Redis may cost a request is bounded, and once it
has failed a few times in a row it is not asked at all for a while.

redis-py's defaults are made for a cache that must answer eventually: a connect and a read may
each wait as long as the socket allows, and a failed command is retried three times with
backoff. A Redis that accepts connections and never answers so added half a second to every
request, each of them waiting in turn. Here a call has one deadline (connect and reply
together), is never retried, and goes through a `Breaker`: after `failures` consecutive
failures Redis is skipped for `pause_s` seconds, after which one call probes it again (the
others still skip it until that probe answers).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

__all__ = ["REDIS_FAILURES", "Breaker", "BreakerOpen", "redis_client"]

T = TypeVar("T")

REDIS_FAILURES = (RedisError, OSError)
"""What a call to Redis raises when Redis is out of reach or too slow (`TimeoutError` is an
`OSError`)."""


class BreakerOpen(RedisError):
    """Redis failed too often lately: not asked this time."""


def redis_client(url: str, *, timeout_s: float) -> Redis:
    """A client whose connects and replies each give up after `timeout_s`, never retried."""
    return Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
    )


class Breaker:
    def __init__(
        self,
        *,
        failures: int,
        pause_s: float,
        deadline_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = max(1, failures)
        self.pause_s = pause_s
        self.deadline_s = deadline_s
        self.clock = clock
        self.attempts = 0
        """Calls made to Redis (not those skipped)."""
        self._failed = 0
        self._open_until: float | None = None
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    def retry_after(self) -> int:
        """Whole seconds until Redis is asked again (at least 1)."""
        if self._open_until is None:
            return 1
        return max(1, int(self._open_until - self.clock() + 0.999))

    def _may_call(self) -> bool:
        if self._open_until is None:
            return True
        if self._probing or self.clock() < self._open_until:
            return False
        self._probing = True
        return True

    async def call(self, make: Callable[[], Awaitable[T]]) -> T:
        """`make()`, within the deadline; `BreakerOpen` without calling when Redis is being
        skipped, and whatever Redis raised (or `TimeoutError`) when the call failed."""
        if not self._may_call():
            raise BreakerOpen("Redis is skipped after repeated failures")
        self.attempts += 1
        try:
            async with asyncio.timeout(self.deadline_s):
                result = await make()
        except REDIS_FAILURES:
            self._failure()
            raise
        except BaseException:
            self._probing = False
            raise
        self._failed = 0
        self._open_until = None
        self._probing = False
        return result

    def _failure(self) -> None:
        self._failed += 1
        self._probing = False
        if self._open_until is not None or self._failed >= self.failures:
            self._open_until = self.clock() + self.pause_s
