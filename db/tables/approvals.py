"""Approvals on record: who approved (or refused) an agreement, organization or program, when,
under which reference and conditions; and which agreement kinds need whose approval."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, check_enum, fk
from db.enums import AgreementKind, ApprovalDecision

__all__ = ["Approval", "ApprovalPolicy"]


class Approval(Mutable, table=True):
    """One decision by an approver organization (a ministry, a university's legal office or its
    president) on exactly one subject: an agreement, an organization or a program."""

    __tablename__ = "approval"
    __table_args__ = (
        check_enum("decision", ApprovalDecision),
        sa.CheckConstraint(
            "(CASE WHEN agreement_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN organization_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN program_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subject",
        ),
    )

    agreement_id: int | None = fk("agreement.id", ondelete="CASCADE")
    organization_id: int | None = fk("organization.id", ondelete="CASCADE")
    program_id: int | None = fk("program.id", ondelete="CASCADE")
    approver_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    approver_person_id: int | None = fk("person.id", ondelete="SET NULL")
    decision: str = Field(index=True)
    decided_on: date | None = None
    reference_number: str | None = Field(default=None, max_length=200)
    conditions: str | None = None
    document_url: str | None = Field(default=None, max_length=1000)
    description: str | None = None


class ApprovalPolicy(SQLModel, table=True):
    """An organization allowed to approve agreements of one kind; with `required`, agreements of
    that kind are not activated before it has approved them (APPROVED or CONDITIONAL)."""

    __tablename__ = "approval_policy"
    __table_args__ = (
        sa.UniqueConstraint("agreement_kind", "approver_id"),
        check_enum("agreement_kind", AgreementKind),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_kind: str = Field(index=True)
    approver_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    required: bool = Field(default=True)
