"""The credit ledger in GraphQL: entries, and the only ways credits enter or leave an account.

Thin over `resolvers.ledger` (the rules); every mutation is one transaction
(`schema.mutations.run_mutation`) whose write scope is declared in
`resolvers.write_declarations`.
"""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import ledger as service
from resolvers.ids import decode_id_of
from resolvers.permissions import ANYONE
from schema.compiled.declare import list_of, referenced
from schema.credits import LearningOutcome
from schema.enums import CreditEntryKind
from schema.mutations import UserError, run_mutation
from schema.relay import Info, Node

__all__ = ["CreditEntry", "LedgerMutation"]


@strawberry.type(
    description="One line of a learner's credit ledger: credits in (earned, recognised) or "
    "back out (a correction, an expiry), each naming its source. Entries are never changed or "
    "deleted; a balance is their sum. Seen by whoever sees the account."
)
class CreditEntry(Node):
    kind: CreditEntryKind = strawberry.field(description="What the entry records.")
    credits: Decimal = strawberry.field(
        description="The credits, signed: positive in, negative back out; in the units of "
        "the organization they count at."
    )
    reason: str | None = strawberry.field(
        description="Why, for a correction or an expiry; null for earned or recognised credits."
    )
    recorded_on: date = strawberry.field(
        description="The ISO date the credits count from (the day earned, recognised, "
        "corrected or expired)."
    )
    recorded_at: datetime = strawberry.field(description="When the entry was written (UTC).")
    recorded_by: str = strawberry.field(
        description="Who wrote it: `token:<id>` for an API token, else the loader."
    )
    unit_code: str | None = strawberry.field(
        description="The code of the credit unit the credits count in (see `creditUnits`): "
        "the course's (else its program's) for earned credits, the rule's receiving program's "
        "for recognised ones, the source's for what follows an entry; null when not recorded."
    )
    account_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    converted_from_id: strawberry.Private[int | None]
    outcome_id: strawberry.Private[int | None]
    rule_id: strawberry.Private[int | None]
    application_id: strawberry.Private[int | None]
    corrects_id: strawberry.Private[int | None]

    account = referenced("CreditAccount", "account_id", description="The account it is in.")
    organization = referenced(
        "Organization",
        "organization_id",
        description="Where the credits count: the provider for earned credits, the receiving "
        "organization for recognised ones.",
    )
    outcome = referenced(
        "LearningOutcome", "outcome_id", description="The learning outcome the credits come from."
    )
    rule = referenced(
        "RecognitionRule",
        "rule_id",
        description="For recognised credits (and their corrections): the rule applied.",
    )
    application = referenced(
        "RecognitionApplication",
        "application_id",
        description="For recognised credits: the approved application.",
    )
    corrects = referenced(
        "CreditEntry",
        "corrects_id",
        description="For a correction, an expiry or the credits a conversion took out: the "
        "earned, recognised or converted-in entry it changes.",
    )
    converted_from = referenced(
        "CreditEntry",
        "converted_from_id",
        description="For the credits a conversion put in: the CONVERTED entry that took them "
        "out of their source (its `corrects`).",
    )
    corrections = list_of(
        "CreditEntry.corrections",
        "CreditEntry",
        description="For an earned, recognised or converted-in entry: its corrections, expiry "
        "and the conversions taking credits out of it, oldest first.",
    )


@strawberry.type(description="What a ledger mutation wrote, or why nothing was written.")
class CreditEntryPayload:
    entry: CreditEntry | None = strawberry.field(
        default=None, description="The new entry; null when `userErrors` says why."
    )
    outcome: LearningOutcome | None = strawberry.field(
        default=None, description="For earned credits: the learning outcome recorded."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written; empty on success."
    )


@strawberry.input(description="A course's credits earned by the account's learner.")
class RecordEarnedCreditsInput:
    account: strawberry.ID = strawberry.field(
        description="The learner's account, at a bank the caller edits."
    )
    course: strawberry.ID = strawberry.field(
        description="The course completed: the learner must be enrolled in its program; its "
        "own credits are entered, once per account."
    )
    earned_on: date = strawberry.field(
        description="The ISO date the course was completed: not in the future, nor before the "
        "enrolment."
    )
    evidence_url: str | None = strawberry.field(
        default=None, description="Where the evidence (a transcript, a certificate) is online."
    )


@strawberry.input(description="A correction of an earned or recognised entry.")
class CorrectCreditEntryInput:
    id: strawberry.ID = strawberry.field(
        description="The entry to correct (earned or recognised), at an organization the "
        "caller edits."
    )
    credits: Decimal = strawberry.field(
        description="The change, signed (`-0.5` takes half a credit back); the entry's net "
        "stays between 0 and its own credits."
    )
    reason: str = strawberry.field(description="Why, in words (required).")


@strawberry.input(description="An entry whose remaining credits expire.")
class ExpireCreditEntryInput:
    id: strawberry.ID = strawberry.field(description="The earned or recognised entry.")
    reason: str = strawberry.field(description="Why, in words (required).")


