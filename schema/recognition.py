"""Recognition applications and the courses a rule accepts, in GraphQL.

Thin over `resolvers.recognition` (the rules); every mutation is one transaction whose write
scope is declared in `resolvers.write_declarations`.
"""

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import recognition as service
from resolvers.ids import decode_id_of
from resolvers.permissions import ANYONE
from schema.compiled.declare import list_of, referenced
from schema.enums import ApplicationStatus
from schema.mutations import UserError, run_mutation
from schema.relay import Info, Node
from schema.wording import VERSION

__all__ = ["RecognitionApplication", "RecognitionMutation", "RecognitionRuleCourse"]


@strawberry.type(
    description="A course whose outcomes a recognition rule accepts; a rule that names none "
    "accepts any course of its source. Seen by whoever sees the rule."
)
class RecognitionRuleCourse(Node):
    rule_id: strawberry.Private[int]
    course_id: strawberry.Private[int]

    rule = referenced("RecognitionRule", "rule_id", description="The rule.")
    course = referenced("Course", "course_id", description="The course it accepts.")


@strawberry.type(
    description="An application to have a learner's outcomes from one organization recognised "
    "by another, under a rule of a credit recognition agreement; the receiving organization "
    "decides, with a reason. Seen by the learner's organization, the two organizations, and "
    "admins (who, seeing it, also see the learner's credit records)."
)
class RecognitionApplication(Node):
    version: int = strawberry.field(description=VERSION)
    status: ApplicationStatus = strawberry.field(description="Where the application stands.")
    credits_requested: Decimal = strawberry.field(
        description="The credits asked for, in the receiving organization's units: the "
        "outcomes' credits when applied for, times the rule's ratio (before its cap)."
    )
    credits_granted: Decimal | None = strawberry.field(
        description="The credits recognised on approval (within the rule's cap); null until "
        "approved."
    )
    applied_on: date = strawberry.field(description="The ISO date it was submitted.")
    applied_by: str = strawberry.field(description="Who submitted it (`token:<id>`).")
    decided_on: date | None = strawberry.field(
        description="The ISO date it was approved, rejected or withdrawn."
    )
    decided_by: str | None = strawberry.field(description="Who decided it (`token:<id>`).")
    reason: str | None = strawberry.field(description="The reason given with the decision.")
    learner_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    rule_id: strawberry.Private[int]
    from_organization_id: strawberry.Private[int]
    to_organization_id: strawberry.Private[int]

    learner = referenced("Learner", "learner_id", description="Whose outcomes.")
    account = referenced(
        "CreditAccount", "account_id", description="The account the outcomes are in."
    )
    rule = referenced("RecognitionRule", "rule_id", description="The rule applied under.")
    from_organization = referenced(
        "Organization", "from_organization_id", description="Where the credits were earned."
    )
    to_organization = referenced(
        "Organization",
        "to_organization_id",
        description="The receiving organization, whose editors decide.",
    )
    outcomes = list_of(
        "RecognitionApplication.outcomes",
        "LearningOutcome",
        description="The learning outcomes to recognise, by date earned.",
    )
    entries = list_of(
        "RecognitionApplication.entries",
        "CreditEntry",
        description="The ledger entries of an approved application (RECOGNISED, then any "
        "corrections), oldest first.",
    )
    history = list_of(
        "RecognitionApplication.history",
        "HistoryEntry",
        description="Its history: applied, approved, rejected or withdrawn, by whom and when.",
    )
    credentials = list_of(
        "RecognitionApplication.credentials",
        "IssuedCredential",
        description="Open Badges credentials issued for the approved application (at most "
        "one in force), by date issued.",
    )


@strawberry.type(description="The application as it is now, or why nothing changed.")
class RecognitionApplicationPayload:
    application: RecognitionApplication | None = strawberry.field(
        default=None, description="The application; null when `userErrors` says why."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="An application for recognition.")
