"""`GET /metrics`: the Prometheus metrics of every worker (`telemetry.metrics`).

With `PARTNERGRAPH_METRICS_TOKEN` set, only a request that sends it as a bearer token is
answered (401 otherwise); without it, `/metrics` is open when `PARTNERGRAPH_METRICS_OPEN` (the
default outside production) and answers 404 when not. The values kept in the caches and the
pool are sampled just before they are read.
"""

import hmac
from collections.abc import Callable

import anyio
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from db.replicas import Replicas
from resolvers.errors import NotFound, Unauthenticated
from resolvers.memo import caches
from settings import Settings
from telemetry.metrics import Metrics, render
from web.access import bearer_token
from web.errors import error_response

__all__ = ["MetricsEndpoint", "sample_every", "sampler"]


class MetricsEndpoint:
    def __init__(self, settings: Settings, sample: Callable[[], None]) -> None:
        self.settings = settings
        self.sample = sample

    def _refusal(self, request: Request) -> Response | None:
        token = self.settings.metrics_token
        if token:
            sent = bearer_token(request.headers.get("authorization")) or ""
            if hmac.compare_digest(sent.encode(), token.encode()):
                return None
            return error_response(Unauthenticated("/metrics needs its token"))
        if self.settings.metrics_open:
            return None
        return error_response(NotFound("no route /metrics"))

    async def answer(self, request: Request) -> Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        self.sample()
        body, media_type = await anyio.to_thread.run_sync(render)
        return Response(body, media_type=media_type)


def sampler(
    metrics: Metrics, engine: AsyncEngine, replicas: Replicas | None = None
) -> Callable[[], None]:
    """What `sample` does for one app: the requests noted since the last time, its engine's pool,
    its read replicas' state and every named cache of the process (`resolvers.memo`) into
    `metrics`."""

    def sample() -> None:
        metrics.flush()
        metrics.sample_pool([engine.sync_engine.pool])
        metrics.sample_caches((c.name, c.hits, c.misses) for c in caches() if c.name)
        if replicas is not None:
            metrics.sample_replicas((r.name, r.in_rotation, r.lag_s) for r in replicas.replicas)

    return sample


async def sample_every(seconds: float, sample: Callable[[], None]) -> None:
    """Calls `sample` every `seconds`, in this worker, until cancelled."""
    while True:
        await anyio.sleep(seconds)
        sample()
