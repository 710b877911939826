"""Grants and special funds from a funder to an agreement or a program."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from db.base import Mutable, check_non_negative, check_order, fk, money

__all__ = ["Funding"]


class Funding(Mutable, table=True):
    __tablename__ = "funding"
    __table_args__ = (
        check_non_negative("amount"),
        check_order("starts_on", "ends_on"),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency", name="currency_iso"
        ),
        sa.CheckConstraint(
            "agreement_id IS NOT NULL OR program_id IS NOT NULL", name="has_recipient"
        ),
    )

    funder_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    agreement_id: int | None = fk("agreement.id", ondelete="CASCADE")
    program_id: int | None = fk("program.id", ondelete="CASCADE")
    recipient_id: int | None = fk("organization.id", ondelete="RESTRICT")
    """The party that receives the money, when the grant names one (a CORDIS participant)."""
    title: str | None = Field(default=None, max_length=500)
    amount: Decimal = money(required=True)
    currency: str = Field(max_length=3)
    awarded_on: date | None = Field(default=None, index=True)
    starts_on: date | None = None
    ends_on: date | None = None
