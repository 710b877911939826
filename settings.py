"""Configuration read from the environment, in one place (README "Configuration")."""

import os
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DEFAULT_DATABASE_URL", "Introspection", "Settings", "load_settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./partnergraph.db"


class Introspection(StrEnum):
    ON = "on"
    AUTHENTICATED = "authenticated"
    """Off for anonymous callers."""
    OFF = "off"


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
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "partnergraph"
    statement_timeout_ms: int = 10_000
    """PostgreSQL's `statement_timeout` for every connection; 0 turns it off."""
    pool_size: int = 20
    """PostgreSQL connections each worker keeps open. A read holds one only while its statement
    runs; past `pool_size` at once, up to `pool_overflow` more are opened and closed again
    after use, and opening one costs more than most reads (bench/RESULTS.md)."""
    pool_overflow: int = 20
    compiled_reads: bool = True
    """Answer plain-data queries with one SQL statement on PostgreSQL (`resolvers.json_reads`)."""


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or not value.strip() else int(value)


def load_settings() -> Settings:
    """Settings from the environment; `PARTNERGRAPH_ENV=production` changes two defaults:
    GraphiQL off, and introspection only for authenticated callers."""
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
        redis_url=os.environ.get("REDIS_URL", defaults.redis_url),
        statement_timeout_ms=_int(
            "PARTNERGRAPH_STATEMENT_TIMEOUT_MS", defaults.statement_timeout_ms
        ),
        pool_size=_int("PARTNERGRAPH_POOL_SIZE", defaults.pool_size),
        pool_overflow=_int("PARTNERGRAPH_POOL_OVERFLOW", defaults.pool_overflow),
        compiled_reads=_flag("PARTNERGRAPH_COMPILED_READS", defaults.compiled_reads),
    )
