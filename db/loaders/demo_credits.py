"""The demo's credit bank: mutual credit recognition between the School of Art (Jiangsu Open
University) and the School of Lifelong Education (Nanjing University), through Jiangsu Open
University's credit banking system (document 000).

The document records a preliminary consensus: "mutual credit recognition", "micro-specialties"
and "micro-courses featuring small credit units", and the credit banking system through which
"learners can flexibly accumulate and convert their learning outcomes". It gives no ratio, cap,
course or requirement, and names no learner. So every row here is illustrative: an implementing
credit recognition agreement (flagged `is_illustrative`, under the framework agreement), one
rule each way at 1:1 with a 10-credit cap, the micro-major's requirements, a course of each
school, and three invented learners ("Demo learner", in their names) with their ledgers and
applications: one approved, one waiting, one rejected. The rows are written as the ledger's
services would write them (an outcome with its EARNED entry, an approved application with its
RECOGNISED entry), which tests/db/test_demo_credits.py checks against the ledger invariants.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from db.enums import (
    AgreementKind,
    AgreementStatus,
    ApplicationStatus,
    CollaborationMode,
    CreditEntryKind,
    DeliveryMode,
    EnrolmentStatus,
    PartyRole,
)
from db.loaders.demo_builder import Builder
from db.loaders.demo_data import JSOU_ART, NJU_LLE
from db.tables import (
    Agreement,
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


async def add_credit_bank(b: Builder, framework_id: int, program_id: int, art_course: int) -> None:
    """The recognition agreement and rules, the micro-major's requirements, and the learners."""
    agreement_id = await b.agreement(
        title="Illustrative credit recognition agreement: School of Art and School of Lifelong "
        "Education",
        kind=AgreementKind.CREDIT_RECOGNITION,
        status=AgreementStatus.ACTIVE,
        parties=[(JSOU_ART, PartyRole.PARTNER), (NJU_LLE, PartyRole.PARTNER)],
        modes=[CollaborationMode.CREDIT_RECOGNITION],
        signed_on=date(2026, 1, 1),
        description="Illustrative: the source records only a preliminary consensus on mutual "
        "credit recognition through Jiangsu Open University's credit banking system; this "
        "implementing agreement, its dates and its rules are invented for the demo.",
    )
    agreement = await b.session.get(Agreement, agreement_id)
    assert agreement is not None
    agreement.parent_id = framework_id
    agreement.is_illustrative = True
    agreement.effective_from = date(2026, 1, 1)
    agreement.effective_to = date(2028, 12, 31)
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
    await _learner(b, bank, "Illustrative Learner", NJU_LLE, JSOU_ART, ApplicationStatus.APPROVED)
    await _learner(
        b, bank, "Demo learner Li (invented)", JSOU_ART, NJU_LLE, ApplicationStatus.SUBMITTED
    )
    await _learner(
        b, bank, "Demo learner Wang (invented)", NJU_LLE, JSOU_ART, ApplicationStatus.REJECTED
    )


_REASONS = {
    ApplicationStatus.APPROVED: "Illustrative decision: the course matches the micro-major's "
    "module and its evidence was checked.",
    ApplicationStatus.REJECTED: "Illustrative decision: the evidence of completion was not "
    "received in time; apply again with a transcript.",
}


async def _learner(
    b: Builder, bank: _Bank, name: str, home: str, source: str, status: ApplicationStatus
) -> None:
    """A learner of `home` enrolled in the micro-major, who earned `source`'s course and
    applied to have it recognised at `home`."""
    learner_id = await b.key(Learner(name=name, home_organization_id=b.orgs[home]))
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
    course = await b.session.get(Course, bank.courses[source])
    assert course is not None and course.credits is not None
    earned_on = date(2026, 6, 30)
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
    decided = status is not ApplicationStatus.SUBMITTED
    granted = course.credits if status is ApplicationStatus.APPROVED else None
    application_id = await b.key(
        RecognitionApplication(
            learner_id=learner_id,
            account_id=account_id,
            rule_id=bank.rules[source],
            from_organization_id=b.orgs[source],
            to_organization_id=b.orgs[home],
            status=status.value,
            credits_requested=course.credits,
            credits_granted=granted,
            applied_on=date(2026, 7, 1),
            applied_by=LOADER,
            decided_on=date(2026, 7, 15) if decided else None,
            decided_by=LOADER if decided else None,
            reason=_REASONS.get(status),
        )
    )
    await b.add(
        ApplicationOutcome(
            application_id=application_id, outcome_id=outcome_id, credits=course.credits
        )
    )
    if granted is None:
        return
    await b.add(
        CreditRecognition(
            outcome_id=outcome_id,
            rule_id=bank.rules[source],
            credits=granted,
            recognised_on=date(2026, 7, 15),
        )
    )
    await b.add(
        CreditEntry(
            account_id=account_id,
            kind=CreditEntryKind.RECOGNISED.value,
            credits=granted,
            organization_id=b.orgs[home],
            outcome_id=outcome_id,
            rule_id=bank.rules[source],
            application_id=application_id,
            entry_key=f"recognised:{outcome_id}:to:{b.orgs[home]}",
            recorded_on=date(2026, 7, 15),
            recorded_at=AT,
            recorded_by=LOADER,
        )
    )
