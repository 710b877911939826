"""Proposals: changes that bind another organization, waiting for its answer.

Thin GraphQL over `resolvers.proposals` (the rules) and `resolvers.proposal_reads` (the list);
every mutation is one transaction (`schema.mutations.run_mutation`).
"""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import proposal_reads as reads
from resolvers import proposals as service
from resolvers.compiled import lists
from resolvers.ids import decode_id_of
from resolvers.permissions import Permission
from schema.agreements import HistoryEntry
from schema.compiled.declare import child_list, referenced
from schema.enums import (
    MembershipRole,
    PartyRole,
    ProposalDirection,
    ProposalKind,
    ProposalStatus,
)
from schema.mutations import UserError, run_mutation
from schema.relay import Connection, Info, Node, connection, list_request, related

__all__ = [
    "Proposal",
    "ProposalFilter",
    "ProposalMutation",
    "ProposalQuery",
    "ProposalSide",
    "ProposalSubject",
]

ANYONE = Permission("a role checked against the records", lambda viewer, arguments: True)
"""Who may propose or answer depends on the records (the parties, the sides), so the check runs
inside the transaction (`resolvers.proposals`)."""

_THE_PROPOSAL = strawberry.argument(description="The proposal.")
_FIRST = "How many, at most 100 (20 if not given)."

_ENUM_ROLES: dict[str, type[PartyRole] | type[MembershipRole]] = {
    ProposalKind.AGREEMENT_PARTY.value: PartyRole,
    ProposalKind.MEMBERSHIP.value: MembershipRole,
    ProposalKind.PROGRAM_PARTNER.value: PartyRole,
}


@strawberry.input(description="Conditions on proposals; all given conditions must hold.")
class ProposalFilter(reads.ProposalFilter):
    statuses: list[ProposalStatus] | None = strawberry.field(
        default=None,
        description="Only proposals in one of these states (LAPSED: pending past its expiry).",
    )
    direction: ProposalDirection = strawberry.field(
        default=ProposalDirection.ANY,
        description="INCOMING: those the caller's side is asked to answer; OUTGOING: those it "
        "made; ANY: both (for an admin, every proposal whichever is given).",
    )


@strawberry.type(
    description="What a proposal would bind the organization to: one of agreement, alliance, "
    "program or activity (null where the caller cannot see it yet), and its name."
)
class ProposalSubject:
    name: str = strawberry.field(
        description="The title or name of the subject when proposed (the side asked may not see "
        "the subject itself before it accepts)."
    )
    agreement_id: strawberry.Private[int | None]
    alliance_id: strawberry.Private[int | None]
    program_id: strawberry.Private[int | None]
    activity_id: strawberry.Private[int | None]

    agreement = referenced(
        "Agreement",
        "agreement_id",
        description="For a party: the agreement, if the caller can see it.",
    )

    alliance = referenced("Alliance", "alliance_id", description="For a membership: the alliance.")

    program = referenced("Program", "program_id", description="For a program partner: the program.")

    activity = referenced(
        "Activity",
        "activity_id",
        description="For a participant: the activity, if the caller can see it.",
    )


@strawberry.type(
    description="One side of a proposal: an organization (its editors act for it) or an "
    "alliance (its secretariat does); both null for a proposal an admin made."
)
class ProposalSide:
    organization_id: strawberry.Private[int | None]
    alliance_id: strawberry.Private[int | None]

    organization = referenced(
        "Organization",
        "organization_id",
        description="The organization, if an organization is this side.",
    )

    alliance = referenced(
        "Alliance", "alliance_id", description="The alliance, if its secretariat is this side."
    )


