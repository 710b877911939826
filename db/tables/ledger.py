"""The credit ledger: append-only entries in a learner's account, each naming its source.

A balance is a sum over entries and is never stored. An entry is never changed or deleted: a
correction or an expiry is a new entry that names the entry it corrects (`corrects_id`) and
carries that entry's outcome, rule and organization, so sums per outcome, per rule or per
organization include it. `entry_key` is unique: the same outcome cannot be earned twice, the
same course counted twice in one account, the same outcome recognised twice at one
organization, the same entry expired twice, or the same conversion credited twice.

Every entry carries the credit unit it counts in (`unit_code`, `credit_unit`; null where the
unit was never recorded: the course, its program or the rule's receiving program has none). A
conversion between units is a pair of `converted` entries: one takes credits out of an earned,
recognised or converted-in entry (negative, `corrects_id` names that entry, in its unit, so the
entry's net includes it), the other puts the converted credits in (positive, in the new unit,
`converted_from_id` names the first); balances are per unit."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import UTCDateTime, check_enum, credits, fk, updated_stamp, utcnow
from db.enums import CreditEntryKind

__all__ = ["CreditEntry"]


class CreditEntry(SQLModel, table=True):
    __tablename__ = "credit_entry"
    __table_args__ = (
        check_enum("kind", CreditEntryKind),
        sa.CheckConstraint(
            "(kind = 'earned' AND outcome_id IS NOT NULL AND credits >= 0 AND corrects_id IS NULL)"
            " OR (kind = 'recognised' AND outcome_id IS NOT NULL AND rule_id IS NOT NULL"
            " AND credits >= 0 AND corrects_id IS NULL)"
            " OR (kind IN ('expired', 'corrected') AND corrects_id IS NOT NULL"
            " AND reason IS NOT NULL)"
            " OR (kind = 'converted' AND unit_code IS NOT NULL AND ((credits < 0"
            " AND corrects_id IS NOT NULL AND converted_from_id IS NULL) OR (credits > 0"
            " AND corrects_id IS NULL AND converted_from_id IS NOT NULL)))",
            name="source_of_kind",
        ),
        sa.CheckConstraint("kind <> 'expired' OR credits <= 0", name="expiry_not_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = fk("credit_account.id", required=True, ondelete="RESTRICT")
    kind: str = Field(index=True)
    credits: Decimal = credits(required=True)
    organization_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    """Where the credits count: the provider for earned ones, the receiving organization for
    recognised ones."""
    outcome_id: int | None = fk("learning_outcome.id", ondelete="RESTRICT")
    rule_id: int | None = fk("recognition_rule.id", ondelete="RESTRICT")
    application_id: int | None = fk("recognition_application.id", ondelete="RESTRICT")
    corrects_id: int | None = fk("credit_entry.id", ondelete="RESTRICT")
    converted_from_id: int | None = fk("credit_entry.id", ondelete="RESTRICT")
    """For the entry a conversion puts in: the entry that took the credits out of their source."""
    unit_code: str | None = fk("credit_unit.code", ondelete="RESTRICT")
    """The credit unit the entry counts in; null where it was never recorded."""
    reason: str | None = Field(default=None, max_length=1000)
    entry_key: str | None = Field(default=None, max_length=120, unique=True)
    recorded_on: date = Field(index=True)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    recorded_by: str = Field(max_length=200)
    updated_at: datetime = updated_stamp(server_default=True)
