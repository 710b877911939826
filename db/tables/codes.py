"""The credit units programs and courses count in, and what one is worth in ECTS credits."""

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = ["CreditUnit"]


class CreditUnit(SQLModel, table=True):
    """A reference table, filled by migration `0008_ewp` (and changed only by migrations): the
    conversion is a statement with a source, not something an editor sets."""

    __tablename__ = "credit_unit"
    __table_args__ = (
        sa.CheckConstraint("ects_per_unit IS NULL OR ects_per_unit > 0", name="positive"),
    )

    code: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=200)
    ects_per_unit: Decimal | None = Field(default=None, sa_type=sa.Numeric(8, 4))
    """ECTS credits one unit is worth; null where no conversion is agreed."""
    source: str = Field(max_length=1000)
