"""The codes the field shares, as GraphQL: ISCED-F 2013 fields of study, EQF levels and credit
units, their root lists, and the fields that label a program's or course's codes.

The codes themselves (`iscedFCode`, `eqfLevel`, `creditUnitCode`) are plain columns of
programs and courses; the objects here label them from the official lists (`db.codes`), on
graphql-core's road.
"""

from decimal import Decimal
from typing import Annotated, Any, Self

import strawberry
from sqlalchemy.engine import RowMapping

from db import codes
from resolvers import codes as reads
from schema.enums import FieldLevel
from schema.relay import Info

__all__ = ["BroaderField", "CodeQuery", "CreditUnit", "EqfLevel", "FieldOfStudy", "Labelled"]


@strawberry.type(description="The narrow or broad ISCED-F 2013 field another one is in.")
class BroaderField:
    code: str = strawberry.field(description="Its code: 3 digits narrow, 2 broad.")
    label: str = strawberry.field(description="Its English name in ISCED-F 2013.")
    level: FieldLevel = strawberry.field(description="Narrow or broad.")

    @classmethod
    def of_code(cls, code: str | None) -> Self | None:
        found = codes.field_of_study(code) if code is not None else None
        return None if found is None else cls(code=found.code, label=found.label, level=found.level)


@strawberry.type(
    description="A field of education and training of ISCED-F 2013 (UNESCO), from the "
    "official list kept in the repository (db/codes/isced_f_2013.csv)."
)
class FieldOfStudy:
    code: str = strawberry.field(
        description="Its code, with leading zeros: 2 digits broad, 3 narrow, 4 detailed."
    )
    label: str = strawberry.field(description="Its English name in ISCED-F 2013.")
    level: FieldLevel = strawberry.field(description="Broad, narrow or detailed.")
    narrow_code: strawberry.Private[str | None]
    broad_code: strawberry.Private[str | None]

    @classmethod
    def of(cls, found: codes.FieldOfStudy) -> Self:
        return cls(
            code=found.code,
            label=found.label,
            level=found.level,
            narrow_code=found.narrow_code,
            broad_code=found.broad_code,
        )

    @classmethod
    def of_code(cls, code: str | None) -> Self | None:
        found = codes.field_of_study(code) if code is not None else None
        return None if found is None else cls.of(found)

    @strawberry.field(description="The narrow field a detailed one is in; null otherwise.")
    def narrow(self) -> BroaderField | None:
        return BroaderField.of_code(self.narrow_code)

    @strawberry.field(description="The broad field it is in; null for a broad field.")
    def broad(self) -> BroaderField | None:
        return BroaderField.of_code(self.broad_code)


@strawberry.type(
    description="A level of the European Qualifications Framework (Council Recommendation of "
    "22 May 2017), from db/codes/eqf_levels.csv."
)
class EqfLevel:
    level: int = strawberry.field(description="The level, 1 to 8.")
    knowledge: str = strawberry.field(
        description="The level's descriptor of knowledge (Annex II of the Recommendation)."
    )
    qf_ehea_cycle: str | None = strawberry.field(
        description="The cycle of the Qualifications Framework of the European Higher "
        "Education Area the level is compatible with (levels 5 to 8); null below."
    )

    @classmethod
    def of_level(cls, level: int | None) -> Self | None:
        found = codes.eqf_level(level) if level is not None else None
        return None if found is None else cls(**_fields(found))


def _fields(found: codes.EqfLevel) -> dict[str, Any]:
    return {
        "level": found.level,
        "knowledge": found.knowledge,
        "qf_ehea_cycle": found.qf_ehea_cycle,
    }


@strawberry.type(description="A unit credits are counted in, and what one is worth in ECTS.")
class CreditUnit:
    code: str = strawberry.field(description="Its code (`ECTS`, `CN_CREDIT`, ...).")
    name: str = strawberry.field(description="Its name, in English.")
    ects_per_unit: Decimal | None = strawberry.field(
        description="ECTS credits one unit is worth; null where no conversion is agreed (a "
        "recognition rule then sets the ratio)."
    )
    source: str = strawberry.field(description="Where the conversion (or its absence) is from.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            code=row["code"],
            name=row["name"],
            ects_per_unit=row["ects_per_unit"],
            source=row["source"],
        )


@strawberry.type
class Labelled:
    """The labelled codes of a program or course (mixed into both types)."""

    isced_f_code: str | None = strawberry.field(
        description="Its ISCED-F 2013 detailed field of study: a four-digit code of the "
        "official list (`0213` Fine arts); null when not classified."
    )
    eqf_level: int | None = strawberry.field(
        description="Its level in the European Qualifications Framework, 1 to 8; null when not "
        "recorded."
    )
    credit_unit_code: str | None = strawberry.field(
        description="The code of the unit its `credits` count in (see `creditUnits`); null "
        "when not recorded."
    )
    credits: Decimal | None

    @strawberry.field(description="Its field of study with its label, narrow and broad fields.")
    def field_of_study(self) -> FieldOfStudy | None:
        return FieldOfStudy.of_code(self.isced_f_code)

    @strawberry.field(description="Its EQF level with the level's descriptor.")
    def eqf(self) -> EqfLevel | None:
        return EqfLevel.of_level(self.eqf_level)

    @strawberry.field(description="The unit its `credits` count in.")
    async def credit_unit(self, info: Info) -> CreditUnit | None:
        if self.credit_unit_code is None:
            return None
        row = await reads.credit_unit_of(info.context).load(self.credit_unit_code)
        return None if row is None else CreditUnit.from_row(row)

    @strawberry.field(
        description="Its credits converted to ECTS by its unit's value; null when the unit has "
        "no agreed conversion or is not recorded."
    )
    async def ects_credits(self, info: Info) -> Decimal | None:
        if self.credit_unit_code is None or self.credits is None:
            return None
        row = await reads.credit_unit_of(info.context).load(self.credit_unit_code)
        return reads.ects_credits(self.credits, row)


@strawberry.type
class CodeQuery:
    @strawberry.field(
        description="The ISCED-F 2013 fields of education and training, in code order: all of "
        "them, those under a code, or those of one level."
    )
    def fields_of_study(
        self,
        under: Annotated[
            str | None,
            strawberry.argument(description="Only this field and the fields under it (`02`)."),
        ] = None,
        level: Annotated[
            FieldLevel | None, strawberry.argument(description="Only the fields of this level.")
        ] = None,
    ) -> list[FieldOfStudy]:
        if under is not None:
            reads.check_known_field(under, field="under")
        return [FieldOfStudy.of(f) for f in codes.fields_of_study(under=under, level=level)]

    @strawberry.field(description="The eight EQF levels.")
    def eqf_levels(self) -> list[EqfLevel]:
        return [EqfLevel(**_fields(found)) for found in codes.eqf_levels()]

    @strawberry.field(description="The credit units, by code, with their ECTS value.")
    async def credit_units(self, info: Info) -> list[CreditUnit]:
        return [CreditUnit.from_row(row) for row in await reads.credit_units(info.context)]
