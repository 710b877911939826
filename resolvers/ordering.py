"""Sort directions shared by every list's `orderBy`."""

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["SortDirection", "order_by_field", "ordered"]


class SortDirection(StrEnum):
    ASC = "asc"
    DESC = "desc"


def ordered(columns: Sequence[ColumnElement[Any]], direction: SortDirection) -> list[Any]:
    """`columns` sorted in `direction`, NULLs last either way (the same on both databases)."""
    if direction is SortDirection.DESC:
        return [c.desc().nulls_last() for c in columns]
    return [c.asc().nulls_last() for c in columns]


def order_by_field(table: sa.Table, order: Any) -> list[Any]:
    """The ORDER BY of a list's `orderBy` input: one column named by `order.field`, then id."""
    return ordered([table.c[order.field.value]], order.direction)
