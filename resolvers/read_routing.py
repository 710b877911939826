"""Which database answers a request: read-only GraphQL queries from a replica, everything else
from the primary, and a caller that just wrote reads its own writes.

- A query over HTTP (strawberry's road and the fast lane) is routed once admitted
  (`route_read`): a replica in rotation (`db.replicas`), round-robin. Mutations, subscriptions
  (their catch-up reads follow the change feed's wake-ups, which the primary sends before a
  replica has replayed the change), batches, saved views, the CSV reports and every other
  endpoint read from the primary. Admission (the token, the access counters) is always read
  from the primary, so a revoked token is refused at once.
- After a mutation, the primary's log position (`pg_current_wal_lsn()`, taken after its commit)
  is remembered for the caller's token (`note_write`) for `PARTNERGRAPH_REPLICA_REMEMBER_MS`:
  in Redis when `REDIS_URL` is set, so the worker that answers the next read knows it, else in
  this worker only (a caller whose next read lands on another worker may then not see its
  write until the replica catches up; run one worker, or Redis, with replicas). The caller's next
  queries go to a replica only once it has replayed that far (waiting up to
  `PARTNERGRAPH_REPLICA_WAIT_MS`), else to the primary. Where Redis cannot be asked, the
  primary answers.
- A replica that fails during a request is taken out of rotation and the whole request is
  answered again from the primary (`retry_on_primary`): a query has written nothing.

The database that answered is `extensions.database` (`primary`, `replica-1`, ...) when
replicas are configured, and counted by `partnergraph_database_requests_total{database}`.
"""

import logging
import time
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket

from db.replicas import PRIMARY, Replica, Replicas
from resolvers.context import Context
from resolvers.memo import Bounded
from resolvers.redis_client import REDIS_FAILURES, Breaker, redis_client
from settings import Settings
from telemetry.facts import current

__all__ = [
    "PRIMARY_ONLY",
    "ROUTED",
    "ReadRouting",
    "WriteMarks",
    "note_write",
    "retry_on_primary",
    "route_read",
]

log = logging.getLogger("partnergraph.replicas")

ROUTED = "partnergraph.routed"
"""The key, in a request's ASGI scope state, of the replica its reads were sent to."""
PRIMARY_ONLY = "partnergraph.primary_only"
"""Set in a request's scope state: every read of it goes to the primary."""


class WriteMarks:
    """The log position of each token's last write, for `remember_s`: in Redis (shared by every
    worker) when a URL is given, else in this worker."""

    def __init__(
        self,
        *,
        remember_s: float,
        redis_url: str = "",
        prefix: str = "partnergraph",
        timeout_s: float = 0.2,
        breaker_failures: int = 3,
        breaker_pause_s: float = 10.0,
    ) -> None:
        self.remember_s = remember_s
        self.prefix = prefix
        self.redis = redis_client(redis_url, timeout_s=timeout_s) if redis_url else None
        self.breaker = Breaker(
            failures=breaker_failures, pause_s=breaker_pause_s, deadline_s=timeout_s
        )
        self._local: Bounded[int, tuple[int, float]] = Bounded(10_000)

    def _key(self, token_id: int) -> str:
        return f"{self.prefix}:written:{token_id}"

    async def put(self, token_id: int, lsn: int) -> None:
        self._local.put(token_id, (lsn, time.monotonic() + self.remember_s))
        redis = self.redis
        if redis is None:
            return
        milliseconds = max(1, int(self.remember_s * 1000))
        try:
            await self.breaker.call(
                lambda: redis.set(self._key(token_id), str(lsn), px=milliseconds)
            )
        except REDIS_FAILURES:
            log.warning("could not remember a write's position in Redis", exc_info=True)

    async def get(self, token_id: int) -> int | None:
        """The position to read from, `None` when nothing was written lately; `-1` when it
        cannot be known (Redis out of reach): then only the primary will do."""
        local = self._local.get(token_id)
        kept = local[0] if local is not None and local[1] > time.monotonic() else None
        redis = self.redis
        if redis is None:
            return kept
        try:
            found = await self.breaker.call(lambda: redis.get(self._key(token_id)))
        except REDIS_FAILURES:
            return -1
        shared = int(found) if found is not None else None
        if kept is None or shared is None:
            return shared if kept is None else kept
        return max(kept, shared)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


