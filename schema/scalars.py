"""The custom scalars as callers send them: strawberry's Date, DateTime and Decimal, stricter.

A Decimal must be a finite number the database can hold: strawberry's accepts `NaN`,
`Infinity` and `1e400`, which then failed in the resolvers or in PostgreSQL as unexpected
errors. Dates and times lie between `EARLIEST` and `LATEST`; a time without an offset is UTC
(a naive one failed to store). Every refusal quotes at most a
short prefix of the value (strawberry's quoted all of it). The names and serialisation are
strawberry's; the descriptions say what a caller may send and will get back. JSON keeps
strawberry's parsing and gets a description of what it holds here.
"""

import datetime as dt
import decimal
import re
from collections.abc import Callable
from typing import Any

import dateutil.parser  # type: ignore[import-untyped]
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.scalars import JSON
from strawberry.schema.types.base_scalars import (
    DateDefinition,
    DateTimeDefinition,
    DecimalDefinition,
)
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition

from resolvers.errors import excerpt

__all__ = ["EARLIEST", "LATEST", "MAX_DECIMAL_PLACES", "MAX_DECIMAL_UNITS", "SCALAR_OVERRIDES"]

MAX_DECIMAL_UNITS = 10**16
"""A Decimal's magnitude stays below this (the widest column is NUMERIC(18, 2))."""

MAX_DECIMAL_PLACES = 10

EARLIEST = dt.date(100, 1, 1)
LATEST = dt.date(8999, 12, 31)
"""Dates and times are refused outside these: the resolvers count periods, windows and renewal
terms from them, and near Python's limits (years 1 and 9999) that arithmetic overflowed into
unexpected errors (a trend or summary in the year 9999)."""


def _refused(type_name: str, value: object, why: str) -> StrawberryInputCoercionError:
    return StrawberryInputCoercionError(
        f"Value cannot represent a {type_name}: {excerpt(str(value))}. {why}"
    )


def _strict(
    parse: Callable[[str], object], type_name: str, *, accept_numbers: bool = False
) -> Callable[[object], object]:
    def parse_value(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _refused(type_name, value, "Expected a string.")
        if not isinstance(value, str):
            if not accept_numbers:
                raise _refused(type_name, value, "Expected a string.")
            value = str(value)
        try:
            return parse(value)
        except (ValueError, OverflowError, decimal.DecimalException) as error:
            raise _refused(type_name, value, str(error)[:100]) from None

    return parse_value


_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?")
"""A finite decimal number as JSON or GraphQL would write it (no `NaN`, `Infinity`, `1_000`)."""


def _decimal(text: str) -> decimal.Decimal:
    if _DECIMAL.fullmatch(text.strip()) is None:
        raise ValueError("Expected a finite decimal number such as 12.50.")
    value = decimal.Decimal(text.strip())
    if abs(value) >= MAX_DECIMAL_UNITS:
        raise ValueError(f"Expected a number below {MAX_DECIMAL_UNITS:.0e} in magnitude.")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
        raise ValueError(f"Expected at most {MAX_DECIMAL_PLACES} decimal places.")
    return value


def _in_range(day: dt.date, type_name: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"Expected a {type_name} between {EARLIEST} and {LATEST}.")


def _date(text: str) -> dt.date:
    day = dt.date.fromisoformat(text)
    _in_range(day, "date")
    return day


def _datetime(text: str) -> dt.datetime:
    """A moment; one written without an offset is taken as UTC (every stored time has one)."""
    moment: dt.datetime = dateutil.parser.isoparse(text)
    _in_range(moment.date(), "date and time")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _override(
    definition: ScalarDefinition,
    parse_value: Callable[[object], object] | None,
    description: str,
) -> Any:
    return ScalarDefinition(
        name=definition.name,
        description=description,
        specified_by_url=definition.specified_by_url,
        serialize=definition.serialize,
        parse_value=parse_value or definition.parse_value,
        parse_literal=None if parse_value else definition.parse_literal,
        origin=definition.origin,
    )


def _registered(scalar: object) -> ScalarDefinition:
    """Strawberry's own definition of a scalar it ships."""
    found = DEFAULT_SCALAR_REGISTRY[scalar]
    return found if isinstance(found, ScalarDefinition) else found._scalar_definition


_RANGE = f"between {EARLIEST} and {LATEST}"

SCALAR_OVERRIDES: dict[object, Any] = {
    dt.date: _override(
        DateDefinition,
        _strict(_date, "Date"),
        f"A calendar day in ISO 8601, `YYYY-MM-DD` (e.g. `2026-09-01`), {_RANGE}.",
    ),
    dt.datetime: _override(
        DateTimeDefinition,
        _strict(_datetime, "DateTime"),
        "A moment in ISO 8601 with its offset (e.g. `2026-09-01T08:30:00+08:00`), dated "
        f"{_RANGE}. One sent without an offset is taken as UTC; answers are in UTC "
        "(`+00:00`) as stored.",
    ),
    decimal.Decimal: _override(
        DecimalDefinition,
        _strict(_decimal, "Decimal", accept_numbers=True),
        'An exact decimal number, answered as a string (`"50000.00"`) so that no digit is '
        "lost. Send a string or a number: finite, below 10^16 in magnitude, with at most "
        f"{MAX_DECIMAL_PLACES} decimal places (`NaN`, `Infinity` and `1e400` are refused). "
        "Money, credits and scores are Decimals; the field says the unit.",
    ),
    JSON: _override(
        _registered(JSON),
        None,
        "Any JSON value (an object, list, string, number, boolean or null), as the field "
        "describes it.",
    ),
}
"""For `strawberry.Schema(scalar_overrides=...)`."""
