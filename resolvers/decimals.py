"""Decimals as the API and the CSV reports answer them: with exactly the places of the column
they come from (a NUMERIC(8, 2) credit is "2.00", a NUMERIC(6, 3) ratio "1.000"), on both
databases, and zero as "0.00" rather than "0".

PostgreSQL hands back a sum of a NUMERIC(8, 2) column as `Decimal('2.00')`. SQLite keeps such
numbers as floats: a column read as itself is put to its scale by SQLAlchemy, but a sum over a
union or a subquery, whose type SQLAlchemy cannot tell, came back as 2.0 (answered "2"), and
summed floats are off in the last bits (70.10 + 80.25 = 150.35000000000002). Every sum read is
put to its column's scale here, which also rounds those bits away.
"""

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["mean", "scaled", "zero"]


def _quantum(column: ColumnElement[Any]) -> Decimal:
    kind = column.type
    assert isinstance(kind, sa.Numeric) and kind.scale is not None, column
    return Decimal(1).scaleb(-kind.scale)


def zero(column: ColumnElement[Any]) -> Decimal:
    """0 with the places of `column`."""
    return Decimal(0).quantize(_quantum(column))


def scaled(value: Any, column: ColumnElement[Any]) -> Decimal:
    """`value`, a value or a sum of `column` as either database returns it (a float, an int,
    a Decimal or None for no rows), with the places of `column`; None is zero."""
    if value is None:
        return zero(column)
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(_quantum(column))


def mean(total: Decimal, n: int, column: ColumnElement[Any]) -> Decimal | None:
    """The mean of `n` values of `column` summing to `total`, with the column's places (halves
    to even); None for no values."""
    return (total / n).quantize(_quantum(column)) if n else None
