"""The credit bank: learners, accounts, enrolments, outcomes, recognition rules and recognitions.

Balances are never stored; `CreditAccount.creditsEarned` is a sum over the account's outcomes.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import credits as reads
from schema.compiled.declare import list_of, referenced
from schema.enums import EnrolmentStatus
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

    home_organization = referenced("Organization", "home_organization_id")

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

    learner = referenced("Learner", "learner_id")

    bank = referenced(
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

    learner = referenced("Learner", "learner_id")

    program = referenced("Program", "program_id")


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

    account = referenced("CreditAccount", "account_id")

    provider = referenced(
        "Organization", "provider_id", description="The organization where the credits were earned."
    )

    program = referenced("Program", "program_id")

    course = referenced("Course", "course_id")

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

    agreement = referenced(
        "Agreement", "agreement_id", description="The agreement that sets this rule."
    )

    from_organization = referenced("Organization", "from_organization_id")

    from_program = referenced("Program", "from_program_id")

    to_organization = referenced("Organization", "to_organization_id")

    to_program = referenced("Program", "to_program_id")

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

    outcome = referenced("LearningOutcome", "outcome_id")

    rule = referenced("RecognitionRule", "rule_id")
