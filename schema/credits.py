"""The credit bank: learners, accounts, enrolments, outcomes, recognition rules and recognitions.

Balances are never stored; `CreditAccount.creditsEarned` is a sum over the account's outcomes.
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.enums import EnrolmentStatus
from resolvers import credits as reads
from schema.compiled.declare import list_of, reference_to
from schema.relay import Info, Node, fetch

if TYPE_CHECKING:
    from schema.organizations import Organization
    from schema.programs import Program

__all__ = [
    "CreditAccount",
    "CreditRecognition",
    "Enrolment",
    "Learner",
    "LearningOutcome",
    "RecognitionRule",
]

OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organizations")]
ProgramRef = Annotated["Program", strawberry.lazy("schema.programs")]


async def _organization(info: Info, key: int | None) -> "Organization | None":
    from schema.organizations import Organization

    return await fetch(info, Organization, key)


async def _program(info: Info, key: int | None) -> "Program | None":
    from schema.programs import Program

    return await fetch(info, Program, key)


@strawberry.type(description="A learner with a credit bank account. Personal data.")
class Learner(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    name: str
    external_ref: str | None
    email: str | None
    home_organization_id: strawberry.Private[int | None]

    home_organization = reference_to("Organization", "home_organization_id")

    accounts = list_of("Learner.accounts", "CreditAccount", description="Accounts at credit banks.")

    enrolments = list_of("Learner.enrolments", "Enrolment")


@strawberry.type(description="A learner's account at a credit bank (an organization).")
class CreditAccount(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    opened_on: date | None
    learner_id: strawberry.Private[int]
    bank_id: strawberry.Private[int]

    learner = reference_to("Learner", "learner_id")

    bank = reference_to(
        "Organization", "bank_id", description="The organization keeping the account."
    )

    @strawberry.field(description="The sum of the credits of the account's outcomes.")
    async def credits_earned(self, info: Info) -> Decimal:
        earned: Decimal = await reads.credits_earned_of(info.context).load(self.pk)
        return earned

    outcomes = list_of(
        "CreditAccount.outcomes", "LearningOutcome", description="Credits earned, newest last."
    )


@strawberry.type(description="A learner's enrolment in a program.")
class Enrolment(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    status: EnrolmentStatus
    enrolled_on: date | None
    completed_on: date | None
    learner_id: strawberry.Private[int]
    program_id: strawberry.Private[int]

    learner = reference_to("Learner", "learner_id")

    program = reference_to("Program", "program_id")


@strawberry.type(description="Credits earned by a learner at a provider, entered in an account.")
class LearningOutcome(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    title: str
    credits: Decimal
    earned_on: date
    evidence_url: str | None
    account_id: strawberry.Private[int]
    provider_id: strawberry.Private[int]
    program_id: strawberry.Private[int | None]
    course_id: strawberry.Private[int | None]

    account = reference_to("CreditAccount", "account_id")

    provider = reference_to(
        "Organization", "provider_id", description="The organization where the credits were earned."
    )

    program = reference_to("Program", "program_id")

    course = reference_to("Course", "course_id")

    recognitions = list_of(
        "LearningOutcome.recognitions",
        "CreditRecognition",
        description="Where these credits were recognised, and how many.",
    )


@strawberry.type(
    description="How credits earned at one organization (or program) count at another: "
    "`ratio` credits there per credit here, up to `maxCredits`."
)
class RecognitionRule(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    ratio: Decimal
    max_credits: Decimal | None
    agreement_id: strawberry.Private[int | None]
    from_organization_id: strawberry.Private[int]
    from_program_id: strawberry.Private[int | None]
    to_organization_id: strawberry.Private[int]
    to_program_id: strawberry.Private[int | None]

    agreement = reference_to(
        "Agreement", "agreement_id", description="The agreement that sets this rule."
    )

    from_organization = reference_to("Organization", "from_organization_id")

    from_program = reference_to("Program", "from_program_id")

    to_organization = reference_to("Organization", "to_organization_id")

    to_program = reference_to("Program", "to_program_id")

    recognitions = list_of("RecognitionRule.recognitions", "CreditRecognition")


@strawberry.type(description="Credits of one outcome recognised under one rule.")
class CreditRecognition(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    credits: Decimal
    recognised_on: date
    outcome_id: strawberry.Private[int]
    rule_id: strawberry.Private[int]

    outcome = reference_to("LearningOutcome", "outcome_id")

    rule = reference_to("RecognitionRule", "rule_id")
