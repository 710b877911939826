"""Proposals: binding another organization waits for its consent.

Adding an organization as an agreement's party, an alliance's member, a program's partner or an
activity's participant is proposed here by one side and made only when the other side accepts:

- an agreement's party: proposed by an editor of one of its parties, answered by the
  organization's editor;
- an alliance's member: invited by the alliance's secretariat and answered by the
  organization's editor, or asked for by the organization's editor and answered by the
  secretariat;
- a program's partner: proposed by an editor of one of its partners, answered by the
  organization's editor;
- an activity's participant: proposed by whoever may change the activity (an editor of a
  participant, the secretariat of its alliance), answered by the organization's editor.

Admins may do anything here; the proposing side may withdraw. A PENDING proposal past its
`expires_on` is LAPSED: it reads so and refuses every answer (`PROPOSAL_LAPSED`). Accepting
checks everything again in its own transaction, locks the proposal row first (so of two
accepts racing, the second waits and finds a new version: `STALE_VERSION`) and makes the link
with the writes every other change of it uses (`resolvers.proposal_links`). Each step writes a
history entry on the proposal. A proposal, or a subject, the caller cannot see answers
`NOT_FOUND` as a missing one does, before any check of role, version or state.
"""

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from db.enums import MembershipRole, PartyRole, ProposalKind, ProposalStatus
from resolvers.errors import ApiError, BadUserInput
from resolvers.proposal_links import KINDS, Terms, check, link
from resolvers.viewer import Viewer
from resolvers.write_scope import check_arguments, may_change, owners_of
from resolvers.writes import HISTORY, StaleVersion, insert_row, jsonable, update_row

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "AlreadyProposed",
    "ProposalClosed",
    "ProposalLapsed",
    "accept",
    "decline",
    "propose_activity_participant",
    "propose_agreement_party",
    "propose_membership",
    "propose_program_partner",
    "status_of",
    "withdraw",
]

DEFAULT_DAYS = 30
"""How long a proposal waits for its answer unless the proposer says otherwise."""
MAX_DAYS = 365

PROPOSAL = table_of(t.Proposal)
S = ProposalStatus


class ProposalLapsed(ApiError):
    code = "PROPOSAL_LAPSED"


class ProposalClosed(ApiError):
    code = "PROPOSAL_CLOSED"


class AlreadyProposed(ApiError):
    code = "ALREADY_PROPOSED"


def status_of(row: RowMapping, today: date | None = None) -> ProposalStatus:
    status = ProposalStatus(row["status"])
    if status is S.PENDING and row["expires_on"] < (today or date.today()):
        return S.LAPSED
    return status


async def _trace(
    connection: AsyncConnection,
    proposal: RowMapping,
    *,
    action: str,
    actor: str,
    changes: dict[str, Any],
) -> None:
    """A history entry of the proposal (no agreement named, so only its sides see it)."""
    await connection.execute(
        sa.insert(HISTORY).values(
            subject_type=PROPOSAL.name,
            subject_id=proposal["id"],
            agreement_id=None,
            action=action,
            actor=actor,
            changed_at=utcnow(),
            changes=changes,
        )
    )


def _expiry(expires_on: date | None) -> date:
    today = date.today()
    if expires_on is None:
        return today + timedelta(days=DEFAULT_DAYS)
    if expires_on < today:
        raise BadUserInput("a proposal cannot expire in the past", field="expiresOn")
    if expires_on > today + timedelta(days=MAX_DAYS):
        raise BadUserInput(f"a proposal waits at most {MAX_DAYS} days", field="expiresOn")
    return expires_on