@strawberry.input(description="Credits of an entry converted to another credit unit.")
class ConvertCreditsInput:
    id: strawberry.ID = strawberry.field(
        description="The earned, recognised or converted-in entry the credits are taken from, "
        "at an organization the caller edits; its unit must be recorded."
    )
    to_unit: str = strawberry.field(
        description="The code of the unit to convert to (see `creditUnits`), other than the "
        "entry's; both units need an ECTS value."
    )
    credits: Decimal | None = strawberry.field(
        default=None,
        description="How many of the entry's credits (in its unit) to convert, at most what it "
        "holds; all it holds when omitted.",
    )


@strawberry.type(description="What a conversion wrote, or why nothing was written.")
class ConvertCreditsPayload:
    entry: CreditEntry | None = strawberry.field(
        default=None,
        description="The CONVERTED entry that put the converted credits in (its "
        "`convertedFrom` took them out); null when `userErrors` says why.",
    )
    taken_out: CreditEntry | None = strawberry.field(
        default=None, description="The CONVERTED entry that took the credits out of the source."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written; empty on success."
    )


def _entry_key(global_id: strawberry.ID) -> int:
    return decode_id_of(global_id, "CreditEntry", field="id")


async def _run(
    info: Info, name: str, work: Callable[[AsyncConnection], Awaitable[CreditEntryPayload]]
) -> CreditEntryPayload:
    return await run_mutation(
        info, permission=ANYONE, arguments={}, work=work, payload=CreditEntryPayload, name=name
    )


_INPUT = strawberry.argument(description="What to enter.")


@strawberry.type
class LedgerMutation:
    @strawberry.mutation(
        description="Enter a course's credits in a learner's account (an editor of the "
        "account's bank): an outcome and an EARNED entry, for a course of a program the learner "
        "is enrolled in, with the course's own credits, once per account."
    )
    async def record_earned_credits(
        self, info: Info, input: Annotated[RecordEarnedCreditsInput, _INPUT]
    ) -> CreditEntryPayload:
        async def work(connection: AsyncConnection) -> CreditEntryPayload:
            outcome, entry = await service.record_earned(
                connection,
                info.context.viewer,
                account_id=decode_id_of(input.account, "CreditAccount", field="account"),
                course_id=decode_id_of(input.course, "Course", field="course"),
                earned_on=input.earned_on,
                evidence_url=input.evidence_url,
            )
            return CreditEntryPayload(
                entry=CreditEntry.from_row(entry), outcome=LearningOutcome.from_row(outcome)
            )

        return await _run(info, "record earned credits", work)

    @strawberry.mutation(
        description="Correct an earned or recognised entry with a new CORRECTED entry and a "
        "reason (an editor of the organization the credits count at); nothing is edited."
    )
    async def correct_credit_entry(
        self, info: Info, input: Annotated[CorrectCreditEntryInput, _INPUT]
    ) -> CreditEntryPayload:
        async def work(connection: AsyncConnection) -> CreditEntryPayload:
            entry = await service.correct_entry(
                connection,
                info.context.viewer,
                entry_id=_entry_key(input.id),
                credits=input.credits,
                reason=input.reason,
            )
            return CreditEntryPayload(entry=CreditEntry.from_row(entry))

        return await _run(info, "correct credit entries", work)

    @strawberry.mutation(
        description="Expire an earned or recognised entry: an EXPIRED entry takes its "
        "remaining credits back, once."
    )
    async def expire_credit_entry(
        self, info: Info, input: Annotated[ExpireCreditEntryInput, _INPUT]
    ) -> CreditEntryPayload:
        async def work(connection: AsyncConnection) -> CreditEntryPayload:
            entry = await service.expire_entry(
                connection, info.context.viewer, entry_id=_entry_key(input.id), reason=input.reason
            )
            return CreditEntryPayload(entry=CreditEntry.from_row(entry))

        return await _run(info, "expire credit entries", work)

    @strawberry.mutation(
        description="Convert an entry's credits to another credit unit at the units' ECTS "
        "values (an editor of the organization the credits count at): a CONVERTED entry takes "
        "them out of the entry, another puts the converted credits in, rounded down to the "
        "cent. Refused: an unknown unit (`UNKNOWN_CODE`), the same unit (`BAD_USER_INPUT`), a "
        "unit without an ECTS value or an entry whose unit is not recorded (`UNIT_UNKNOWN`), "
        "more than the entry holds (`LEDGER_RULE`)."
    )
    async def convert_credits(
        self, info: Info, input: Annotated[ConvertCreditsInput, _INPUT]
    ) -> ConvertCreditsPayload:
        async def work(connection: AsyncConnection) -> ConvertCreditsPayload:
            out, into = await service.convert_entry(
                connection,
                info.context.viewer,
                entry_id=_entry_key(input.id),
                to_unit=input.to_unit,
                credits=input.credits,
            )
            return ConvertCreditsPayload(
                entry=CreditEntry.from_row(into), taken_out=CreditEntry.from_row(out)
            )

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=ConvertCreditsPayload,
            name="convert credits",
        )