class ReadRouting:
    """The replicas of a worker and the positions of its callers' last writes."""

    def __init__(self, replicas: Replicas, marks: WriteMarks) -> None:
        self.replicas = replicas
        self.marks = marks

    @classmethod
    def of(cls, settings: Settings, primary: Any) -> "ReadRouting | None":
        """The routing `settings` ask for, `None` without replicas."""
        urls = settings.replica_urls
        if not urls:
            return None
        replicas = Replicas(
            primary,
            urls,
            max_lag_s=settings.replica_max_lag_ms / 1000,
            wait_s=settings.replica_wait_ms / 1000,
            engine_options={
                "echo": settings.sql_echo,
                "statement_timeout_ms": settings.statement_timeout_ms,
                "pool_size": settings.pool_size,
                "pool_overflow": settings.pool_overflow,
                "connect_timeout_s": settings.database_connect_timeout_ms / 1000,
            },
        )
        marks = WriteMarks(
            remember_s=settings.replica_remember_ms / 1000,
            redis_url=settings.redis_url,
            prefix=settings.redis_prefix,
            timeout_s=settings.redis_timeout_ms / 1000,
            breaker_failures=settings.redis_breaker_failures,
            breaker_pause_s=settings.redis_breaker_seconds,
        )
        return cls(replicas, marks)

    async def close(self) -> None:
        await self.marks.close()
        await self.replicas.dispose()


def _state(ctx: Context) -> dict[str, Any] | None:
    if ctx.request is None or isinstance(ctx.request, WebSocket):
        return None
    state: dict[str, Any] = ctx.request.scope.setdefault("state", {})
    return state


def _answered_by(ctx: Context, name: str) -> None:
    ctx.database = name
    facts = current()
    if facts is not None:
        facts.database = name


async def route_read(ctx: Context) -> None:
    """Sends the rest of an admitted query's reads to a replica when one may answer it."""
    routing = ctx.routing
    if routing is None:
        return
    _answered_by(ctx, PRIMARY)
    if routing.replicas.by_engine(ctx.engine) is not None:
        ctx.read_from(routing.replicas.primary)  # routed before, on a road that gave up
    state = _state(ctx)
    if state is None:
        return
    state.pop(ROUTED, None)
    if state.get(PRIMARY_ONLY):
        return
    written = None
    if ctx.viewer.token_id is not None:
        written = await routing.marks.get(ctx.viewer.token_id)
        if written == -1:
            return
    replica = await routing.replicas.pick(written)
    if replica is None:
        return
    state[ROUTED] = replica
    ctx.read_from(replica.engine)
    _answered_by(ctx, replica.name)


async def note_write(ctx: Context) -> None:
    """After a mutation: the caller's next reads wait for a replica to reach what it wrote."""
    routing = ctx.routing
    if routing is None or ctx.viewer.token_id is None:
        return
    try:
        lsn = await routing.replicas.primary_lsn()
    except Exception:  # the write is done: its answer stands, the next read may not see it
        log.warning("could not read the primary's position after a write", exc_info=True)
        return
    if lsn is not None:
        await routing.marks.put(ctx.viewer.token_id, lsn)


def retry_on_primary(request: Request) -> bool:
    """Whether the request's replica failed while answering it: then it is marked to read from
    the primary (and its earlier outcome forgotten), to be answered again."""
    state = request.scope.get("state", {})
    replica = state.get(ROUTED)
    if not isinstance(replica, Replica) or replica.in_rotation:
        return False
    log.info("replica %s failed during a request: answering it from the primary", replica.name)
    state.pop(ROUTED, None)
    state[PRIMARY_ONLY] = True
    return True
