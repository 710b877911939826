"""The Starlette application: GraphQL (with GraphiQL) at /graphql, over one async engine."""

import functools
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

from db.engine import create_engine
from db.replicas import Replicas
from resolvers.persisted_queries import PersistedQueries
from resolvers.rate_limit import NoRateLimit, RateLimiter, RedisRateLimiter
from resolvers.read_routing import ReadRouting
from resolvers.reminders import start_reminder_job
from resolvers.rollup_job import start_rollup_job
from resolvers.webhook_delivery import start_webhook_worker
from settings import Settings, load_settings
from telemetry.logs import configure_logging, flush_logs
from telemetry.metrics import Metrics, mark_worker_gone
from telemetry.sql import count_statements
from web import graphiql
from web.access import bearer_token
from web.body_limit import BodySizeLimit
from web.calendar import CalendarFeed
from web.cors import Cors
from web.credentials import credential_routes
from web.documents import DocumentDownload
from web.errors import LastResort, starlette_http_exception
from web.ewp_iias import EwpIias
from web.graphql_view import PartnerGraphQL
from web.health import Readiness, health, live, root
from web.metrics_endpoint import MetricsEndpoint, sample_every, sampler
from web.network_export import NetworkExport
from web.observe import Observe
from web.pages import pages_mount
from web.reports_csv import report_routes
from web.saved_views import SavedViews

__all__ = ["create_app"]

SAMPLE_SECONDS = 1.0
"""How often each worker adds its requests, pool and cache counts to the metrics."""


def rate_limiter(settings: Settings) -> RateLimiter:
    if settings.rate_limit_per_minute <= 0 or not settings.redis_url:
        return NoRateLimit()
    return RedisRateLimiter(
        settings.redis_url,
        points_per_minute=settings.rate_limit_per_minute,
        prefix=settings.redis_prefix,
        timeout_s=settings.redis_timeout_ms / 1000,
        breaker_failures=settings.redis_breaker_failures,
        breaker_pause_s=settings.redis_breaker_seconds,
        on_failure=settings.rate_limit_on_redis_failure,
    )


def persisted_queries(settings: Settings, engine: AsyncEngine) -> PersistedQueries:
    """The store of Automatic Persisted Queries: Redis (when `REDIS_URL` is set) behind a
    per-worker LRU, and the saved views in the database (`resolvers.persisted_queries`)."""
    return PersistedQueries(
        engine=engine,
        redis_url=settings.redis_url,
        prefix=settings.redis_prefix,
        timeout_s=settings.redis_timeout_ms / 1000,
        breaker_failures=settings.redis_breaker_failures,
        breaker_pause_s=settings.redis_breaker_seconds,
    )


@functools.cache
def _freeze_start_up_heap() -> None:
    """Move everything made at start-up (schema, tables, registries), which lives as long as the
    process, out of the collector's sight, so full collections stop walking it in the middle of
    requests (tens of ms each; bench/RESULTS.md). Once per process: a process that starts many
    apps (the test suite) does not collect its whole heap at each start."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> Starlette:
    """The application; `engine` is shared with the caller (tests) when given, else owned."""
    settings = settings or load_settings()
    configure_logging(settings)
    owned = engine is None
    db = engine or create_engine(
        settings.database_url,
        echo=settings.sql_echo,
        statement_timeout_ms=settings.statement_timeout_ms,
        pool_size=settings.pool_size,
        pool_overflow=settings.pool_overflow,
        connect_timeout_s=settings.database_connect_timeout_ms / 1000,
    )
    limiter = rate_limiter(settings)
    persisted = persisted_queries(settings, db)
    count_statements(db)
    routing = ReadRouting.of(settings, db)
    if routing is not None:
        for replica in routing.replicas.replicas:
            count_statements(replica.engine)
    metrics = Metrics(settings.metrics_max_operations)
    sample = sampler(metrics, db, routing.replicas if routing is not None else None)
    tracing = None
    if settings.otlp_endpoint:
        from telemetry.tracing import Tracing

        tracing = Tracing(settings, db)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[dict[str, Any]]:
        _freeze_start_up_heap()
        await limiter.check()
        delivery = start_webhook_worker(db, settings) if settings.webhooks_in_serve else None
        reminders = start_reminder_job(db, settings) if settings.reminders_in_serve else None
        rollups = start_rollup_job(db, settings) if settings.rollups_in_serve else None
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(sample_every, SAMPLE_SECONDS, sample)
            if routing is not None:
                await routing.replicas.check()  # in rotation from the first request
                tasks.start_soon(check_every, settings.replica_check_ms / 1000, routing.replicas)
            yield {}
            tasks.cancel_scope.cancel()
        if delivery is not None:
            await delivery.close()
        if reminders is not None:
            await reminders.close()
        if rollups is not None:
            await rollups.close()
        await limiter.close()
        await persisted.close()
        if routing is not None:
            await routing.close()
        if tracing is not None:
            tracing.close()
        mark_worker_gone()
        flush_logs()
        if owned:
            await db.dispose()

    graphql = PartnerGraphQL(
        engine=db, settings=settings, limiter=limiter, persisted=persisted, routing=routing
    )
    reports = report_routes(
        engine=db, settings=settings, limiter=limiter, credentials_of=bearer_token
    )
    pages = (
        pages_mount(
            schema=graphql.schema,
            engine=db,
            settings=settings,
            limiter=limiter,
            report=reports[0].app,
        )
        if settings.pages
        else []
    )
    application = Starlette(
        routes=[
            Route("/", root),
            Route("/health", health),
            Route("/health/live", live),
            Route(
                "/health/ready",
                Readiness(engine=db, settings=settings, limiter=limiter).answer,
            ),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/views/{name}", SavedViews(graphql), methods=["GET"]),
            Route(
                "/documents/{sha256}",
                DocumentDownload(settings=settings).answer,
                methods=["GET"],
            ),
            Route("/metrics", MetricsEndpoint(settings, sample).answer, methods=["GET"]),
            *reports,
            Route(
                "/calendar.ics",
                CalendarFeed(
                    engine=db, settings=settings, limiter=limiter, credentials_of=bearer_token
                ).answer,
                methods=["GET"],
            ),
            Route(
                "/network/export.{format}",
                NetworkExport(
                    engine=db, settings=settings, limiter=limiter, credentials_of=bearer_token
                ),
                methods=["GET"],
            ),
            Route(
                "/ewp/iias",
                EwpIias(engine=db, settings=settings, limiter=limiter, credentials_of=bearer_token),
                methods=["GET", "POST"],
            ),
            *credential_routes(engine=db, settings=settings),
            *([graphiql.assets_mount()] if settings.graphiql else []),
            *pages,
        ],
        middleware=[
            Middleware(Observe, metrics=metrics, tracing=tracing),
            Middleware(Cors, origins=settings.allowed_origins),
            Middleware(LastResort),
            Middleware(
                BodySizeLimit,
                max_bytes=settings.max_body_bytes,
                max_multipart_bytes=settings.max_multipart_bytes,
            ),
        ],
        exception_handlers={StarletteHTTPException: starlette_http_exception},
        lifespan=lifespan,
    )
    application.state.limiter = limiter
    application.state.persisted = persisted
    application.state.routing = routing
    return application


async def check_every(seconds: float, replicas: Replicas) -> None:
    """Checks the replicas every `seconds`, in this worker, until cancelled."""
    while True:
        await anyio.sleep(seconds)
        await replicas.check()
