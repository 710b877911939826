"""Proposals: a change that binds another organization waits for that side's answer.

Adding an organization as an agreement's party, an alliance's member, a program's partner or an
activity's participant binds it; `resolvers.proposals` records such a change here, and the link
itself is made only when the side addressed accepts. A PENDING proposal past `expires_on` reads
as LAPSED (never stored: no job has to run for a proposal to lapse).
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from db.base import Mutable, check_enum, fk, stamp
from db.enums import ProposalKind, ProposalStatus

__all__ = ["Proposal"]

_SUBJECTS = {
    ProposalKind.AGREEMENT_PARTY: "agreement_id",
    ProposalKind.MEMBERSHIP: "alliance_id",
    ProposalKind.PROGRAM_PARTNER: "program_id",
    ProposalKind.ACTIVITY_PARTICIPANT: "activity_id",
}
_ONE_SUBJECT = " + ".join(f"CASE WHEN {c} IS NULL THEN 0 ELSE 1 END" for c in _SUBJECTS.values())
_SUBJECT_OF_KIND = " OR ".join(
    f"(kind = '{kind.value}' AND {column} IS NOT NULL)" for kind, column in _SUBJECTS.items()
)


class Proposal(Mutable, table=True):
    __tablename__ = "proposal"
    __table_args__ = (
        check_enum("kind", ProposalKind),
        check_enum("status", ProposalStatus),
        sa.CheckConstraint(f"{_ONE_SUBJECT} = 1", name="one_subject"),
        sa.CheckConstraint(_SUBJECT_OF_KIND, name="subject_of_kind"),
        sa.CheckConstraint(
            "addressed_organization_id IS NOT NULL OR addressed_alliance_id IS NOT NULL",
            name="addressed",
        ),
    )

    kind: str = Field(index=True)
    status: str = Field(default=ProposalStatus.PENDING.value, index=True)
    agreement_id: int | None = fk("agreement.id", ondelete="CASCADE")
    alliance_id: int | None = fk("alliance.id", ondelete="CASCADE")
    program_id: int | None = fk("program.id", ondelete="CASCADE")
    activity_id: int | None = fk("activity.id", ondelete="CASCADE")
    subject_name: str = Field(max_length=1000)
    """The subject's title or name when proposed: the side addressed may not see the subject
    itself before it accepts."""
    organization_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    """The organization to be bound."""
    person_id: int | None = fk("person.id", ondelete="CASCADE")
    role: str | None = Field(default=None, max_length=200)
    joined_on: date | None = None
    proposed_by: str = Field(max_length=200)
    """The proposing caller's label (`token:<id>`)."""
    proposer_organization_id: int | None = fk("organization.id", ondelete="SET NULL")
    proposer_alliance_id: int | None = fk("alliance.id", ondelete="SET NULL")
    addressed_organization_id: int | None = fk("organization.id", ondelete="CASCADE")
    addressed_alliance_id: int | None = fk("alliance.id", ondelete="CASCADE")
    expires_on: date = Field(index=True)
    answered_at: datetime | None = stamp()
    answered_by: str | None = Field(default=None, max_length=200)
    note: str | None = None
    link_id: int | None = None
    """The row an accepted proposal made (a party, membership, partner or participant)."""
