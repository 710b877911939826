"""Approvals on record: an approver's decision on an agreement, an organization or a program;
and the approval policy (which agreement kinds need whose approval before activation).

On PostgreSQL the plain fields of `Approval` are answered by the compiled road: see
`schema.compiled` (each field says how it reads in SQL).
"""

from collections.abc import Sequence
from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import approvals as reads
from resolvers.ids import decode_id_of
from resolvers.permissions import ADMIN
from schema.compiled.declare import list_of, referenced
from schema.enums import AgreementKind, ApprovalDecision
from schema.mutations import UserError, run_mutation
from schema.relay import Info, Node
from schema.wording import USER_ERRORS

__all__ = ["Approval", "ApprovalMutation", "ApprovalPolicyEntry", "ApprovalQuery"]


@strawberry.type(
    description="A decision on record by an approver organization (a ministry; a "
    "university's legal office, then its president) on exactly one subject: an agreement, "
    "an organization (e.g. the establishment of a Sino-foreign cooperative college) or a "
    "program. Seen by whoever sees the agreement approved, the approver, the organization "
    "approved and the approved program's partners."
)
class Approval(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    decision: ApprovalDecision = strawberry.field(
        description="Approved, rejected, or approved on conditions."
    )
    decided_on: date | None = strawberry.field(
        description="The day of the decision; null when the source does not give it."
    )
    reference_number: str | None = strawberry.field(
        description="The decision's reference (file) number; null when not known."
    )
    conditions: str | None = strawberry.field(
        description="The conditions of a CONDITIONAL approval, in prose."
    )
    document_url: str | None = strawberry.field(
        description="Where the decision's text can be read; null when none is known."
    )
    description: str | None = strawberry.field(
        description="Free text: where the record comes from and what it does not know."
    )
    agreement_id: strawberry.Private[int | None]
    organization_id: strawberry.Private[int | None]
    program_id: strawberry.Private[int | None]
    approver_id: strawberry.Private[int]
    approver_person_id: strawberry.Private[int | None]

    agreement = referenced(
        "Agreement",
        "agreement_id",
        description="The agreement approved; null when the subject is an organization or a "
        "program, or when the caller may not see it.",
    )
    organization = referenced(
        "Organization",
        "organization_id",
        description="The organization approved (its establishment); null when the subject "
        "is an agreement or a program.",
    )
    program = referenced(
        "Program",
        "program_id",
        description="The program approved; null when the subject is an agreement or an "
        "organization.",
    )
    approver = referenced(
        "Organization", "approver_id", description="The organization that decided."
    )
    approver_person = referenced(
        "Person",
        "approver_person_id",
        description="The person who decided for the approver; null when not known or when "
        "the caller may not see them (personal data).",
    )
    history = list_of(
        "Approval.history",
        "HistoryEntry",
        description="Every change of this approval, oldest first.",
    )


@strawberry.type(
    description="An organization allowed to approve agreements of a kind, and whether its "
    "approval is required before they are activated."
)
class ApprovalPolicyEntry:
    agreement_kind: AgreementKind = strawberry.field(description="The kind of agreement.")
    approver_id: strawberry.Private[int]
    required: bool = strawberry.field(
        description="Whether `activateAgreement` refuses an agreement of this kind until this "
        "approver has approved it (APPROVED or CONDITIONAL)."
    )

    approver = referenced(
        "Organization", "approver_id", description="The organization allowed to approve."
    )


@strawberry.type
class ApprovalQuery:
    @strawberry.field(
        description="The approval policy: which organizations may approve agreements of each "
        "kind (besides the parties and the organizations above and below them), and whose "
        "approval is required before activation; by kind. Public."
    )
    async def approval_policy(self, info: Info) -> list[ApprovalPolicyEntry]:
        return _entries(await reads.policy(info.context))


def _entries(rows: Sequence[RowMapping]) -> list[ApprovalPolicyEntry]:
    return [
        ApprovalPolicyEntry(
            agreement_kind=AgreementKind(row["agreement_kind"]),
            approver_id=row["approver_id"],
            required=row["required"],
        )
        for row in rows
    ]


@strawberry.input(description="An approver for a kind of agreement, to put in the policy.")
class SetApprovalPolicyInput:
    agreement_kind: AgreementKind = strawberry.field(description="The kind of agreement.")
    approver: strawberry.ID = strawberry.field(
        description="The organization allowed to approve them (its global ID)."
    )
    required: bool = strawberry.field(
        default=True,
        description="Whether activation waits for its approval; true when not given.",
    )


@strawberry.input(description="An approver for a kind of agreement, to take out of the policy.")
class ClearApprovalPolicyInput:
    agreement_kind: AgreementKind = strawberry.field(description="The kind of agreement.")
    approver: strawberry.ID = strawberry.field(
        description="The organization to remove from the kind's policy (its global ID)."
    )


@strawberry.type(description="What an approval policy mutation answers.")
class ApprovalPolicyPayload:
    policy: list[ApprovalPolicyEntry] | None = strawberry.field(
        default=None,
        description="The whole policy as it now is, by kind; null with `userErrors`.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


_INPUT = strawberry.argument(description="The one input object: the kind and the approver.")


@strawberry.type
class ApprovalMutation:
    @strawberry.mutation(
        description="Allows an organization to approve agreements of a kind and says whether "
        "activation waits for it (replacing what the policy said of that pair). Admins only; "
        "existing approvals are not re-checked."
    )
    async def set_approval_policy(
        self, info: Info, input: Annotated[SetApprovalPolicyInput, _INPUT]
    ) -> ApprovalPolicyPayload:
        async def work(connection: AsyncConnection) -> ApprovalPolicyPayload:
            approver = decode_id_of(input.approver, "Organization", field="approver")
            rows = await reads.set_policy(
                connection,
                agreement_kind=input.agreement_kind.value,
                approver_id=approver,
                required=input.required,
            )
            return ApprovalPolicyPayload(policy=_entries(rows))

        return await run_mutation(
            info,
            permission=ADMIN,
            arguments={},
            work=work,
            payload=ApprovalPolicyPayload,
            name="set the approval policy",
        )

    @strawberry.mutation(
        description="Takes an organization out of a kind's approval policy: it may no longer "
        "approve agreements of that kind (unless a party or related to one), and activation "
        "no longer waits for it. Admins only."
    )
    async def clear_approval_policy(
        self, info: Info, input: Annotated[ClearApprovalPolicyInput, _INPUT]
    ) -> ApprovalPolicyPayload:
        async def work(connection: AsyncConnection) -> ApprovalPolicyPayload:
            approver = decode_id_of(input.approver, "Organization", field="approver")
            rows = await reads.clear_policy(
                connection, agreement_kind=input.agreement_kind.value, approver_id=approver
            )
            return ApprovalPolicyPayload(policy=_entries(rows))

        return await run_mutation(
            info,
            permission=ADMIN,
            arguments={},
            work=work,
            payload=ApprovalPolicyPayload,
            name="change the approval policy",
        )
