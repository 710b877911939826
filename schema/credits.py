"""The credit bank: learners, accounts, enrolments, outcomes, recognition rules and recognitions.

Balances are never stored; `CreditAccount.balance` is a sum over the account's ledger entries
(`CreditEntry`, schema/ledger.py), which only the ledger's mutations write.

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
from schema.wording import VERSION

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


@strawberry.type(
    description="A learner in the credit bank: a student, a worker in training, a senior "
    "citizen. Personal data: seen only by the learner's home organization (or one it belongs "
    "to) and admins."
)
class Learner(Node):
    version: int = strawberry.field(description=VERSION)
    name: str = strawberry.field(description="The learner's name, as registered.")
    external_ref: str | None = strawberry.field(
        description="The learner's number in the home organization's own records (a student "
        "number), where given."
    )
    email: str | None = strawberry.field(description="An e-mail address for the learner.")
    home_organization_id: strawberry.Private[int | None]

    home_organization = referenced(
        "Organization",
        "home_organization_id",
        description="The organization that registered the learner and answers for the record.",
    )

    accounts = list_of(
        "Learner.accounts",
        "CreditAccount",
        description="The learner's accounts, one per credit bank.",
    )

    enrolments = list_of(
        "Learner.enrolments",
        "Enrolment",
        description="The learner's enrolments in programs, by enrolment date.",
    )

    recognition_applications = list_of(
        "Learner.recognitionApplications",
        "RecognitionApplication",
        description="Applications made for the learner to have outcomes recognised, by date "
        "applied.",
    )

    completions = list_of(
        "Learner.completions",
        "ProgramCompletion",
        description="The programs the learner completed, by date completed.",
    )

    credentials = list_of(
        "Learner.credentials",
        "IssuedCredential",
        description="Open Badges credentials issued to the learner, by date issued; only "
        "those the caller may see.",
    )


@strawberry.type(description="An account's credits in one credit unit.")
class CreditBalance:
    unit_code: str | None = strawberry.field(
        description="The unit's code (see `creditUnits`); null for credits whose unit was never "
        "recorded."
    )
    credits: Decimal = strawberry.field(description="The sum of the entries in that unit.")


@strawberry.type(
    description="A learner's account at a credit bank (an organization keeping a ledger of "
    "learning outcomes); balances are sums over the ledger, never edited. Seen by the "
    "learner's home organization, the bank, and admins."
)
class CreditAccount(Node):
    version: int = strawberry.field(description=VERSION)
    opened_on: date | None = strawberry.field(
        description="The ISO date the account was opened, where known."
    )
    learner_id: strawberry.Private[int]
    bank_id: strawberry.Private[int]

    learner = referenced(
        "Learner",
        "learner_id",
        description="Whose account it is; null when the caller may not see the learner.",
    )

    bank = referenced(
        "Organization", "bank_id", description="The organization keeping the account."
    )

    @strawberry.field(
        description="The balance: the sum of the account's ledger entries (earned and "
        "recognised credits, less corrections and expiries), to two decimal places, whatever "
        "their units (see `balances` for the balance per unit)."
    )
    async def balance(self, info: Info) -> Decimal:
        return (await reads.totals_of_account(info.context).load(self.pk)).balance

    @strawberry.field(
        description="Credits earned at providers, less their corrections and expiries, as "
        "the providers count them (the ledger's EARNED entries and theirs)."
    )
    async def credits_earned(self, info: Info) -> Decimal:
        return (await reads.totals_of_account(info.context).load(self.pk)).earned

    @strawberry.field(
        description="Credits recognised under rules, less their corrections and expiries, in "
        "the receiving organizations' units."
    )
    async def credits_recognised(self, info: Info) -> Decimal:
        return (await reads.totals_of_account(info.context).load(self.pk)).recognised

    @strawberry.field(
        description="The balance per credit unit (the sum of the entries in each unit, a "
        "conversion moving credits from one to another), in unit code order, the credits of "
        "no recorded unit last; units with no entries are left out."
    )
    async def balances(self, info: Info) -> list[CreditBalance]:
        totals = await reads.totals_of_account(info.context).load(self.pk)
        return [CreditBalance(unit_code=unit, credits=credits) for unit, credits in totals.by_unit]

    entries = list_of(
        "CreditAccount.entries",
        "CreditEntry",
        description="The ledger: every entry of the account, oldest first. Append-only.",
    )

    outcomes = list_of(
        "CreditAccount.outcomes",
        "LearningOutcome",
        description="The learning outcomes entered in this account (the sources of its EARNED "
        "entries), by date earned (oldest first).",
    )


@strawberry.type(
    description="A learner's enrolment in a program. Personal data: seen only by the "
    "learner's home organization (or one it belongs to) and admins."
)
class Enrolment(Node):
    version: int = strawberry.field(description=VERSION)
    status: EnrolmentStatus = strawberry.field(
        description="Enrolled (still learning), completed or withdrawn."
    )
    enrolled_on: date | None = strawberry.field(
        description="The ISO date the learner enrolled, where known."
    )
    completed_on: date | None = strawberry.field(
        description="The ISO date the learner completed the program; null until then."
    )
    learner_id: strawberry.Private[int]
    program_id: strawberry.Private[int]

    learner = referenced("Learner", "learner_id", description="Who enrolled.")

    program = referenced("Program", "program_id", description="The program enrolled in.")


@strawberry.type(
    description="Credits earned by a learner at a provider, with evidence, entered in an "
    "account: one line of the credit bank's ledger. Seen by whoever sees the account."
)
class LearningOutcome(Node):
    version: int = strawberry.field(description=VERSION)
    title: str = strawberry.field(
        description="What was learned or completed (a course, a certificate), in words."
    )
    credits: Decimal = strawberry.field(
        description="The credits earned, in the provider's units (not yet converted by any "
        "recognition)."
    )
    earned_on: date = strawberry.field(description="The ISO date the credits were earned.")
    evidence_url: str | None = strawberry.field(
        description="Where the evidence (a transcript, a certificate) can be checked, if online."
    )
    account_id: strawberry.Private[int]
    provider_id: strawberry.Private[int]
    program_id: strawberry.Private[int | None]
    course_id: strawberry.Private[int | None]

    account = referenced(
        "CreditAccount", "account_id", description="The account the outcome is entered in."
    )

    provider = referenced(
        "Organization", "provider_id", description="The organization where the credits were earned."
    )

    program = referenced(
        "Program", "program_id", description="The program it was earned in, if any."
    )

    course = referenced("Course", "course_id", description="The course it was earned in, if any.")

    recognitions = list_of(
        "LearningOutcome.recognitions",
        "CreditRecognition",
        description="Where these credits were recognised, under which rule, and how many, by "
        "date recognised.",
    )


@strawberry.type(
    description="How credits earned at one organization (or program) count at another: "
    "`ratio` credits there per credit here, up to `maxCredits`. Seen by whoever sees its "
    "agreement, by the two organizations it names, and by admins."
)
class RecognitionRule(Node):
    version: int = strawberry.field(description=VERSION)
    ratio: Decimal = strawberry.field(
        description="Credits recognised at the receiving organization per credit earned at "
        "the source (`0.5`: two earned count as one); above 0 and at most 10, 1 by default. "
        "Once an application is made under the rule, its terms no longer change."
    )
    max_credits: Decimal | None = strawberry.field(
        description="The most credits recognised under this rule per learner account, in the "
        "receiving organization's units (enforced on every decision: above 0, at most 1000); "
        "null for no cap."
    )
    agreement_id: strawberry.Private[int | None]
    from_organization_id: strawberry.Private[int]
    from_program_id: strawberry.Private[int | None]
    to_organization_id: strawberry.Private[int]
    to_program_id: strawberry.Private[int | None]

    agreement = referenced(
        "Agreement",
        "agreement_id",
        description="The credit recognition agreement that sets this rule; null for a rule "
        "without one, or when the caller may not see it.",
    )

    from_organization = referenced(
        "Organization",
        "from_organization_id",
        description="Where the credits are earned (the source).",
    )

    from_program = referenced(
        "Program",
        "from_program_id",
        description="The source program, when the rule covers only credits earned in it.",
    )

    to_organization = referenced(
        "Organization",
        "to_organization_id",
        description="Where the credits are recognised (the receiving organization).",
    )

    to_program = referenced(
        "Program",
        "to_program_id",
        description="The program the credits count toward, when the rule names one.",
    )

    eligible_courses = list_of(
        "RecognitionRule.eligibleCourses",
        "RecognitionRuleCourse",
        description="The courses whose outcomes the rule accepts; empty: any of its source's.",
    )

    applications = list_of(
        "RecognitionRule.applications",
        "RecognitionApplication",
        description="Applications made under this rule that the caller may see, by date applied.",
    )

    recognitions = list_of(
        "RecognitionRule.recognitions",
        "CreditRecognition",
        description="Credits recognised under this rule, by date recognised; only those in "
        "accounts the caller may see.",
    )


@strawberry.type(
    description="Credits of one outcome recognised under one rule. Seen by whoever sees the "
    "outcome's account."
)
class CreditRecognition(Node):
    version: int = strawberry.field(description=VERSION)
    credits: Decimal = strawberry.field(
        description="The credits recognised, in the receiving organization's units (after "
        "the rule's ratio)."
    )
    recognised_on: date = strawberry.field(description="The ISO date they were recognised.")
    outcome_id: strawberry.Private[int]
    rule_id: strawberry.Private[int]

    outcome = referenced(
        "LearningOutcome", "outcome_id", description="The outcome whose credits were recognised."
    )

    rule = referenced(
        "RecognitionRule", "rule_id", description="The rule they were recognised under."
    )
