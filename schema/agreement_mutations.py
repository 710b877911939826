"""Agreement, commitment and membership mutations: thin GraphQL over `resolvers.agreement_writes`
(and its siblings `agreement_lifecycle`, `agreement_signing`, `agreement_terms`,
`agreement_commitments`) and `resolvers.membership_writes`, one transaction each
(`schema.mutations.run_mutation`); their inputs and payloads are in `schema.agreement_inputs`.

The status-change mutations are generated from `TRANSITIONS`, so the schema cannot drift from
the table the code enforces.
"""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.tools import merge_types

from resolvers import agreement_commitments as commitments
from resolvers import agreement_lifecycle as lifecycle
from resolvers import agreement_signing as signing
from resolvers import agreement_terms as terms
from resolvers import agreement_writes as writes
from resolvers import membership_writes as memberships
from resolvers.errors import BadUserInput
from resolvers.ids import decode_id_of
from resolvers.permissions import ANYONE
from schema.agreement_inputs import (
    AddCommitmentInput,
    AddMemberInput,
    AgreementPayload,
    AgreementVersionInput,
    ChangeMemberRoleInput,
    CommitmentPayload,
    CreateAgreementInput,
    DeletePayload,
    MemberLeavingInput,
    MembershipPayload,
    PartyInput,
    RenewAgreementInput,
    SettleCommitmentInput,
    SignAgreementInput,
    UpdateAgreementInput,
)
from schema.agreements import Agreement, Commitment
from schema.alliances import Membership
from schema.enums import (
    CommitmentStatus,
)
from schema.mutations import run_mutation
from schema.relay import Info

__all__ = ["AgreementMutation"]

_INPUT = strawberry.argument(
    description="The one input object: what to change and, for an existing record, the "
    "`version` you read."
)


def _key(global_id: strawberry.ID, type_name: str, field: str) -> int:
    return decode_id_of(global_id, type_name, field=field)


def _optional_key(global_id: strawberry.ID | None, type_name: str, field: str) -> int | None:
    return None if global_id is None else _key(global_id, type_name, field)


def _parties(parties: list[PartyInput]) -> list[terms.PartyTerms]:
    return [
        terms.PartyTerms(_key(p.organization, "Organization", f"parties.{i}.organization"), p.role)
        for i, p in enumerate(parties)
    ]


async def _agreement(
    info: Info, name: str, work: Callable[[AsyncConnection], Awaitable[RowMapping]]
) -> AgreementPayload:
    async def run(connection: AsyncConnection) -> AgreementPayload:
        return AgreementPayload(agreement=Agreement.from_row(await work(connection)))

    return await run_mutation(
        info,
        permission=ANYONE,
        arguments={},
        work=run,
        payload=AgreementPayload,
        name=name,
    )


def _transition_field(move: lifecycle.Transition) -> Any:
    async def resolve(
        info: Info, input: Annotated[AgreementVersionInput, _INPUT]
    ) -> AgreementPayload:
        viewer = info.context.viewer
        return await _agreement(
            info,
            f"{move.action} agreements",
            lambda c: lifecycle.transition(
                c, viewer, _key(input.id, "Agreement", "id"), input.version, move.action
            ),
        )

    sources = ", ".join(sorted(s.name for s in move.sources))
    return strawberry.mutation(
        resolver=resolve,
        description=f"{sources} -> {move.target.name}: {move.description}.",
    )


_SPECIAL = {"sign", "renew"}
TransitionMutation = strawberry.type(
    type(
        "TransitionMutation",
        (),
        {
            lifecycle.mutation_name(move.action): _transition_field(move)
            for move in lifecycle.TRANSITIONS
            if move.action not in _SPECIAL
        },
    )
)


