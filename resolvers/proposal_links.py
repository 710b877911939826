"""The links a proposal makes when it is accepted, one kind each, and the checks they need.

`check` runs when a proposal is made and again, in the accepting transaction, before `link`;
`link` makes the row through the functions every other write of it uses (an agreement's party
through `agreement_terms.add_party`, so its terms hash, version and history move as for any
change of terms; a membership through `membership_writes.join`, with the one-chair rule).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from db.enums import MembershipRole, PartyRole, ProposalKind
from resolvers import agreement_lifecycle, agreement_terms, membership_writes
from resolvers.errors import ApiError, NotFound
from resolvers.write_declarations import TABLES
from resolvers.writes import insert_row, row_or_none

__all__ = ["KINDS", "AlreadyLinked", "Kind", "Terms", "check", "link"]

PARTY = table_of(t.AgreementParty)
PROGRAM_PARTNER = table_of(t.ProgramPartner)
PARTICIPANT = table_of(t.ActivityParticipant)


class AlreadyLinked(ApiError):
    code = "ALREADY_LINKED"


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind's subject: its type (its table is `write_declarations.TABLES`'), the input field and
    proposal column (`<field>_id`) naming it, and the column of its name."""

    type_name: str
    field: str
    name_column: str

    @property
    def subject(self) -> sa.Table:
        return TABLES[self.type_name]

    @property
    def column(self) -> str:
        return f"{self.field}_id"

    @property
    def what(self) -> str:
        return self.subject.name


KINDS: Mapping[ProposalKind, Kind] = {
    ProposalKind.AGREEMENT_PARTY: Kind("Agreement", "agreement", "title"),
    ProposalKind.MEMBERSHIP: Kind("Alliance", "alliance", "name"),
    ProposalKind.PROGRAM_PARTNER: Kind("Program", "program", "name"),
    ProposalKind.ACTIVITY_PARTICIPANT: Kind("Activity", "activity", "title"),
}


@dataclass(frozen=True, slots=True)
class Terms:
    """What a proposal would bind: `role` as stored (an enum's value, or free text for a
    participant)."""

    kind: ProposalKind
    subject_id: int
    organization_id: int
    role: str | None = None
    person_id: int | None = None
    joined_on: date | None = None

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> "Terms":
        kind = ProposalKind(row["kind"])
        return cls(
            kind=kind,
            subject_id=row[KINDS[kind].column],
            organization_id=row["organization_id"],
            role=row["role"],
            person_id=row["person_id"],
            joined_on=row["joined_on"],
        )


async def _subject(connection: AsyncConnection, terms: Terms) -> RowMapping:
    kind = KINDS[terms.kind]
    row = await row_or_none(connection, kind.subject, terms.subject_id)
    if row is None:
        raise NotFound(f"no such {kind.what}", field=kind.field)
    return row


async def _exists(connection: AsyncConnection, statement: sa.Select[Any]) -> bool:
    return await connection.scalar(statement.limit(1)) is not None


async def check(connection: AsyncConnection, terms: Terms) -> RowMapping:
    """The subject (returned) still exists, the organization is not linked to it yet, and the
    link keeps the subject's rules; else the error the direct write would give."""
    subject = await _subject(connection, terms)
    organization = terms.organization_id
    if terms.kind is ProposalKind.AGREEMENT_PARTY:
        agreement_lifecycle.require_open_terms(subject)
        linked = sa.select(PARTY.c.id).where(
            PARTY.c.agreement_id == terms.subject_id, PARTY.c.organization_id == organization
        )
        if await _exists(connection, linked):
            raise AlreadyLinked("this organization is already a party", field="organization")
    elif terms.kind is ProposalKind.MEMBERSHIP:
        await membership_writes.require_joinable(
            connection,
            alliance_id=terms.subject_id,
            organization_id=organization,
            role=MembershipRole(terms.role or MembershipRole.MEMBER),
        )
    elif terms.kind is ProposalKind.PROGRAM_PARTNER:
        linked = sa.select(PROGRAM_PARTNER.c.id).where(
            PROGRAM_PARTNER.c.program_id == terms.subject_id,
            PROGRAM_PARTNER.c.organization_id == organization,
        )
        if await _exists(connection, linked):
            raise AlreadyLinked("this organization is already a partner", field="organization")
    else:
        linked = sa.select(PARTICIPANT.c.id).where(
            PARTICIPANT.c.activity_id == terms.subject_id,
            PARTICIPANT.c.organization_id == organization,
            PARTICIPANT.c.person_id.is_not_distinct_from(terms.person_id),
        )
        if await _exists(connection, linked):
            raise AlreadyLinked("this organization already takes part", field="organization")
    return subject


async def link(connection: AsyncConnection, terms: Terms, *, actor: str) -> RowMapping:
    """Checks again and makes the link; returns the new row."""
    await check(connection, terms)
    action = "accepted proposal"
    if terms.kind is ProposalKind.AGREEMENT_PARTY:
        return await agreement_terms.add_party(
            connection,
            terms.subject_id,
            agreement_terms.PartyTerms(
                terms.organization_id, PartyRole(terms.role or PartyRole.PARTNER)
            ),
            actor=actor,
            action=f"party added by {action}",
        )
    if terms.kind is ProposalKind.MEMBERSHIP:
        return await membership_writes.join(
            connection,
            alliance_id=terms.subject_id,
            organization_id=terms.organization_id,
            role=MembershipRole(terms.role or MembershipRole.MEMBER),
            joined_on=terms.joined_on,
            actor=actor,
            action=f"joined by {action}",
        )
    if terms.kind is ProposalKind.PROGRAM_PARTNER:
        values: dict[str, Any] = {
            "program_id": terms.subject_id,
            "organization_id": terms.organization_id,
            "role": terms.role,
        }
        return await insert_row(connection, PROGRAM_PARTNER, values, actor=actor, action=action)
    values = {
        "activity_id": terms.subject_id,
        "organization_id": terms.organization_id,
        "person_id": terms.person_id,
        "role": terms.role,
    }
    return await insert_row(connection, PARTICIPANT, values, actor=actor, action=action)