@strawberry.type(
    description="A change that binds an organization (a party, a member, a program partner, an "
    "activity participant), proposed by one side and made only when the other side accepts. "
    "Seen by both sides and admins only."
)
class Proposal(Node):
    kind: ProposalKind = strawberry.field(description="What the organization would be bound to.")
    subject: ProposalSubject = strawberry.field(description="What it would be bound to.")
    proposed_by: ProposalSide = strawberry.field(description="The side that proposed it.")
    addressed_to: ProposalSide = strawberry.field(
        description="The side asked to answer: the organization to be bound, or, for a request "
        "to join an alliance, the alliance."
    )
    joined_on: date | None = strawberry.field(
        description="For a membership: the day the organization would join."
    )
    proposer_token: str = strawberry.field(description="The token that proposed (`token:<id>`).")
    expires_on: date = strawberry.field(
        description="The last day it may be answered; unanswered after it, it is LAPSED."
    )
    answered_at: datetime | None = strawberry.field(
        description="When it was accepted, declined or withdrawn."
    )
    answered_by: str | None = strawberry.field(description="The token that answered it.")
    note: str | None = strawberry.field(description="The note given with the answer.")
    created_at: datetime = strawberry.field(description="When it was proposed.")
    version: int = strawberry.field(
        description="Send this back with an answer; a stale one is refused."
    )
    stored_status: strawberry.Private[str]
    stored_role: strawberry.Private[str | None]
    organization_id: strawberry.Private[int]
    person_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: RowMapping) -> "Proposal":
        return cls(
            pk=row["id"],
            kind=ProposalKind(row["kind"]),
            updated_at=row["updated_at"],
            subject=ProposalSubject(
                name=row["subject_name"],
                agreement_id=row["agreement_id"],
                alliance_id=row["alliance_id"],
                program_id=row["program_id"],
                activity_id=row["activity_id"],
            ),
            proposed_by=ProposalSide(
                organization_id=row["proposer_organization_id"],
                alliance_id=row["proposer_alliance_id"],
            ),
            addressed_to=ProposalSide(
                organization_id=row["addressed_organization_id"],
                alliance_id=row["addressed_alliance_id"],
            ),
            joined_on=row["joined_on"],
            proposer_token=row["proposed_by"],
            expires_on=row["expires_on"],
            answered_at=row["answered_at"],
            answered_by=row["answered_by"],
            note=row["note"],
            created_at=row["created_at"],
            version=row["version"],
            stored_status=row["status"],
            stored_role=row["role"],
            organization_id=row["organization_id"],
            person_id=row["person_id"],
        )

    @strawberry.field(description="PENDING, ACCEPTED, DECLINED, WITHDRAWN, or LAPSED.")
    def status(self) -> ProposalStatus:
        if self.stored_status == ProposalStatus.PENDING.value and self.expires_on < date.today():
            return ProposalStatus.LAPSED
        return ProposalStatus(self.stored_status)

    @strawberry.field(
        description="The role proposed: a PartyRole for a party or program partner (PARTNER), "
        "a MembershipRole for a member (MEMBER), free text for an activity participant."
    )
    def role(self) -> str | None:
        enum = _ENUM_ROLES.get(self.kind.value)
        if enum is None or self.stored_role is None:
            return self.stored_role
        return enum(self.stored_role).name

    organization = referenced(
        "Organization", "organization_id", description="The organization that would be bound."
    )

    person = referenced(
        "Person",
        "person_id",
        description="For a participant: the person it would take part through, if visible.",
    )

    @strawberry.field(
        description="Every step of this proposal, oldest first.",
        metadata=child_list(lists.relation("Proposal.history")),
    )
    async def history(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The cursor of the last entry before.")
        ] = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[HistoryEntry]:
        return await related(
            info,
            "Proposal.history",
            self.pk,
            HistoryEntry.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )


@strawberry.type(description="The proposal made or answered, or why nothing changed.")
class ProposalPayload:
    proposal: Proposal | None = strawberry.field(
        default=None, description="The proposal as it is now."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed, if it did not."
    )


_EXPIRES = "The last day it may be answered: today to a year ahead; in 30 days if not given."


