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

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from db.enums import MembershipRole, PartyRole, ProposalKind, ProposalStatus
from resolvers.errors import ApiError, BadUserInput, Forbidden, NotFound
from resolvers.proposal_links import KINDS, Terms, check, link
from resolvers.viewer import Role, Viewer
from resolvers.visibility import visible
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
ORGANIZATION = table_of(t.Organization)
PERSON = table_of(t.Person)
PARTY = table_of(t.AgreementParty)
PROGRAM_PARTNER = table_of(t.ProgramPartner)
PARTICIPANT = table_of(t.ActivityParticipant)
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


async def _visible_row(
    connection: AsyncConnection,
    viewer: Viewer,
    table: sa.Table,
    key: int,
    *,
    what: str,
    field: str,
    lock: bool = False,
) -> RowMapping:
    """The row if it exists and the viewer may see it; `NotFound` either way otherwise."""
    statement = sa.select(table).where(table.c.id == key, visible(viewer, table))
    if lock:
        statement = statement.with_for_update()
    row = (await connection.execute(statement)).mappings().first()
    if row is None:
        raise NotFound(f"no {what} with that ID", field=field)
    return row


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


def _acting_editor(viewer: Viewer, organizations: Iterable[int], *, doing: str) -> int | None:
    """The organization an editor acts for (one of `organizations` in its scope; none for an
    admin); `Forbidden` for anyone else."""
    if viewer.is_admin:
        return None
    if viewer.role is Role.EDITOR:
        for organization in sorted(set(organizations)):
            if organization in viewer.scope:
                return organization
    raise Forbidden(
        f"{viewer.role.value} callers may not {doing} (needs an editor of an organization "
        "already taking part, or an admin)"
    )


async def _organizations(connection: AsyncConnection, column: sa.Column[Any], key: Any) -> set[int]:
    table = column.table
    found = await connection.scalars(sa.select(table.c.organization_id).where(column == key))
    return set(found)


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


