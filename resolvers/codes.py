"""The codes the field shares, checked and read: ISCED-F 2013 fields of study and EQF levels
(official lists kept as data, `db.codes`) and credit units (the `credit_unit` table).

A code not in its list is refused with `UNKNOWN_CODE` before anything is written.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db import codes
from db import tables as t
from db.base import table_of
from db.enums import FieldLevel
from resolvers.context import Context
from resolvers.errors import UnknownCode, excerpt

__all__ = [
    "CREDIT_UNIT",
    "check_codes",
    "check_eqf_level",
    "check_field_of_study",
    "check_known_field",
    "credit_unit_of",
    "credit_units",
    "ects_credits",
    "eqf_conditions",
    "field_conditions",
]

CREDIT_UNIT = table_of(t.CreditUnit)


def check_field_of_study(code: str, *, field: str) -> codes.FieldOfStudy:
    """A detailed (four-digit) field of the ISCED-F 2013 list, as EWP and the Beneficiary
    module require; a field known only to its narrow or broad level has its own
    "not further defined" code (`0210`)."""
    found = codes.field_of_study(code)
    if found is None or found.level is not FieldLevel.DETAILED:
        hint = (
            f"; {code} is a {found.level.value} field: give a detailed field under it "
            f"(e.g. {code.ljust(4, '0')}, not further defined)"
            if found is not None
            else " (four digits, e.g. 0213 for Fine arts)"
        )
        raise UnknownCode(
            f"{excerpt(code)} is not a detailed field of ISCED-F 2013{hint}", field=field
        )
    return found


def check_eqf_level(level: int, *, field: str) -> codes.EqfLevel:
    found = codes.eqf_level(level)
    if found is None:
        raise UnknownCode(f"{level} is not an EQF level (1 to 8)", field=field)
    return found


async def _check_credit_unit(connection: AsyncConnection, code: str, *, field: str) -> None:
    found = await connection.scalar(sa.select(CREDIT_UNIT.c.code).where(CREDIT_UNIT.c.code == code))
    if found is None:
        known = ", ".join(await connection.scalars(sa.select(CREDIT_UNIT.c.code).order_by("code")))
        raise UnknownCode(f"{excerpt(code)} is not a credit unit (one of {known})", field=field)


async def check_codes(connection: AsyncConnection, values: Mapping[str, Any]) -> None:
    """The codes among a program's or course's new values, each against its list."""
    if values.get("isced_f_code") is not None:
        check_field_of_study(str(values["isced_f_code"]), field="iscedFCode")
    if values.get("eqf_level") is not None:
        check_eqf_level(int(values["eqf_level"]), field="eqfLevel")
    if values.get("credit_unit_code") is not None:
        await _check_credit_unit(
            connection, str(values["credit_unit_code"]), field="creditUnitCode"
        )


def check_known_field(code: str, *, field: str) -> codes.FieldOfStudy:
    """A field of the list at any level (2, 3 or 4 digits)."""
    found = codes.field_of_study(code)
    if found is None:
        raise UnknownCode(f"{excerpt(code)} is not a field of ISCED-F 2013", field=field)
    return found


def field_conditions(
    column: sa.ColumnElement[Any], given: Sequence[str], *, field: str
) -> list[ColumnElement[bool]]:
    """Rows whose field of study is one of `given` or under one (a broad or narrow code matches
    every detailed field under it); each code must be in the list."""
    for code in given:
        check_known_field(code, field=field)
    return [sa.or_(*(column.startswith(code, autoescape=True) for code in given))]


def eqf_conditions(
    column: sa.ColumnElement[Any], given: Sequence[int], *, field: str
) -> list[ColumnElement[bool]]:
    for level in given:
        check_eqf_level(level, field=field)
    return [column.in_(list(given))]


def credit_unit_of(ctx: Context) -> DataLoader[str, RowMapping | None]:
    """Credit units by code, fetched in one statement per request."""

    async def batch(keys: Sequence[str]) -> list[RowMapping | None]:
        async with ctx.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(CREDIT_UNIT).where(CREDIT_UNIT.c.code.in_(list(keys)))
            )
            found = {row["code"]: row for row in rows.mappings()}
        return [found.get(key) for key in keys]

    loader: DataLoader[str, RowMapping | None] = ctx.loaders.lists(
        "credit_units",
        batch,  # type: ignore[arg-type]
    )
    return loader


async def credit_units(ctx: Context) -> list[RowMapping]:
    async with ctx.engine.connect() as connection:
        rows = await connection.execute(sa.select(CREDIT_UNIT).order_by(CREDIT_UNIT.c.code))
        return list(rows.mappings())


def ects_credits(credits: Decimal | None, unit: RowMapping | None) -> Decimal | None:
    """Credits in ECTS, where the unit has a conversion."""
    if credits is None or unit is None or unit["ects_per_unit"] is None:
        return None
    converted: Decimal = credits * unit["ects_per_unit"]
    return converted.quantize(Decimal("0.01"))
