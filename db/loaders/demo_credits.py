"""The demo's credit bank: mutual credit recognition between the School of Art (Jiangsu Open
University) and the School of Lifelong Education (Nanjing University), through Jiangsu Open
University's credit banking system (document 000).

The document records a preliminary consensus: "mutual credit recognition", "micro-specialties"
and "micro-courses featuring small credit units", and the credit banking system through which
"learners can flexibly accumulate and convert their learning outcomes". It gives no ratio, cap,
course or requirement, and names no learner. So every row here is illustrative: one rule each
way at 1:1 with a 10-credit cap under the framework agreement (which is, as the source has it,
under negotiation), the micro-major's requirements, a course of each school, and one invented
learner (`externalRef` "DEMO-1 (invented learner)") with a ledger and three applications: one
rejected because the agreement is not in force yet, two waiting for it to be. Nothing is
recognised: a decision to approve needs an active agreement. The rows are written as the
ledger's services would write them (an outcome with its EARNED entry), which
tests/db/test_demo_credits.py checks against the ledger invariants.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from db.enums import (
    ApplicationStatus,
    CreditEntryKind,
    DeliveryMode,
    EnrolmentStatus,
)
from db.loaders.demo_builder import Builder
from db.loaders.demo_data import JSOU_ART, NJU_LLE
from db.tables import (
    ApplicationOutcome,
    Course,
    CreditAccount,
    CreditEntry,
    CreditRecognition,
    Enrolment,
    Learner,
    LearningOutcome,
    ProgramRequirement,
    RecognitionApplication,
    RecognitionRule,
    RecognitionRuleCourse,
    RequirementCourse,
)

__all__ = ["add_credit_bank"]

LOADER = "demo loader"
BANK = "Jiangsu Open University"
ENROLLED = date(2026, 3, 1)
AT = datetime(2026, 7, 15, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class _Bank:
    program_id: int
    courses: dict[str, int]
    rules: dict[str, int]


async def add_credit_bank(b: Builder, agreement_id: int, program_id: int, art_course: int) -> None:
    """The rules under the framework agreement, the micro-major's requirements, the learner."""
    lle_course = await b.key(
        Course(
            program_id=program_id,
            organization_id=b.orgs[NJU_LLE],
            code="MS-201",
            title="Illustrative micro-course: community learning services",
            credits=Decimal("2.0"),
            hours=32,
            delivery=DeliveryMode.BLENDED.value,
            is_illustrative=True,
        )
    )
    courses = {JSOU_ART: art_course, NJU_LLE: lle_course}
    rules = {}
    for source, receiver in [(JSOU_ART, NJU_LLE), (NJU_LLE, JSOU_ART)]:
        rules[source] = await b.key(
            RecognitionRule(
                agreement_id=agreement_id,
                from_organization_id=b.orgs[source],
                to_organization_id=b.orgs[receiver],
                to_program_id=program_id,
                ratio=Decimal("1.000"),
                max_credits=Decimal("10.0"),
            )
        )
        await b.add(RecognitionRuleCourse(rule_id=rules[source], course_id=courses[source]))
    await b.add(
        ProgramRequirement(
            program_id=program_id,
            min_total_credits=Decimal("4.0"),
            min_list_credits=Decimal("2.0"),
            time_limit_months=24,
        )
    )
    await b.add(RequirementCourse(program_id=program_id, course_id=art_course, required=True))
    await b.add(RequirementCourse(program_id=program_id, course_id=lle_course, required=False))
    bank = _Bank(program_id, courses, rules)
    await _learner(b, bank)


