"""Mobility conditions for the demo's one bilateral agreement between two universities with a
known internet domain: the Sino-foreign cooperative education agreement of Jiangxi University
of Finance and Economics and the University of Technology Sydney (signed in Nanchang, 2025).

The source names the agreement, not its numbers: the two conditions here are illustrative (and
say so). The SCHAC codes are the universities' internet domains, from their websites in the
source data, as the SCHAC convention makes them.
"""

from decimal import Decimal

import sqlalchemy as sa

from db.base import table_of
from db.enums import MobilityType
from db.loaders.demo_builder import Builder
from db.loaders.demo_data import JUFE
from db.tables import Agreement, MobilityCondition, OrganizationIdentifier

__all__ = ["UTS", "add_mobility"]

UTS = "University of Technology Sydney"
_ILLUSTRATIVE = "Illustrative: the source names the agreement, not its mobility numbers."


async def add_mobility(b: Builder) -> None:
    agreement = table_of(Agreement)
    connection = await b.session.connection()
    agreement_id = await connection.scalar(
        sa.select(agreement.c.id).where(agreement.c.title.contains(f"{JUFE} and {UTS}"))
    )
    assert agreement_id is not None
    for name, domain in ((JUFE, "jxufe.edu.cn"), (UTS, "uts.edu.au")):
        await b.add(
            OrganizationIdentifier(organization_id=b.orgs[name], scheme="schac", value=domain)
        )
    await b.add(
        MobilityCondition(
            agreement_id=agreement_id,
            mobility_type=MobilityType.STUDENT_STUDIES.value,
            sending_organization_id=b.orgs[JUFE],
            receiving_organization_id=b.orgs[UTS],
            first_academic_year=2026,
            last_academic_year=2028,
            mobilities_per_year=10,
            total_months_per_year=Decimal(50),
            isced_f_code="0311",
            eqf_level_min=6,
            eqf_level_max=6,
            language_skills=[{"language": "en", "cefr": "B2"}],
            other_info=_ILLUSTRATIVE,
        )
    )
    await b.add(
        MobilityCondition(
            agreement_id=agreement_id,
            mobility_type=MobilityType.STAFF_TEACHING.value,
            sending_organization_id=b.orgs[UTS],
            receiving_organization_id=b.orgs[JUFE],
            first_academic_year=2026,
            last_academic_year=2028,
            mobilities_per_year=2,
            total_days_per_year=Decimal(10),
            isced_f_code="0412",
            language_skills=[{"language": "en", "cefr": "C1"}],
            other_info=_ILLUSTRATIVE,
        )
    )
