"""Cooperation agreements: parties, collaboration modes, commitments and documents."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, check_enum, check_order, fk, stamp
from db.enums import (
    AgreementKind,
    AgreementStatus,
    CollaborationMode,
    CommitmentStatus,
    DocumentVisibility,
    PartyRole,
    RenewalRule,
)

__all__ = ["Agreement", "AgreementMode", "AgreementParty", "Commitment", "Document"]


class Agreement(Mutable, table=True):
    __tablename__ = "agreement"
    __table_args__ = (
        check_enum("kind", AgreementKind),
        check_enum("status", AgreementStatus),
        check_enum("renewal_rule", RenewalRule),
        check_order("effective_from", "effective_to"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.CheckConstraint(
            "predecessor_id IS NULL OR predecessor_id <> id", name="not_own_predecessor"
        ),
        sa.UniqueConstraint("source", "source_key"),
    )

    title: str = Field(max_length=1000)
    local_title: str | None = Field(default=None, max_length=1000)
    reference: str | None = Field(default=None, max_length=100, index=True)
    kind: str = Field(index=True)
    status: str = Field(default=AgreementStatus.DRAFT.value, index=True)
    description: str | None = None
    signed_on: date | None = Field(default=None, index=True)
    effective_from: date | None = Field(default=None, index=True)
    effective_to: date | None = Field(default=None, index=True)
    renewal_rule: str = Field(default=RenewalRule.NONE.value)
    renewal_term_months: int | None = Field(default=None, ge=1)
    notice_period_days: int | None = Field(default=None, ge=0)
    """Days before `effective_to` by which a party must give notice (to end an agreement that
    renews itself, or to ask for a renewal); the notice deadline is derived, never stored."""
    parent_id: int | None = fk("agreement.id", ondelete="SET NULL")
    predecessor_id: int | None = fk("agreement.id", ondelete="SET NULL")
    is_illustrative: bool = Field(default=False)
    terms_hash: str | None = Field(default=None, max_length=64)
    """SHA-256 of the terms (see `db.terms.terms_of`), kept current by every
    change; each party's signature stores the hash it signed."""
    short_title: str | None = Field(default=None, max_length=100)
    call: str | None = Field(default=None, max_length=100)
    topic: str | None = Field(default=None, max_length=200)
    funding_scheme: str | None = Field(default=None, max_length=100)
    source: str | None = Field(default=None, max_length=20)
    """The registry the agreement was loaded from (`cordis`), with its key there."""
    source_key: str | None = Field(default=None, max_length=100)


class AgreementParty(Mutable, table=True):
    __tablename__ = "agreement_party"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "organization_id"),
        check_enum("role", PartyRole),
    )

    agreement_id: int = fk("agreement.id", required=True, ondelete="CASCADE")
    organization_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    role: str = Field(default=PartyRole.PARTNER.value, index=True)
    signatory_id: int | None = fk("person.id", ondelete="SET NULL")
    signed_on: date | None = None
    signed_terms_hash: str | None = Field(default=None, max_length=64)
    source_role: str | None = Field(default=None, max_length=40)
    """The role as the registry names it (CORDIS: coordinator, participant, associatedPartner,
    thirdParty)."""


class AgreementMode(SQLModel, table=True):
    __tablename__ = "agreement_mode"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "mode"),
        check_enum("mode", CollaborationMode),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = fk("agreement.id", required=True, ondelete="CASCADE")
    mode: str = Field(index=True)


class Commitment(Mutable, table=True):
    """Who owes what to whom by when; `overdue` is derived from `due_on` when read."""

    __tablename__ = "commitment"
    __table_args__ = (check_enum("status", CommitmentStatus),)

    agreement_id: int = fk("agreement.id", required=True, ondelete="CASCADE")
    obligor_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    beneficiary_id: int | None = fk("organization.id", ondelete="SET NULL")
    description: str
    due_on: date | None = Field(default=None, index=True)
    status: str = Field(default=CommitmentStatus.OPEN.value, index=True)
    delivered_on: date | None = None


class Document(Mutable, table=True):
    """A document of an agreement; its content, if uploaded, is in `DocumentVersion` rows."""

    __tablename__ = "document"
    __table_args__ = (check_enum("visibility", DocumentVisibility),)

    agreement_id: int = fk("agreement.id", required=True, ondelete="CASCADE")
    title: str = Field(max_length=500)
    language: str | None = Field(default=None, max_length=10)
    url: str | None = Field(default=None, max_length=1000)
    issued_on: date | None = None
    uploaded_at: datetime | None = stamp()
    visibility: str = Field(
        default=DocumentVisibility.PARTIES.value, sa_column_kwargs={"server_default": "parties"}
    )
    owner_id: int | None = fk("organization.id", ondelete="SET NULL")
    """The organization that keeps the document (an `OWNER` document is seen by it alone)."""
