"""The credit bank: learners, their accounts and enrolments, outcomes, and recognition.

Balances are never stored: they are sums over outcomes and recognitions (the ledger)."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from db.base import Mutable, check_enum, check_non_negative, check_order, credits, fk
from db.enums import EnrolmentStatus

__all__ = [
    "CreditAccount",
    "CreditRecognition",
    "Enrolment",
    "Learner",
    "LearningOutcome",
    "RecognitionRule",
]


class Learner(Mutable, table=True):
    __tablename__ = "learner"

    name: str = Field(max_length=300)
    home_organization_id: int | None = fk("organization.id", ondelete="SET NULL")
    external_ref: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=300)


class CreditAccount(Mutable, table=True):
    __tablename__ = "credit_account"
    __table_args__ = (sa.UniqueConstraint("learner_id", "bank_id"),)

    learner_id: int = fk("learner.id", required=True, ondelete="CASCADE")
    bank_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    opened_on: date | None = None


class Enrolment(Mutable, table=True):
    __tablename__ = "enrolment"
    __table_args__ = (
        sa.UniqueConstraint("learner_id", "program_id"),
        check_enum("status", EnrolmentStatus),
        check_order("enrolled_on", "completed_on"),
    )

    learner_id: int = fk("learner.id", required=True, ondelete="CASCADE")
    program_id: int = fk("program.id", required=True, ondelete="CASCADE")
    status: str = Field(default=EnrolmentStatus.ENROLLED.value, index=True)
    enrolled_on: date | None = Field(default=None, index=True)
    completed_on: date | None = None


class LearningOutcome(Mutable, table=True):
    __tablename__ = "learning_outcome"
    __table_args__ = (check_non_negative("credits"),)

    account_id: int = fk("credit_account.id", required=True, ondelete="CASCADE")
    provider_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    program_id: int | None = fk("program.id", ondelete="SET NULL")
    course_id: int | None = fk("course.id", ondelete="SET NULL")
    title: str = Field(max_length=500)
    credits: Decimal = credits(required=True)
    earned_on: date = Field(index=True)
    evidence_url: str | None = Field(default=None, max_length=1000)


class RecognitionRule(Mutable, table=True):
    """How credits earned at one organization (or program) count at another, under an agreement."""

    __tablename__ = "recognition_rule"
    __table_args__ = (
        sa.CheckConstraint("ratio > 0", name="ratio_positive"),
        check_non_negative("max_credits"),
    )

    agreement_id: int | None = fk("agreement.id", ondelete="CASCADE")
    from_organization_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    from_program_id: int | None = fk("program.id", ondelete="CASCADE")
    to_organization_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    to_program_id: int | None = fk("program.id", ondelete="CASCADE")
    ratio: Decimal = Field(default=Decimal(1), sa_type=sa.Numeric(6, 3), nullable=False)
    max_credits: Decimal | None = credits()


class CreditRecognition(Mutable, table=True):
    __tablename__ = "credit_recognition"
    __table_args__ = (
        sa.UniqueConstraint("outcome_id", "rule_id"),
        check_non_negative("credits"),
    )

    outcome_id: int = fk("learning_outcome.id", required=True, ondelete="CASCADE")
    rule_id: int = fk("recognition_rule.id", required=True, ondelete="RESTRICT")
    credits: Decimal = credits(required=True)
    recognised_on: date = Field(index=True)
