"""Pieces of SQL that build JSON, shared by the compiled reads and the compiled summaries."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["EMPTY_ARRAY", "constant"]


def constant(value: str) -> ColumnElement[Any]:
    """A string constant written into the statement (keys, type names: never user input)."""
    return sa.literal_column("'" + value.replace("'", "''") + "'")


EMPTY_ARRAY: ColumnElement[Any] = sa.literal_column("'[]'::json")
"""What an aggregate of no rows answers instead of null."""
