"""The demo's indicators: the aims the source documents name for the Jiangxi alliance and the
micro-specialty program, as indicators with no targets, since no source gives a number (a
target left null is unknown, not zero)."""

import sqlalchemy as sa

from db.base import table_of
from db.enums import IndicatorComputation
from db.loaders.demo_builder import Builder
from db.loaders.demo_data import ALLIANCE
from db.tables import Alliance, Indicator, Program

__all__ = ["INDICATORS", "PROGRAM", "add_indicators"]

PROGRAM = "Micro-specialties for lifelong learning"
NO_TARGET = " The source gives no target or count: none is recorded."

INDICATORS: tuple[tuple[str, str, str, IndicatorComputation, str], ...] = (
    (
        "alliance",
        "Agreements signed",
        "agreements",
        IndicatorComputation.AGREEMENTS_SIGNED,
        "Sino-foreign cooperative education agreements signed by members, such as those "
        "signed at the 2025 Jiangxi conference (JUFE with UTS, Nanchang Hangkong University "
        "with Belarusian State University).",
    ),
    (
        "alliance",
        "Students exchanged",
        "students",
        IndicatorComputation.MANUAL,
        "Students sent or received in exchanges between members and their foreign partners.",
    ),
    (
        "program",
        "Micro-credentials issued",
        "credentials",
        IndicatorComputation.MANUAL,
        "Micro-specialty certificates issued to learners.",
    ),
    (
        "program",
        "Credits recognised",
        "credits",
        IndicatorComputation.CREDITS_RECOGNISED,
        "Credits recognised between the partners (the cooperation plan's mutual credit "
        "recognition).",
    ),
    (
        "program",
        "Joint courses developed",
        "courses",
        IndicatorComputation.MANUAL,
        "Courses developed jointly by the partners (the plan's joint course development).",
    ),
)
"""(owner, name, unit, computation, description) of each indicator."""


async def add_indicators(b: Builder) -> None:
    alliance = table_of(Alliance)
    program = table_of(Program)
    owners = {
        "alliance": await b.session.scalar(
            sa.select(alliance.c.id).where(alliance.c.name == ALLIANCE)
        ),
        "program": await b.session.scalar(sa.select(program.c.id).where(program.c.name == PROGRAM)),
    }
    for owner, name, unit, computation, description in INDICATORS:
        await b.add(
            Indicator(
                alliance_id=owners["alliance"] if owner == "alliance" else None,
                program_id=owners["program"] if owner == "program" else None,
                name=name,
                unit=unit,
                computation=computation.value,
                description=description + NO_TARGET,
            )
        )