async def _learner(b: Builder, bank: _Bank) -> None:
    """The invented learner of the School of Lifelong Education, enrolled in the micro-major,
    banked at Jiangsu Open University: the School of Art's course, rejected by the learner's
    school while the agreement is under negotiation and applied for again; the school's own
    course, waiting for recognition at the School of Art."""
    learner_id = await b.key(
        Learner(
            name="Illustrative Learner",
            home_organization_id=b.orgs[NJU_LLE],
            external_ref="DEMO-1 (invented learner)",
        )
    )
    account_id = await b.key(
        CreditAccount(learner_id=learner_id, bank_id=b.orgs[BANK], opened_on=ENROLLED)
    )
    await b.add(
        Enrolment(
            learner_id=learner_id,
            program_id=bank.program_id,
            status=EnrolmentStatus.ENROLLED.value,
            enrolled_on=ENROLLED,
        )
    )
    art = await _earned(b, bank, account_id, JSOU_ART, date(2026, 6, 30))
    lle = await _earned(b, bank, account_id, NJU_LLE, date(2026, 11, 20))
    for status, applied, decided in [
        (ApplicationStatus.REJECTED, date(2026, 7, 1), date(2026, 7, 8)),
        (ApplicationStatus.SUBMITTED, date(2026, 11, 25), None),
    ]:
        await _application(b, bank, learner_id, account_id, art, status, applied, decided)
    await _application(
        b, bank, learner_id, account_id, lle, ApplicationStatus.SUBMITTED, date(2026, 11, 25), None
    )


@dataclass(frozen=True)
class _Outcome:
    key: int
    source: str
    credits: Decimal


async def _earned(
    b: Builder, bank: _Bank, account_id: int, source: str, earned_on: date
) -> _Outcome:
    """The source school's course earned: its outcome and EARNED entry."""
    course = await b.session.get(Course, bank.courses[source])
    assert course is not None and course.credits is not None
    outcome_id = await b.key(
        LearningOutcome(
            account_id=account_id,
            provider_id=b.orgs[source],
            program_id=bank.program_id,
            course_id=course.id,
            title=course.title,
            credits=course.credits,
            earned_on=earned_on,
        )
    )
    await b.add(
        CreditEntry(
            account_id=account_id,
            kind=CreditEntryKind.EARNED.value,
            credits=course.credits,
            organization_id=b.orgs[source],
            outcome_id=outcome_id,
            entry_key=f"course:{account_id}:{course.id}",
            recorded_on=earned_on,
            recorded_at=AT,
            recorded_by=LOADER,
        )
    )
    return _Outcome(outcome_id, source, course.credits)


_REASONS = {
    ApplicationStatus.APPROVED: "Illustrative decision: the course matches the micro-major's "
    "module and the transcript was checked.",
    ApplicationStatus.REJECTED: "Illustrative decision: the cooperation agreement is still under "
    "negotiation, so nothing is recognised under it yet; apply again with the transcript once it "
    "is in force.",
}


async def _application(
    b: Builder,
    bank: _Bank,
    learner_id: int,
    account_id: int,
    outcome: _Outcome,
    status: ApplicationStatus,
    applied_on: date,
    decided_on: date | None,
) -> None:
    """An application by the learner's school to recognise the outcome at the other school;
    when approved, its recognition and RECOGNISED entry."""
    receiver = NJU_LLE if outcome.source == JSOU_ART else JSOU_ART
    rule_id = bank.rules[outcome.source]
    granted = outcome.credits if status is ApplicationStatus.APPROVED else None
    application_id = await b.key(
        RecognitionApplication(
            learner_id=learner_id,
            account_id=account_id,
            rule_id=rule_id,
            from_organization_id=b.orgs[outcome.source],
            to_organization_id=b.orgs[receiver],
            status=status.value,
            credits_requested=outcome.credits,
            credits_granted=granted,
            applied_on=applied_on,
            applied_by=LOADER,
            decided_on=decided_on,
            decided_by=LOADER if decided_on else None,
            reason=_REASONS.get(status),
        )
    )
    await b.add(
        ApplicationOutcome(
            application_id=application_id, outcome_id=outcome.key, credits=outcome.credits
        )
    )
    if granted is None or decided_on is None:
        return
    await b.add(
        CreditRecognition(
            outcome_id=outcome.key, rule_id=rule_id, credits=granted, recognised_on=decided_on
        )
    )
    await b.add(
        CreditEntry(
            account_id=account_id,
            kind=CreditEntryKind.RECOGNISED.value,
            credits=granted,
            organization_id=b.orgs[receiver],
            outcome_id=outcome.key,
            rule_id=rule_id,
            application_id=application_id,
            entry_key=f"recognised:{outcome.key}:to:{b.orgs[receiver]}",
            recorded_on=decided_on,
            recorded_at=AT,
            recorded_by=LOADER,
        )
    )
