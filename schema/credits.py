"""The credit bank: learners, accounts, enrolments, outcomes, recognition rules and recognitions.

Balances are never stored; `CreditAccount.creditsEarned` is a sum over the account's outcomes.
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import credits as reads
from schema.enums import EnrolmentStatus
from schema.relay import Connection, Info, Node, fetch, related

if TYPE_CHECKING:
    from schema.agreements import Agreement
    from schema.organizations import Organization
    from schema.programs import Course, Program

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

    @strawberry.field
    async def home_organization(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.home_organization_id)

    @strawberry.field(description="Accounts at credit banks.")
    async def accounts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["CreditAccount"]:
        return await related(
            info, "Learner.accounts", self.pk, CreditAccount.from_row, first=first, after=after
        )

    @strawberry.field
    async def enrolments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["Enrolment"]:
        return await related(
            info, "Learner.enrolments", self.pk, Enrolment.from_row, first=first, after=after
        )


@strawberry.type(description="A learner's account at a credit bank (an organization).")
class CreditAccount(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    opened_on: date | None
    learner_id: strawberry.Private[int]
    bank_id: strawberry.Private[int]

    @strawberry.field
    async def learner(self, info: Info) -> Learner | None:
        return await fetch(info, Learner, self.learner_id)

    @strawberry.field(description="The organization keeping the account.")
    async def bank(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.bank_id)

    @strawberry.field(description="The sum of the credits of the account's outcomes.")
    async def credits_earned(self, info: Info) -> Decimal:
        earned: Decimal = await reads.credits_earned_of(info.context).load(self.pk)
        return earned

    @strawberry.field(description="Credits earned, newest last.")
    async def outcomes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["LearningOutcome"]:
        return await related(
            info,
            "CreditAccount.outcomes",
            self.pk,
            LearningOutcome.from_row,
            first=first,
            after=after,
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

    @strawberry.field
    async def learner(self, info: Info) -> Learner | None:
        return await fetch(info, Learner, self.learner_id)

    @strawberry.field
    async def program(self, info: Info) -> ProgramRef | None:
        return await _program(info, self.program_id)


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

    @strawberry.field
    async def account(self, info: Info) -> CreditAccount | None:
        return await fetch(info, CreditAccount, self.account_id)

    @strawberry.field(description="The organization where the credits were earned.")
    async def provider(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.provider_id)

    @strawberry.field
    async def program(self, info: Info) -> ProgramRef | None:
        return await _program(info, self.program_id)

    @strawberry.field
    async def course(
        self, info: Info
    ) -> Annotated["Course", strawberry.lazy("schema.programs")] | None:
        from schema.programs import Course

        return await fetch(info, Course, self.course_id)

    @strawberry.field(description="Where these credits were recognised, and how many.")
    async def recognitions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["CreditRecognition"]:
        return await related(
            info,
            "LearningOutcome.recognitions",
            self.pk,
            CreditRecognition.from_row,
            first=first,
            after=after,
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

    @strawberry.field(description="The agreement that sets this rule.")
    async def agreement(
        self, info: Info
    ) -> Annotated["Agreement", strawberry.lazy("schema.agreements")] | None:
        from schema.agreements import Agreement

        return await fetch(info, Agreement, self.agreement_id)

    @strawberry.field
    async def from_organization(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.from_organization_id)

    @strawberry.field
    async def from_program(self, info: Info) -> ProgramRef | None:
        return await _program(info, self.from_program_id)

    @strawberry.field
    async def to_organization(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.to_organization_id)

    @strawberry.field
    async def to_program(self, info: Info) -> ProgramRef | None:
        return await _program(info, self.to_program_id)

    @strawberry.field
    async def recognitions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["CreditRecognition"]:
        return await related(
            info,
            "RecognitionRule.recognitions",
            self.pk,
            CreditRecognition.from_row,
            first=first,
            after=after,
        )


@strawberry.type(description="Credits of one outcome recognised under one rule.")
class CreditRecognition(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    credits: Decimal
    recognised_on: date
    outcome_id: strawberry.Private[int]
    rule_id: strawberry.Private[int]

    @strawberry.field
    async def outcome(self, info: Info) -> LearningOutcome | None:
        return await fetch(info, LearningOutcome, self.outcome_id)

    @strawberry.field
    async def rule(self, info: Info) -> RecognitionRule | None:
        return await fetch(info, RecognitionRule, self.rule_id)
