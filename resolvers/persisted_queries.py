"""The store of Automatic Persisted Queries: document texts by their SHA-256, shared by workers.

A hash is looked up, in order, in this worker's bounded LRU (`resolvers.memo.Bounded`), in
Redis (`<prefix>:apq:<sha256>`, kept `TTL_S`, asked with a deadline and through the circuit
breaker of `resolvers.redis_client`), then among the saved views' versions in the database
(`resolvers.saved_views.document_by_hash`: a saved view can be sent by its hash). A document
registered (sent in full with its hash, once the caller was admitted) goes into the LRU and
Redis.

While Redis cannot be reached, registrations and lookups fall back to this worker's LRU alone,
on purpose and never as if it were shared: the protocol makes the store a cache. A worker that
does not know a hash answers `PERSISTED_QUERY_NOT_FOUND` and the client sends the document
again, so an outage costs a round trip, never a wrong answer (a text is found only under its
own hash). The database is not written on this road: registrations come from any caller, and
a table anyone can fill on a read is a liability; it holds the registered operations that must
survive (saved views), which every worker finds there.
"""

import logging

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.memo import Bounded
from resolvers.redis_client import REDIS_FAILURES, Breaker, BreakerOpen, redis_client
from resolvers.saved_views import document_by_hash

__all__ = [
    "REGISTERED",
    "TTL_S",
    "OperationNotRegistered",
    "PersistedQueries",
    "check_registered",
]

log = logging.getLogger("partnergraph.persisted")

TTL_S = 7 * 24 * 3600
"""How long Redis keeps a registration after it was last registered or found."""

REGISTERED = "partnergraph.registered"
"""The key, in a request's ASGI scope state, set when its document came from the store or a
saved view (so it is a registered operation: `Settings.registered_only`)."""


class OperationNotRegistered(ApiError):
    code = "OPERATION_NOT_REGISTERED"


def check_registered(ctx: Context) -> None:
    """In registered-only mode (`Settings.registered_only`), refuses an admitted caller's
    document that is neither a known persisted query nor a saved view; admins may send any
    (they save the views and register the hashes)."""
    if not ctx.settings.registered_only or ctx.viewer.is_admin:
        return
    state = ctx.request.scope.get("state", {}) if ctx.request is not None else {}
    if state.get(REGISTERED) is True:
        return
    raise OperationNotRegistered(
        "this server runs only registered operations: send the SHA-256 of a registered "
        "document (`extensions.persistedQuery`) or run a saved view (`GET /views/<name>`)"
    )


class PersistedQueries:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        redis_url: str,
        prefix: str,
        timeout_s: float,
        breaker_failures: int,
        breaker_pause_s: float,
        size: int = 2048,
        max_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.engine = engine
        self.prefix = prefix
        self.kept: Bounded[str, str] = Bounded(size, max_bytes)
        self.redis: Redis | None = (
            redis_client(redis_url, timeout_s=timeout_s) if redis_url else None
        )
        self.breaker = Breaker(
            failures=breaker_failures, pause_s=breaker_pause_s, deadline_s=2 * timeout_s
        )

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}:apq:{sha256}"

    async def get(self, sha256: str) -> str | None:
        """The document registered under `sha256`, or `None` when none is known here."""
        found = self.kept.get(sha256)
        if found is not None:
            return found
        found = await self._from_redis(sha256)
        if found is None:
            found = await document_by_hash(self.engine, sha256)
        if found is not None:
            self.kept.put(sha256, found)
        return found

    async def put(self, sha256: str, document: str) -> None:
        """Registers `document` (whose SHA-256 the caller checked) under `sha256`."""
        self.kept.put(sha256, document)
        redis = self.redis
        if redis is None:
            return
        try:
            await self.breaker.call(lambda: redis.set(self._key(sha256), document, ex=TTL_S))
        except REDIS_FAILURES as error:
            self._unavailable(error)

    async def _from_redis(self, sha256: str) -> str | None:
        redis = self.redis
        if redis is None:
            return None
        try:
            value = await self.breaker.call(lambda: redis.getex(self._key(sha256), ex=TTL_S))
        except REDIS_FAILURES as error:
            self._unavailable(error)
            return None
        if value is None:
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def _unavailable(self, error: BaseException) -> None:
        if not isinstance(error, BreakerOpen):
            log.warning(
                "persisted queries: Redis unavailable (%r); this worker's own LRU only", error
            )

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
