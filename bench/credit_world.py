"""A small credit bank to exercise the ledger: a source organization (the bank and provider),
a receiving organization (the learners' home), an active credit recognition agreement with one
rule, a micro-major of a few courses, and enrolled learners with an account each. Used by the
ledger's property and concurrency tests and by `bench/credits.py`."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import (
    AgreementKind,
    AgreementStatus,
    EnrolmentStatus,
    OrganizationKind,
    PartyRole,
    ProgramKind,
)
from db.tables import (
    Agreement,
    AgreementParty,
    Course,
    CreditAccount,
    Enrolment,
    Learner,
    Organization,
    Program,
    ProgramPartner,
    RecognitionRule,
)

__all__ = ["CreditWorld", "add_credit_world"]

COURSE_CREDITS = (Decimal("2.0"), Decimal("1.5"), Decimal("3.0"), Decimal("0.5"))
ENROLLED = date(2020, 1, 1)


@dataclass(frozen=True)
class CreditWorld:
    source: int
    receiver: int
    agreement: int
    program: int
    rule: int
    courses: list[int]
    learners: list[int]
    accounts: list[int]


async def add_credit_world(
    engine: AsyncEngine,
    *,
    learners: int,
    cap: Decimal | None = Decimal("5.0"),
    ratio: Decimal = Decimal("1.000"),
    prefix: str = "Ledger",
    unit: str | None = None,
) -> CreditWorld:
    """The world; `unit` is the micro-major's credit unit (its courses and the rule's
    recognised credits count in it), none by default."""
    async with AsyncSession(engine) as session, session.begin():

        async def key(row: object) -> int:
            session.add(row)
            await session.flush()
            found = getattr(row, "id", None)
            assert isinstance(found, int)
            return found

        def university(name: str) -> Organization:
            return Organization(
                kind=OrganizationKind.UNIVERSITY.value, name=f"{prefix} {name}", country="CN"
            )

        source = await key(university("Source University"))
        receiver = await key(university("Receiving University"))
        agreement = await key(
            Agreement(
                title=f"{prefix} credit recognition",
                kind=AgreementKind.CREDIT_RECOGNITION.value,
                status=AgreementStatus.ACTIVE.value,
                effective_from=date(2020, 1, 1),
                effective_to=date(2099, 12, 31),
            )
        )
        for organization in (source, receiver):
            session.add(
                AgreementParty(
                    agreement_id=agreement, organization_id=organization, role=PartyRole.PARTNER
                )
            )
        program = await key(
            Program(
                name=f"{prefix} micro-major", kind=ProgramKind.MICRO_MAJOR, credit_unit_code=unit
            )
        )
        for organization in (source, receiver):
            session.add(ProgramPartner(program_id=program, organization_id=organization))
        courses = [
            await key(
                Course(
                    program_id=program,
                    organization_id=source,
                    title=f"{prefix} course {i}",
                    credits=credits,
                )
            )
            for i, credits in enumerate(COURSE_CREDITS)
        ]
        rule = await key(
            RecognitionRule(
                agreement_id=agreement,
                from_organization_id=source,
                to_organization_id=receiver,
                to_program_id=program,
                ratio=ratio,
                max_credits=cap,
            )
        )
        learner_ids, accounts = [], []
        for i in range(learners):
            learner = await key(
                Learner(name=f"{prefix} learner {i}", home_organization_id=receiver)
            )
            learner_ids.append(learner)
            accounts.append(await key(CreditAccount(learner_id=learner, bank_id=source)))
            session.add(
                Enrolment(
                    learner_id=learner,
                    program_id=program,
                    status=EnrolmentStatus.ENROLLED.value,
                    enrolled_on=ENROLLED,
                )
            )
    return CreditWorld(source, receiver, agreement, program, rule, courses, learner_ids, accounts)