class ApplyForRecognitionInput:
    learner: strawberry.ID = strawberry.field(
        description="The learner, whose home organization the caller edits (it applies on the "
        "learner's behalf)."
    )
    rule: strawberry.ID = strawberry.field(
        description="The recognition rule: its agreement must be in force."
    )
    outcomes: list[strawberry.ID] = strawberry.field(
        description="The learner's outcomes (of one account) earned at the rule's source, "
        "each still holding credits and not yet recognised by the receiving organization."
    )


@strawberry.input(description="The receiving organization's decision.")
class DecideRecognitionApplicationInput:
    id: strawberry.ID = strawberry.field(description="The submitted application.")
    version: int = strawberry.field(description="Its version, as read.")
    approve: bool = strawberry.field(
        description="True to approve (the credits enter the ledger), false to reject."
    )
    reason: str = strawberry.field(description="Why, in words (required either way).")


@strawberry.input(description="An application its learner's organization takes back.")
class WithdrawRecognitionApplicationInput:
    id: strawberry.ID = strawberry.field(description="The submitted application.")
    version: int = strawberry.field(description="Its version, as read.")


def _key(global_id: strawberry.ID) -> int:
    return decode_id_of(global_id, "RecognitionApplication", field="id")


async def _run(
    info: Info, name: str, work: Callable[[AsyncConnection], Awaitable[RowMapping]]
) -> RecognitionApplicationPayload:
    async def run(connection: AsyncConnection) -> RecognitionApplicationPayload:
        row = await work(connection)
        return RecognitionApplicationPayload(application=RecognitionApplication.from_row(row))

    return await run_mutation(
        info,
        permission=ANYONE,
        arguments={},
        work=run,
        payload=RecognitionApplicationPayload,
        name=name,
    )


_INPUT = strawberry.argument(description="The application.")


@strawberry.type
class RecognitionMutation:
    @strawberry.mutation(
        description="Apply, for a learner, to have outcomes recognised under a rule (an editor "
        "of the learner's home organization). Refused, with nothing written, when the "
        "agreement is not in force (the error says why), or an outcome is not the learner's, "
        "holds no credits, or is already recognised or waiting."
    )
    async def apply_for_recognition(
        self, info: Info, input: Annotated[ApplyForRecognitionInput, _INPUT]
    ) -> RecognitionApplicationPayload:
        viewer = info.context.viewer
        return await _run(
            info,
            "apply for recognition",
            lambda c: service.apply_for_recognition(
                c,
                viewer,
                learner_id=decode_id_of(input.learner, "Learner", field="learner"),
                rule_id=decode_id_of(input.rule, "RecognitionRule", field="rule"),
                outcome_ids=[
                    decode_id_of(o, "LearningOutcome", field=f"outcomes.{i}")
                    for i, o in enumerate(input.outcomes)
                ],
            ),
        )

    @strawberry.mutation(
        description="Approve or reject a submitted application, with a reason (an editor of "
        "the receiving organization). Approval writes RECOGNISED entries: each outcome's "
        "credits times the rule's ratio, within what remains of its cap."
    )
    async def decide_recognition_application(
        self, info: Info, input: Annotated[DecideRecognitionApplicationInput, _INPUT]
    ) -> RecognitionApplicationPayload:
        viewer = info.context.viewer
        return await _run(
            info,
            "decide recognition applications",
            lambda c: service.decide_application(
                c,
                viewer,
                application_id=_key(input.id),
                version=input.version,
                approve=input.approve,
                reason=input.reason,
            ),
        )

    @strawberry.mutation(
        description="Withdraw a submitted application (an editor of the learner's home "
        "organization)."
    )
    async def withdraw_recognition_application(
        self, info: Info, input: Annotated[WithdrawRecognitionApplicationInput, _INPUT]
    ) -> RecognitionApplicationPayload:
        viewer = info.context.viewer
        return await _run(
            info,
            "withdraw recognition applications",
            lambda c: service.withdraw_application(
                c, viewer, application_id=_key(input.id), version=input.version
            ),
        )