async def _propose(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    terms: Terms,
    proposer_organization_id: int | None,
    proposer_alliance_id: int | None,
    addressed_organization_id: int | None,
    addressed_alliance_id: int | None,
    subject_name: str,
    expires_on: date,
) -> RowMapping:
    """Records a proposal the caller was found entitled to make (the `propose_*` functions
    decide that): the link must be possible now, and not proposed already by the same side
    (another side's proposal of the same link is not the caller's to know of: both may wait,
    and accepting the second finds the link made)."""
    await check(connection, terms)
    kind = KINDS[terms.kind]
    pending = await connection.scalar(
        sa.select(PROPOSAL.c.id)
        .where(
            PROPOSAL.c.kind == terms.kind.value,
            PROPOSAL.c[kind.column] == terms.subject_id,
            PROPOSAL.c.organization_id == terms.organization_id,
            PROPOSAL.c.person_id.is_not_distinct_from(terms.person_id),
            PROPOSAL.c.proposer_organization_id.is_not_distinct_from(proposer_organization_id),
            PROPOSAL.c.proposer_alliance_id.is_not_distinct_from(proposer_alliance_id),
            PROPOSAL.c.status == S.PENDING.value,
            PROPOSAL.c.expires_on >= date.today(),
        )
        .limit(1)
    )
    if pending is not None:
        raise AlreadyProposed(
            "the same proposal is already waiting for an answer", field="organization"
        )
    values: dict[str, Any] = {
        "kind": terms.kind.value,
        "status": S.PENDING.value,
        kind.column: terms.subject_id,
        "subject_name": subject_name[:1000],
        "organization_id": terms.organization_id,
        "person_id": terms.person_id,
        "role": terms.role,
        "joined_on": terms.joined_on,
        "proposed_by": viewer.label,
        "proposer_organization_id": proposer_organization_id,
        "proposer_alliance_id": proposer_alliance_id,
        "addressed_organization_id": addressed_organization_id,
        "addressed_alliance_id": addressed_alliance_id,
        "expires_on": expires_on,
    }
    row = await insert_row(connection, PROPOSAL, values, actor=viewer.label)
    await _trace(
        connection,
        row,
        action="proposed",
        actor=viewer.label,
        changes={k: {"old": None, "new": jsonable(v)} for k, v in values.items() if v is not None},
    )
    return row


async def _propose_link(
    connection: AsyncConnection,
    viewer: Viewer,
    mutation: str,
    terms: Terms,
    *,
    expires_on: date,
) -> RowMapping:
    """A proposal by whoever may change its subject (the side it comes from: the
    organization, or alliance, among the subject's owners that the caller acts for), addressed
    to the organization it binds."""
    kind = KINDS[terms.kind]
    keys = {
        kind.field: terms.subject_id,
        "organization": terms.organization_id,
        "person": terms.person_id,
    }
    rows = await check_arguments(connection, viewer, mutation, keys)
    subject = rows[kind.field]
    owners = await owners_of(connection, kind.type_name, subject)
    proposer, proposer_alliance = owners.acting_for(viewer)
    return await _propose(
        connection,
        viewer,
        terms=terms,
        proposer_organization_id=proposer,
        proposer_alliance_id=proposer_alliance,
        addressed_organization_id=terms.organization_id,
        addressed_alliance_id=None,
        subject_name=subject[kind.name_column],
        expires_on=expires_on,
    )


async def propose_agreement_party(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    agreement_id: int,
    organization_id: int,
    role: PartyRole,
    expires_on: date | None = None,
) -> RowMapping:
    """An editor of a party asks `organization_id` to become a party too."""
    expiry = _expiry(expires_on)
    terms = Terms(ProposalKind.AGREEMENT_PARTY, agreement_id, organization_id, role.value)
    return await _propose_link(
        connection, viewer, "proposeAgreementParty", terms, expires_on=expiry
    )


async def propose_membership(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    alliance_id: int,
    organization_id: int,
    role: MembershipRole,
    joined_on: date | None = None,
    expires_on: date | None = None,
) -> RowMapping:
    """The alliance's secretariat (or an admin) invites an organization, which answers; or the
    organization's editor asks to join, and the secretariat answers."""
    expiry = _expiry(expires_on)
    rows = await check_arguments(
        connection,
        viewer,
        "proposeMembership",
        {"alliance": alliance_id, "organization": organization_id},
    )
    terms = Terms(
        ProposalKind.MEMBERSHIP, alliance_id, organization_id, role.value, joined_on=joined_on
    )
    if await may_change(connection, viewer, "Alliance", rows["alliance"]):
        sides: dict[str, int | None] = {
            "proposer_organization_id": None,
            "proposer_alliance_id": alliance_id,
            "addressed_organization_id": organization_id,
            "addressed_alliance_id": None,
        }
    else:
        sides = {
            "proposer_organization_id": organization_id,
            "proposer_alliance_id": None,
            "addressed_organization_id": None,
            "addressed_alliance_id": alliance_id,
        }
    return await _propose(
        connection,
        viewer,
        terms=terms,
        subject_name=rows["alliance"]["name"],
        expires_on=expiry,
        **sides,
    )