@strawberry.input(description="An organization proposed as a party to an agreement.")
class ProposeAgreementPartyInput:
    agreement: strawberry.ID = strawberry.field(description="An agreement the caller is party to.")
    organization: strawberry.ID = strawberry.field(description="The organization to add.")
    role: PartyRole = strawberry.field(default=PartyRole.PARTNER, description="Its role.")
    expires_on: date | None = strawberry.field(default=None, description=_EXPIRES)


@strawberry.input(
    description="An organization invited to an alliance (by its secretariat), or asking to join "
    "it (by the organization's editor)."
)
class ProposeMembershipInput:
    alliance: strawberry.ID = strawberry.field(description="The alliance.")
    organization: strawberry.ID = strawberry.field(description="The organization to join.")
    role: MembershipRole = strawberry.field(
        default=MembershipRole.MEMBER, description="Its role (at most one current CHAIR)."
    )
    joined_on: date | None = strawberry.field(default=None, description="The day it joins.")
    expires_on: date | None = strawberry.field(default=None, description=_EXPIRES)


@strawberry.input(description="An organization proposed as a partner of a program.")
class ProposeProgramPartnerInput:
    program: strawberry.ID = strawberry.field(description="A program the caller is partner of.")
    organization: strawberry.ID = strawberry.field(description="The organization to add.")
    role: PartyRole = strawberry.field(default=PartyRole.PARTNER, description="Its role.")
    expires_on: date | None = strawberry.field(default=None, description=_EXPIRES)


@strawberry.input(description="An organization proposed as a participant of an activity.")
class ProposeActivityParticipantInput:
    activity: strawberry.ID = strawberry.field(description="An activity the caller may change.")
    organization: strawberry.ID = strawberry.field(description="The organization to add.")
    person: strawberry.ID | None = strawberry.field(
        default=None,
        description="The person it takes part through: one the caller can see (personal data "
        "stays with its organization, so usually left out).",
    )
    role: str | None = strawberry.field(default=None, description="Its role, in words.")
    expires_on: date | None = strawberry.field(default=None, description=_EXPIRES)


@strawberry.input(description="An answer to a proposal.")
class AnswerProposalInput:
    id: strawberry.ID = strawberry.field(description="The proposal.")
    version: int = strawberry.field(description="Its version, as read.")
    note: str | None = strawberry.field(
        default=None, description="Why, for the other side (at most 2,000 characters)."
    )


@strawberry.input(description="A proposal its proposing side takes back.")
class WithdrawProposalInput:
    id: strawberry.ID = strawberry.field(description="The proposal.")
    version: int = strawberry.field(description="Its version, as read.")


def _key(global_id: strawberry.ID, type_name: str, field: str) -> int:
    return decode_id_of(global_id, type_name, field=field)


async def _run(
    info: Info, name: str, work: Callable[[AsyncConnection], Awaitable[RowMapping]]
) -> ProposalPayload:
    async def run(connection: AsyncConnection) -> ProposalPayload:
        return ProposalPayload(proposal=Proposal.from_row(await work(connection)))

    return await run_mutation(
        info,
        permission=ANYONE,
        arguments={},
        work=run,
        payload=ProposalPayload,
        name=name,
    )