@strawberry.type
class LifecycleMutation:
    @strawberry.mutation(
        description="A new DRAFT agreement. An editor names as parties only organizations it "
        "edits and proposes the others; an admin may name any."
    )
    async def create_agreement(
        self, info: Info, input: Annotated[CreateAgreementInput, _INPUT]
    ) -> AgreementPayload:
        viewer = info.context.viewer

        def draft() -> writes.AgreementDraft:
            return writes.AgreementDraft(
                title=input.title,
                kind=input.kind,
                parties=_parties(input.parties),
                modes=input.modes,
                local_title=input.local_title,
                reference=input.reference,
                description=input.description,
                effective_from=input.effective_from,
                effective_to=input.effective_to,
                renewal_rule=input.renewal_rule,
                renewal_term_months=input.renewal_term_months,
                notice_period_days=input.notice_period_days,
                parent_id=_optional_key(input.parent, "Agreement", "parent"),
            )

        return await _agreement(
            info, "make agreements", lambda c: writes.create_agreement(c, viewer, draft())
        )

    @strawberry.mutation(
        description="Change an agreement not yet in force; a change of its terms (kind, "
        "period, parties, modes) sends one awaiting approval or signed back to negotiation, "
        "signatures cleared. An editor of a party, or an admin."
    )
    async def update_agreement(
        self, info: Info, input: Annotated[UpdateAgreementInput, _INPUT]
    ) -> AgreementPayload:
        viewer = info.context.viewer
        columns = [
            "title",
            "local_title",
            "reference",
            "description",
            "kind",
            "effective_from",
            "effective_to",
            "renewal_rule",
            "renewal_term_months",
            "notice_period_days",
        ]

        def values() -> dict[str, Any]:
            given = {c: getattr(input, c) for c in columns}
            found = {c: v for c, v in given.items() if v is not strawberry.UNSET}
            for required in ("title", "kind", "renewal_rule"):
                if required in found and found[required] is None:
                    raise BadUserInput(f"{required} cannot be null", field=required)
            return found

        parties = None if input.parties in (None, strawberry.UNSET) else input.parties
        modes = None if input.modes in (None, strawberry.UNSET) else input.modes
        return await _agreement(
            info,
            "change agreements",
            lambda c: writes.update_agreement(
                c,
                viewer,
                _key(input.id, "Agreement", "id"),
                input.version,
                values(),
                parties=_parties(parties) if parties is not None else None,
                modes=modes,
            ),
        )

    @strawberry.mutation(
        description="AWAITING_APPROVAL: one party signs (its signatory, a person of that "
        "organization, and the date); SIGNED once every party has. Stores the terms hash. "
        "The party's editor, or an admin."
    )
    async def sign_agreement(
        self, info: Info, input: Annotated[SignAgreementInput, _INPUT]
    ) -> AgreementPayload:
        viewer = info.context.viewer
        return await _agreement(
            info,
            "sign agreements",
            lambda c: signing.sign(
                c,
                viewer,
                _key(input.id, "Agreement", "id"),
                input.version,
                organization_id=_key(input.party, "Organization", "party"),
                signatory_id=_key(input.signatory, "Person", "signatory"),
                signed_on=input.signed_on or date.today(),
            ),
        )

    @strawberry.mutation(
        description="SIGNED, ACTIVE or EXPIRED: makes the successor (returned) as a DRAFT "
        "from the day after this one ends, with parties, modes and open commitments."
    )
    async def renew_agreement(
        self, info: Info, input: Annotated[RenewAgreementInput, _INPUT]
    ) -> AgreementPayload:
        viewer = info.context.viewer
        return await _agreement(
            info,
            "renew agreements",
            lambda c: signing.renew(
                c,
                viewer,
                _key(input.id, "Agreement", "id"),
                input.version,
                effective_to=input.effective_to,
            ),
        )

    @strawberry.mutation(
        description="Delete a DRAFT or UNDER_NEGOTIATION agreement nobody signed; needs a "
        "caller who answers for every party (otherwise abandon it, or leave it)."
    )
    async def delete_agreement(
        self, info: Info, input: Annotated[AgreementVersionInput, _INPUT]
    ) -> DeletePayload:
        viewer = info.context.viewer

        async def work(connection: AsyncConnection) -> DeletePayload:
            await writes.delete_agreement(
                connection, viewer, _key(input.id, "Agreement", "id"), input.version
            )
            return DeletePayload(deleted_id=input.id)

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=DeletePayload,
            name="delete agreements",
        )

    @strawberry.mutation(
        description="A commitment of one party under an agreement (a change of its terms)."
    )
    async def add_commitment(
        self, info: Info, input: Annotated[AddCommitmentInput, _INPUT]
    ) -> CommitmentPayload:
        viewer = info.context.viewer

        async def work(connection: AsyncConnection) -> CommitmentPayload:
            row = await commitments.add_commitment(
                connection,
                viewer,
                _key(input.agreement, "Agreement", "agreement"),
                input.agreement_version,
                commitments.CommitmentTerms(
                    obligor_id=_key(input.obligor, "Organization", "obligor"),
                    beneficiary_id=_optional_key(input.beneficiary, "Organization", "beneficiary"),
                    description=input.description,
                    due_on=input.due_on,
                ),
            )
            return CommitmentPayload(commitment=Commitment.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=CommitmentPayload,
            name="add commitments",
        )

    @strawberry.mutation(description="An open commitment is delivered (on a date).")
    async def deliver_commitment(
        self, info: Info, input: Annotated[SettleCommitmentInput, _INPUT]
    ) -> CommitmentPayload:
        return await _settle(info, input, CommitmentStatus.DELIVERED)

    @strawberry.mutation(description="An open commitment is waived by the parties.")
    async def waive_commitment(
        self, info: Info, input: Annotated[SettleCommitmentInput, _INPUT]
    ) -> CommitmentPayload:
        return await _settle(info, input, CommitmentStatus.WAIVED)

    @strawberry.mutation(
        description="An organization joins an alliance: by its secretariat (or an admin), for "
        "an organization it edits; any other is invited with `proposeMembership`."
    )
    async def add_member(
        self, info: Info, input: Annotated[AddMemberInput, _INPUT]
    ) -> MembershipPayload:
        viewer = info.context.viewer
        return await _membership(
            info,
            "add members",
            lambda c: memberships.add_member(
                c,
                viewer,
                alliance_id=_key(input.alliance, "Alliance", "alliance"),
                organization_id=_key(input.organization, "Organization", "organization"),
                role=input.role,
                joined_on=input.joined_on,
            ),
        )

    @strawberry.mutation(
        description="A member's role changes on a date: the old role ends that day and the new "
        "membership (returned) starts. At most one chair at a time."
    )
    async def change_member_role(
        self, info: Info, input: Annotated[ChangeMemberRoleInput, _INPUT]
    ) -> MembershipPayload:
        viewer = info.context.viewer
        return await _membership(
            info,
            "change member roles",
            lambda c: memberships.change_role(
                c,
                viewer,
                _key(input.id, "Membership", "id"),
                input.version,
                role=input.role,
                on=input.on,
            ),
        )

    @strawberry.mutation(
        description="A member leaves the alliance on a date: recorded by the secretariat, the "
        "member's own editor, or an admin."
    )
    async def record_member_leaving(
        self, info: Info, input: Annotated[MemberLeavingInput, _INPUT]
    ) -> MembershipPayload:
        viewer = info.context.viewer
        return await _membership(
            info,
            "record members leaving",
            lambda c: memberships.leave(
                c, viewer, _key(input.id, "Membership", "id"), input.version, left_on=input.left_on
            ),
        )


async def _settle(
    info: Info, input: SettleCommitmentInput, status: CommitmentStatus
) -> CommitmentPayload:
    viewer = info.context.viewer

    async def work(connection: AsyncConnection) -> CommitmentPayload:
        row = await commitments.settle_commitment(
            connection,
            viewer,
            _key(input.id, "Commitment", "id"),
            input.version,
            status=status,
            on=input.on,
        )
        return CommitmentPayload(commitment=Commitment.from_row(row))

    return await run_mutation(
        info,
        permission=ANYONE,
        arguments={},
        work=work,
        payload=CommitmentPayload,
        name=f"mark commitments {status.value}",
    )


async def _membership(
    info: Info, name: str, work: Callable[[AsyncConnection], Awaitable[RowMapping]]
) -> MembershipPayload:
    async def run(connection: AsyncConnection) -> MembershipPayload:
        return MembershipPayload(membership=Membership.from_row(await work(connection)))

    return await run_mutation(
        info,
        permission=ANYONE,
        arguments={},
        work=run,
        payload=MembershipPayload,
        name=name,
    )


AgreementMutation = merge_types("AgreementMutation", (LifecycleMutation, TransitionMutation))