async def _organization_exists(connection: AsyncConnection, organization_id: int) -> None:
    found = await connection.scalar(
        sa.select(ORGANIZATION.c.id).where(ORGANIZATION.c.id == organization_id)
    )
    if found is None:
        raise NotFound("no Organization with that ID", field="organization")


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
    kind = KINDS[ProposalKind.AGREEMENT_PARTY]
    agreement = await _visible_row(
        connection, viewer, kind.subject, agreement_id, what="Agreement", field="agreement"
    )
    parties = await _organizations(connection, PARTY.c.agreement_id, agreement_id)
    proposer = _acting_editor(viewer, parties, doing="propose parties for this agreement")
    await _organization_exists(connection, organization_id)
    return await _propose(
        connection,
        viewer,
        terms=Terms(ProposalKind.AGREEMENT_PARTY, agreement_id, organization_id, role.value),
        proposer_organization_id=proposer,
        proposer_alliance_id=None,
        addressed_organization_id=organization_id,
        addressed_alliance_id=None,
        subject_name=agreement["title"],
        expires_on=expiry,
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
    kind = KINDS[ProposalKind.MEMBERSHIP]
    alliance = await _visible_row(
        connection, viewer, kind.subject, alliance_id, what="Alliance", field="alliance"
    )
    await _organization_exists(connection, organization_id)
    terms = Terms(
        ProposalKind.MEMBERSHIP, alliance_id, organization_id, role.value, joined_on=joined_on
    )
    invites = viewer.is_admin or (
        viewer.role is Role.SECRETARIAT and viewer.alliance_id == alliance_id
    )
    if invites:
        sides: dict[str, int | None] = {
            "proposer_organization_id": None,
            "proposer_alliance_id": alliance_id,
            "addressed_organization_id": organization_id,
            "addressed_alliance_id": None,
        }
    elif viewer.role is Role.EDITOR and organization_id in viewer.scope:
        sides = {
            "proposer_organization_id": organization_id,
            "proposer_alliance_id": None,
            "addressed_organization_id": None,
            "addressed_alliance_id": alliance_id,
        }
    else:
        raise Forbidden(
            f"{viewer.role.value} callers may not propose this membership (needs the "
            "alliance's secretariat, an editor of the organization asking to join, or an admin)"
        )
    return await _propose(
        connection,
        viewer,
        terms=terms,
        subject_name=alliance["name"],
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
    kind = KINDS[ProposalKind.PROGRAM_PARTNER]
    program = await _visible_row(
        connection, viewer, kind.subject, program_id, what="Program", field="program"
    )
    partners = await _organizations(connection, PROGRAM_PARTNER.c.program_id, program_id)
    proposer = _acting_editor(viewer, partners, doing="propose partners for this program")
    await _organization_exists(connection, organization_id)
    return await _propose(
        connection,
        viewer,
        terms=Terms(ProposalKind.PROGRAM_PARTNER, program_id, organization_id, role.value),
        proposer_organization_id=proposer,
        proposer_alliance_id=None,
        addressed_organization_id=organization_id,
        addressed_alliance_id=None,
        subject_name=program["name"],
        expires_on=expiry,
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
    kind = KINDS[ProposalKind.ACTIVITY_PARTICIPANT]
    activity = await _visible_row(
        connection, viewer, kind.subject, activity_id, what="Activity", field="activity"
    )
    alliance = activity["alliance_id"]
    proposer_alliance = None
    if viewer.role is Role.SECRETARIAT and alliance is not None and viewer.alliance_id == alliance:
        proposer, proposer_alliance = None, alliance
    else:
        participants = await _organizations(connection, PARTICIPANT.c.activity_id, activity_id)
        proposer = _acting_editor(
            viewer, participants, doing="propose participants for this activity"
        )
    await _organization_exists(connection, organization_id)
    if person_id is not None:
        await _visible_row(connection, viewer, PERSON, person_id, what="Person", field="person")
    return await _propose(
        connection,
        viewer,
        terms=Terms(
            ProposalKind.ACTIVITY_PARTICIPANT, activity_id, organization_id, role, person_id
        ),
        proposer_organization_id=proposer,
        proposer_alliance_id=proposer_alliance,
        addressed_organization_id=organization_id,
        addressed_alliance_id=None,
        subject_name=activity["title"],
        expires_on=expiry,
    )


def _addressed(viewer: Viewer, row: RowMapping) -> bool:
    if viewer.role is Role.EDITOR:
        return row["addressed_organization_id"] in viewer.scope
    return viewer.role is Role.SECRETARIAT and (
        row["addressed_alliance_id"] is not None
        and row["addressed_alliance_id"] == viewer.alliance_id
    )


def _proposing(viewer: Viewer, row: RowMapping) -> bool:
    if viewer.role is Role.EDITOR:
        return row["proposer_organization_id"] in viewer.scope
    return viewer.role is Role.SECRETARIAT and (
        row["proposer_alliance_id"] is not None
        and row["proposer_alliance_id"] == viewer.alliance_id
    )


async def _pending(
    connection: AsyncConnection,
    viewer: Viewer,
    key: int,
    version: int,
    *,
    may: Callable[[Viewer, RowMapping], bool],
    doing: str,
    side: str,
) -> RowMapping:
    """The proposal, locked, if the viewer sees it, may `doing` it, read it at `version`, and it
    is still waiting for an answer; checked in that order."""
    row = await _visible_row(
        connection, viewer, PROPOSAL, key, what="Proposal", field="id", lock=True
    )
    if not (viewer.is_admin or may(viewer, row)):
        raise Forbidden(f"{viewer.role.value} callers may not {doing} (needs {side}, or an admin)")
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
    row = await _pending(
        connection,
        viewer,
        key,
        version,
        may=_addressed,
        doing="accept this proposal",
        side="the side it is addressed to",
    )
    made = await link(connection, Terms.of(row), actor=viewer.label)
    return await _close(connection, viewer, row, S.ACCEPTED, note=note, link_id=made["id"])


async def decline(
    connection: AsyncConnection, viewer: Viewer, *, key: int, version: int, note: str | None = None
) -> RowMapping:
    note = _note(note)
    row = await _pending(
        connection,
        viewer,
        key,
        version,
        may=_addressed,
        doing="decline this proposal",
        side="the side it is addressed to",
    )
    return await _close(connection, viewer, row, S.DECLINED, note=note)


async def withdraw(
    connection: AsyncConnection, viewer: Viewer, *, key: int, version: int, note: str | None = None
) -> RowMapping:
    note = _note(note)
    row = await _pending(
        connection,
        viewer,
        key,
        version,
        may=_proposing,
        doing="withdraw this proposal",
        side="the side that proposed it",
    )
    return await _close(connection, viewer, row, S.WITHDRAWN, note=note)