@strawberry.type
class ProposalMutation:
    @strawberry.mutation(
        description="Propose an organization as a party to an agreement (an editor of one of "
        "its parties); it becomes a party when its editor accepts."
    )
    async def propose_agreement_party(
        self,
        info: Info,
        input: Annotated[ProposeAgreementPartyInput, _THE_PROPOSAL],
    ) -> ProposalPayload:
        viewer = info.context.viewer
        return await _run(
            info,
            "propose agreement parties",
            lambda c: service.propose_agreement_party(
                c,
                viewer,
                agreement_id=_key(input.agreement, "Agreement", "agreement"),
                organization_id=_key(input.organization, "Organization", "organization"),
                role=input.role,
                expires_on=input.expires_on,
            ),
        )

    @strawberry.mutation(
        description="Invite an organization to an alliance (its secretariat; the organization's "
        "editor answers), or ask to join one (the organization's editor; the secretariat "
        "answers)."
    )
    async def propose_membership(
        self,
        info: Info,
        input: Annotated[ProposeMembershipInput, _THE_PROPOSAL],
    ) -> ProposalPayload:
        viewer = info.context.viewer
        return await _run(
            info,
            "propose memberships",
            lambda c: service.propose_membership(
                c,
                viewer,
                alliance_id=_key(input.alliance, "Alliance", "alliance"),
                organization_id=_key(input.organization, "Organization", "organization"),
                role=input.role,
                joined_on=input.joined_on,
                expires_on=input.expires_on,
            ),
        )

    @strawberry.mutation(
        description="Propose an organization as a partner of a program (an editor of one of "
        "its partners); it becomes a partner when its editor accepts."
    )
    async def propose_program_partner(
        self,
        info: Info,
        input: Annotated[ProposeProgramPartnerInput, _THE_PROPOSAL],
    ) -> ProposalPayload:
        viewer = info.context.viewer
        return await _run(
            info,
            "propose program partners",
            lambda c: service.propose_program_partner(
                c,
                viewer,
                program_id=_key(input.program, "Program", "program"),
                organization_id=_key(input.organization, "Organization", "organization"),
                role=input.role,
                expires_on=input.expires_on,
            ),
        )

    @strawberry.mutation(
        description="Propose an organization as a participant of an activity (whoever may "
        "change the activity); it takes part when its editor accepts."
    )
    async def propose_activity_participant(
        self,
        info: Info,
        input: Annotated[ProposeActivityParticipantInput, _THE_PROPOSAL],
    ) -> ProposalPayload:
        viewer = info.context.viewer
        person = input.person

        return await _run(
            info,
            "propose activity participants",
            lambda c: service.propose_activity_participant(
                c,
                viewer,
                activity_id=_key(input.activity, "Activity", "activity"),
                organization_id=_key(input.organization, "Organization", "organization"),
                person_id=None if person is None else _key(person, "Person", "person"),
                role=input.role,
                expires_on=input.expires_on,
            ),
        )

    @strawberry.mutation(
        description="The side asked accepts: the link is made (checked again now) and the "
        "proposal is ACCEPTED, in one transaction."
    )
    async def accept_proposal(
        self,
        info: Info,
        input: Annotated[AnswerProposalInput, strawberry.argument(description="The answer.")],
    ) -> ProposalPayload:
        viewer = info.context.viewer
        return await _run(
            info,
            "accept proposals",
            lambda c: service.accept(
                c,
                viewer,
                key=_key(input.id, "Proposal", "id"),
                version=input.version,
                note=input.note,
            ),
        )

    @strawberry.mutation(description="The side asked declines; nothing is linked.")
    async def decline_proposal(
        self,
        info: Info,
        input: Annotated[AnswerProposalInput, strawberry.argument(description="The answer.")],
    ) -> ProposalPayload:
        viewer = info.context.viewer
        return await _run(
            info,
            "decline proposals",
            lambda c: service.decline(
                c,
                viewer,
                key=_key(input.id, "Proposal", "id"),
                version=input.version,
                note=input.note,
            ),
        )

    @strawberry.mutation(description="The proposing side takes a pending proposal back.")
    async def withdraw_proposal(
        self,
        info: Info,
        input: Annotated[WithdrawProposalInput, _THE_PROPOSAL],
    ) -> ProposalPayload:
        viewer = info.context.viewer
        return await _run(
            info,
            "withdraw proposals",
            lambda c: service.withdraw(
                c, viewer, key=_key(input.id, "Proposal", "id"), version=input.version
            ),
        )


@strawberry.type
class ProposalQuery:
    @strawberry.field(
        description="Proposals the caller's side made or is asked to answer, newest first; at "
        "most 100 a page."
    )
    async def proposals(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The cursor of the last proposal before.")
        ] = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            ProposalFilter | None, strawberry.argument(description="Which proposals.")
        ] = None,
    ) -> Connection[Proposal]:
        page = await reads.proposals_page(
            info.context,
            filter=filter,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Proposal.from_row)
