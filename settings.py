"""Configuration read from the environment, in one place."""

import os
from dataclasses import dataclass

__all__ = ["DEFAULT_DATABASE_URL", "Settings", "load_settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./partnergraph.db"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    graphiql: bool = True
    sql_echo: bool = False


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        graphiql=_flag("PARTNERGRAPH_GRAPHIQL", True),
        sql_echo=_flag("PARTNERGRAPH_SQL_ECHO", False),
    )