async def propose_program_partner(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    program_id: int,
    organization_id: int,
    role: PartyRole,
    expires_on: date | None = None,
) -> RowMapping:
    """An editor of a partner asks `organization_id` to become a partner of the program."""
    expiry = _expiry(expires_on)
    terms = Terms(ProposalKind.PROGRAM_PARTNER, program_id, organization_id, role.value)
    return await _propose_link(
        connection, viewer, "proposeProgramPartner", terms, expires_on=expiry
    )


async def propose_activity_participant(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    activity_id: int,
    organization_id: int,
    person_id: int | None = None,
    role: str | None = None,
    expires_on: date | None = None,
) -> RowMapping:
    """Whoever may change the activity (an editor of a participant, the secretariat of the
    activity's alliance) asks `organization_id` to take part, optionally through a person the
    caller can see."""
    expiry = _expiry(expires_on)
    if role is not None and len(role) > 200:
        raise BadUserInput("a role is at most 200 characters", field="role")
    terms = Terms(ProposalKind.ACTIVITY_PARTICIPANT, activity_id, organization_id, role, person_id)
    return await _propose_link(
        connection, viewer, "proposeActivityParticipant", terms, expires_on=expiry
    )


async def _pending(
    connection: AsyncConnection,
    viewer: Viewer,
    mutation: str,
    key: int,
    version: int,
) -> RowMapping:
    """The proposal, locked, if the viewer sees it, may answer (or withdraw) it as `mutation`
    declares, read it at `version`, and it is still waiting for an answer; checked in that
    order."""
    rows = await check_arguments(connection, viewer, mutation, {"id": key}, lock=frozenset({"id"}))
    row = rows["id"]
    if row["version"] != version:
        raise StaleVersion(
            f"this proposal changed since version {version} was read (it is at version "
            f"{row['version']}): read it again",
            field="version",
        )
    status = status_of(row)
    if status is S.LAPSED:
        raise ProposalLapsed(
            f"this proposal lapsed unanswered on {row['expires_on'].isoformat()}; propose again",
            field="id",
        )
    if status is not S.PENDING:
        raise ProposalClosed(f"this proposal is {status.value} already", field="id")
    return row


async def _close(
    connection: AsyncConnection,
    viewer: Viewer,
    row: RowMapping,
    status: ProposalStatus,
    *,
    note: str | None,
    link_id: int | None = None,
) -> RowMapping:
    values: dict[str, Any] = {
        "status": status.value,
        "answered_at": utcnow(),
        "answered_by": viewer.label,
        "note": note,
        "link_id": link_id,
    }
    after = await update_row(
        connection,
        PROPOSAL,
        row["id"],
        row["version"],
        values,
        actor=viewer.label,
        action=status.value,
        what="proposal",
    )
    await _trace(
        connection,
        after,
        action=status.value,
        actor=viewer.label,
        changes={
            k: {"old": jsonable(row[k]), "new": jsonable(after[k])}
            for k in values
            if row[k] != after[k]
        },
    )
    return after


def _note(note: str | None) -> str | None:
    if note is not None and len(note) > 2000:
        raise BadUserInput("a note is at most 2,000 characters", field="note")
    return note


async def accept(
    connection: AsyncConnection, viewer: Viewer, *, key: int, version: int, note: str | None = None
) -> RowMapping:
    """The side addressed accepts: the link is made (checked again now) and the proposal is
    ACCEPTED, in one transaction."""
    note = _note(note)
    row = await _pending(connection, viewer, "acceptProposal", key, version)
    made = await link(connection, Terms.of(row), actor=viewer.label)
    return await _close(connection, viewer, row, S.ACCEPTED, note=note, link_id=made["id"])


async def decline(
    connection: AsyncConnection, viewer: Viewer, *, key: int, version: int, note: str | None = None
) -> RowMapping:
    note = _note(note)
    row = await _pending(connection, viewer, "declineProposal", key, version)
    return await _close(connection, viewer, row, S.DECLINED, note=note)


async def withdraw(
    connection: AsyncConnection, viewer: Viewer, *, key: int, version: int, note: str | None = None
) -> RowMapping:
    note = _note(note)
    row = await _pending(connection, viewer, "withdrawProposal", key, version)
    return await _close(connection, viewer, row, S.WITHDRAWN, note=note)
