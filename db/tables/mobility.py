"""Mobility conditions of an agreement: the cooperation conditions of an Erasmus+
inter-institutional agreement, each one flow from a sending to a receiving institution."""

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from db.base import Mutable, check_enum, fk
from db.enums import MobilityType

__all__ = ["MobilityCondition"]


class MobilityCondition(Mutable, table=True):
    __tablename__ = "mobility_condition"
    __table_args__ = (
        check_enum("mobility_type", MobilityType),
        sa.CheckConstraint("last_academic_year >= first_academic_year", name="years_in_order"),
        sa.CheckConstraint("mobilities_per_year > 0", name="positive_mobilities"),
        sa.CheckConstraint(
            "sending_organization_id <> receiving_organization_id", name="two_sides"
        ),
        sa.CheckConstraint(
            "eqf_level_min IS NULL OR eqf_level_min BETWEEN 1 AND 8", name="eqf_min"
        ),
        sa.CheckConstraint(
            "eqf_level_max IS NULL OR eqf_level_max BETWEEN 1 AND 8", name="eqf_max"
        ),
    )

    agreement_id: int = fk("agreement.id", required=True, ondelete="CASCADE")
    mobility_type: str = Field(index=True)
    sending_organization_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    receiving_organization_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    first_academic_year: int
    """The year the first academic year starts: 2026 is 2026/2027."""
    last_academic_year: int
    mobilities_per_year: int
    total_months_per_year: Decimal | None = Field(default=None, sa_type=sa.Numeric(8, 2))
    total_days_per_year: Decimal | None = Field(default=None, sa_type=sa.Numeric(8, 2))
    isced_f_code: str | None = Field(default=None, max_length=4, index=True)
    isced_clarification: str | None = Field(default=None, max_length=500)
    eqf_level_min: int | None = None
    eqf_level_max: int | None = None
    blended: bool = Field(default=False)
    language_skills: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    """The recommended language skills, in order: `{"language": BCP 47 tag, "cefr": "B2"}`."""
    other_info: str | None = None
