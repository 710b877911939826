"""Configuration read from the environment, in one place (README "Configuration")."""

import os
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DEFAULT_DATABASE_URL", "FailureMode", "Introspection", "Settings", "load_settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./partnergraph.db"


class Introspection(StrEnum):
    ON = "on"
    AUTHENTICATED = "authenticated"
    """Off for anonymous callers."""
    OFF = "off"


class FailureMode(StrEnum):
    """What the rate limiter does while Redis cannot be reached."""

    OPEN = "open"
    """Let requests through uncounted (and log it)."""
    CLOSED = "closed"
    """Refuse them: HTTP 503, code `RATE_LIMIT_UNAVAILABLE`."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    graphiql: bool = True
    introspection: Introspection = Introspection.ON
    sql_echo: bool = False
    private: bool = False
    """Refuse anonymous callers altogether (HTTP 401)."""
    max_cost: int = 50_000
    max_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 5_000
    max_body_bytes: int = 200_000
    max_string_length: int = 10_000
    """Characters in any one string a caller sends (`schema.input_hygiene`)."""
    max_search_length: int = 1_000
    """Characters in a free-text search (a filter's `text`)."""
    rate_limit_per_minute: int = 500_000
    """Cost points per caller (token, or client address when anonymous); 0 turns it off."""
    max_failed_authentications: int = 20
    """Failed authentications a minute per client address before it is refused (HTTP 429),
    counted by the rate limiter (so off when it is); 0 turns it off."""
    suggestions: bool = True
    """"Did you mean ...?" in error messages; off in production."""
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "partnergraph"
    redis_timeout_ms: int = 200
    """Deadline for connecting to Redis and for each reply: what a slow Redis may add to a
    request."""
    redis_breaker_failures: int = 3
    """Consecutive Redis failures after which Redis is skipped for `redis_breaker_seconds`
    (then one request probes it again)."""
    redis_breaker_seconds: float = 10.0
    rate_limit_on_redis_failure: FailureMode = FailureMode.OPEN
    max_json_depth: int = 64
    """Deepest nesting of arrays and objects a request body (or `variables` / `extensions`
    query parameter) may have; deeper is refused with 400 before it is decoded."""
    database_connect_timeout_ms: int = 5_000
    """Deadline for opening a PostgreSQL connection (asyncpg waits a minute by default)."""
    worker_healthcheck_timeout_s: int = 120
    """How long `serve --workers N` waits for a worker to answer its health check before it
    kills and replaces it (uvicorn's default, 5 s, is shorter than a worker's start-up on a
    busy machine)."""
    statement_timeout_ms: int = 10_000
    """PostgreSQL's `statement_timeout` for every connection; 0 turns it off."""
    pool_size: int = 20
    """PostgreSQL connections each worker keeps open. A read holds one only while its statement
    runs; past `pool_size` at once, up to `pool_overflow` more are opened and closed again
    after use, and opening one costs more than most reads (bench/RESULTS.md)."""
    pool_overflow: int = 20
    compiled_reads: bool = True
    """Answer plain-data queries with one SQL statement on PostgreSQL (`resolvers.json_reads`)."""
    analytics_processes: int = 2
    """Processes per worker that run the network analytics (`graph.isolation`)."""
    analytics_timeout_s: float = 60.0
    """How long one network analytic may run before it is stopped (ANALYTICS_TIMEOUT)."""


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or not value.strip() else int(value)


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if value is None or not value.strip() else float(value)


def load_settings() -> Settings:
    """Settings from the environment; `PARTNERGRAPH_ENV=production` changes three defaults:
    GraphiQL off, introspection only for authenticated callers, and no "Did you mean ...?"
    suggestions in error messages."""
    production = os.environ.get("PARTNERGRAPH_ENV", "development").strip() == "production"
    introspection = os.environ.get("PARTNERGRAPH_INTROSPECTION")
    defaults = Settings()
    return Settings(
        database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        graphiql=_flag("PARTNERGRAPH_GRAPHIQL", not production),
        introspection=Introspection(introspection.strip())
        if introspection
        else (Introspection.AUTHENTICATED if production else Introspection.ON),
        sql_echo=_flag("PARTNERGRAPH_SQL_ECHO", False),
        private=_flag("PARTNERGRAPH_PRIVATE", False),
        max_cost=_int("PARTNERGRAPH_MAX_COST", defaults.max_cost),
        max_depth=_int("PARTNERGRAPH_MAX_DEPTH", defaults.max_depth),
        max_aliases=_int("PARTNERGRAPH_MAX_ALIASES", defaults.max_aliases),
        max_tokens=_int("PARTNERGRAPH_MAX_TOKENS", defaults.max_tokens),
        max_body_bytes=_int("PARTNERGRAPH_MAX_BODY_BYTES", defaults.max_body_bytes),
        max_string_length=_int("PARTNERGRAPH_MAX_STRING_LENGTH", defaults.max_string_length),
        max_search_length=_int("PARTNERGRAPH_MAX_SEARCH_LENGTH", defaults.max_search_length),
        rate_limit_per_minute=_int("PARTNERGRAPH_RATE_LIMIT", defaults.rate_limit_per_minute),
        max_failed_authentications=_int(
            "PARTNERGRAPH_MAX_FAILED_AUTHENTICATIONS", defaults.max_failed_authentications
        ),
        suggestions=_flag("PARTNERGRAPH_SUGGESTIONS", not production),
        redis_url=os.environ.get("REDIS_URL", defaults.redis_url),
        redis_timeout_ms=_int("PARTNERGRAPH_REDIS_TIMEOUT_MS", defaults.redis_timeout_ms),
        redis_breaker_failures=_int(
            "PARTNERGRAPH_REDIS_BREAKER_FAILURES", defaults.redis_breaker_failures
        ),
        redis_breaker_seconds=float(
            os.environ.get("PARTNERGRAPH_REDIS_BREAKER_SECONDS") or defaults.redis_breaker_seconds
        ),
        rate_limit_on_redis_failure=FailureMode(
            (os.environ.get("PARTNERGRAPH_RATE_LIMIT_ON_REDIS_FAILURE") or "open").strip().lower()
        ),
        max_json_depth=_int("PARTNERGRAPH_MAX_JSON_DEPTH", defaults.max_json_depth),
        database_connect_timeout_ms=_int(
            "PARTNERGRAPH_DB_CONNECT_TIMEOUT_MS", defaults.database_connect_timeout_ms
        ),
        worker_healthcheck_timeout_s=_int(
            "PARTNERGRAPH_WORKER_HEALTHCHECK_TIMEOUT_S", defaults.worker_healthcheck_timeout_s
        ),
        statement_timeout_ms=_int(
            "PARTNERGRAPH_STATEMENT_TIMEOUT_MS", defaults.statement_timeout_ms
        ),
        pool_size=_int("PARTNERGRAPH_POOL_SIZE", defaults.pool_size),
        pool_overflow=_int("PARTNERGRAPH_POOL_OVERFLOW", defaults.pool_overflow),
        compiled_reads=_flag("PARTNERGRAPH_COMPILED_READS", defaults.compiled_reads),
        analytics_processes=_int("PARTNERGRAPH_ANALYTICS_PROCESSES", defaults.analytics_processes),
        analytics_timeout_s=_float(
            "PARTNERGRAPH_ANALYTICS_TIMEOUT_S", defaults.analytics_timeout_s
        ),
    )
