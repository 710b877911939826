"""The demo's agreements: the Jiangxi alliance with its members, the agreements signed at the
Nanchang conference and the two joint colleges, the Jiangsu colleges' framework agreement with
its commitments, micro-specialty program, shared credit bank and course, the illustrative
learner, credits, grant and evaluation, and the refresh of every agreement's terms hash.
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from db.base import table_of
from db.enums import (
    ActivityKind,
    AgreementKind,
    AgreementStatus,
    AllianceScope,
    CollaborationMode,
    DeliveryMode,
    EvaluationIndicator,
    MembershipRole,
    PartyRole,
    ProgramKind,
    ProgramStatus,
    ResourceKind,
    TargetLearnerGroup,
)
from db.loaders.demo_builder import Builder
from db.loaders.demo_credits import add_credit_bank
from db.loaders.demo_data import (
    ALLIANCE,
    CONFERENCE,
    INAUGURATION,
    JSOU_ART,
    JUFE,
    MEMBERSHIPS,
    MOE,
    NCHU,
    NCU,
    NJU_LLE,
    POSITIONS,
)
from db.tables import (
    Activity,
    ActivityProgram,
    Agreement,
    Alliance,
    AllianceRoleCount,
    Commitment,
    Course,
    CourseInstructor,
    Evaluation,
    EvaluationMeasure,
    Funding,
    Indicator,
    Membership,
    Program,
    ProgramPartner,
    ProgramTargetGroup,
    Resource,
    ResourceShare,
)
from db.terms import refresh_terms_hash

__all__ = ["DECLARED_ROLES", "add_jiangsu", "add_jiangxi", "refresh_all_terms"]

INDICATOR = table_of(Indicator)

DECLARED_ROLES = {
    MembershipRole.CHAIR: 1,
    MembershipRole.VICE_CHAIR: 10,
    MembershipRole.DIRECTOR: 7,
}
"""The alliance's institutions per role as the source counts them; it names 1, 3 and 2."""


async def add_jiangxi(b: Builder) -> None:
    """The alliance inaugurated on 18 November 2025 and the conference of the day before."""
    alliance_id = await b.key(
        Alliance(
            name=ALLIANCE,
            short_name="Jiangxi Sino-Foreign Cooperative Education Alliance",
            scope=AllianceScope.PROVINCIAL.value,
            founded_on=INAUGURATION,
            founded_place="Nanchang",
            description=(
                "Integrates high-quality educational resources within Jiangxi, standardizes "
                "cooperation processes and builds a collaborative, shared development framework "
                "for Sino-foreign cooperative education. 10 vice-chair and 7 director "
                "institutions; the source names the chair, three vice-chairs and two directors."
            ),
        )
    )
    for role, declared in DECLARED_ROLES.items():
        await b.add(
            AllianceRoleCount(
                alliance_id=alliance_id,
                role=role.value,
                declared=declared,
                source="Jiangxi Provincial Education Department, 18 December 2025",
            )
        )
    for organization, role in MEMBERSHIPS:
        await b.add(
            Membership(
                alliance_id=alliance_id,
                organization_id=b.orgs[organization],
                role=role.value,
                joined_on=INAUGURATION,
            )
        )
    await b.activity(
        Activity(
            kind=ActivityKind.INAUGURATION.value,
            title=f"Inauguration of the {ALLIANCE}",
            held_on=INAUGURATION,
            place="Nanchang",
            alliance_id=alliance_id,
        ),
        [],  # the source names no participants
    )
    signed = [
        await b.agreement(
            title=f"Sino-foreign cooperative education agreement: {first} and {second}",
            kind=AgreementKind.SINO_FOREIGN_COOPERATIVE_EDUCATION,
            status=AgreementStatus.SIGNED,
            parties=[(first, PartyRole.PARTNER), (second, PartyRole.PARTNER)],
            modes=[],
            signed_on=CONFERENCE,
            description="Signed during the 2025 conference in Nanchang.",
        )
        for first, second in [
            (JUFE, "University of Technology Sydney"),
            (NCHU, "Belarusian State University"),
        ]
    ]
    await b.activity(
        Activity(
            kind=ActivityKind.CONFERENCE.value,
            title=(
                "2025 International Conference on Industry-University-Research Cooperation in "
                "Jiangxi and the Education International Cooperation & Exchange Conference"
            ),
            held_on=CONFERENCE,
            place="Nanchang",
            summary="A series of Sino-foreign cooperative education projects were signed.",
        ),
        [
            (JUFE, None, "signatory"),
            ("University of Technology Sydney", None, "signatory"),
            (NCHU, None, "signatory"),
            ("Belarusian State University", None, "signatory"),
        ],
        signed,
    )
    for college, home, foreign in [
        ("Queen Mary College at Nanchang University", NCU, "Queen Mary University of London"),
        ("Griffith College of Digital Intelligence", JUFE, "Griffith University"),
    ]:
        await b.agreement(
            title=f"Establishment of the {college}",
            kind=AgreementKind.SINO_FOREIGN_COOPERATIVE_EDUCATION,
            status=AgreementStatus.ACTIVE,
            parties=[
                (home, PartyRole.PARTNER),
                (foreign, PartyRole.PARTNER),
                (MOE, PartyRole.APPROVER),
            ],
            modes=[CollaborationMode.JOINT_DEGREE],
            description="Approved by the Ministry of Education (date not given in the source).",
        )


async def refresh_all_terms(b: Builder) -> None:
    """Commitments are part of the terms: hash again once they are all in."""
    connection = await b.session.connection()
    for key in await connection.scalars(sa.select(table_of(Agreement).c.id)):
        await refresh_terms_hash(connection, key)


async def add_jiangsu(b: Builder) -> None:
    """The April 14 meeting of the School of Art (Jiangsu Open University) and the School of
    Lifelong Education (Nanjing University), what they agreed to work on, and a few
    illustrative rows for the credit bank they plan to use."""
    agreement_id = await b.agreement(
        title="Cooperation on social education projects",
        kind=AgreementKind.FRAMEWORK,
        status=AgreementStatus.UNDER_NEGOTIATION,
        parties=[(JSOU_ART, PartyRole.PARTNER), (NJU_LLE, PartyRole.PARTNER)],
        modes=[
            CollaborationMode.CREDIT_RECOGNITION,
            CollaborationMode.VOCATIONAL_TRAINING,
            CollaborationMode.MICRO_SPECIALTY,
            CollaborationMode.JOINT_COURSE_DEVELOPMENT,
            CollaborationMode.SHARED_FACULTY,
            CollaborationMode.RESOURCE_SHARING,
        ],
        description=(
            "Micro-specialties and micro-courses with small credit units; joint course "
            "development, shared faculty and mutual credit recognition through Jiangsu Open "
            "University's credit banking system."
        ),
    )
    for step in ["Admission planning", "Course development", "A quality evaluation system"]:
        for obligor, other in [(JSOU_ART, NJU_LLE), (NJU_LLE, JSOU_ART)]:
            await b.add(
                Commitment(
                    agreement_id=agreement_id,
                    obligor_id=b.orgs[obligor],
                    beneficiary_id=b.orgs[other],
                    description=f"{step}, together with the other college (agreed next step)",
                )
            )
    program_id = await b.key(
        Program(
            name="Micro-specialties for lifelong learning",
            kind=ProgramKind.MICRO_MAJOR.value,
            status=ProgramStatus.PLANNED.value,
            agreement_id=agreement_id,
            delivery=DeliveryMode.BLENDED.value,
            description=(
                "Four initial directions identified, covering emerging careers and integrated "
                "skills; modular, short-cycle units."
            ),
        )
    )
    for organization, role in [(JSOU_ART, PartyRole.PARTNER), (NJU_LLE, PartyRole.PARTNER)]:
        await b.add(
            ProgramPartner(
                program_id=program_id, organization_id=b.orgs[organization], role=role.value
            )
        )
    await b.add(
        ProgramTargetGroup(program_id=program_id, target_group=TargetLearnerGroup.EMPLOYEES.value)
    )
    meeting_id = await b.activity(
        Activity(
            kind=ActivityKind.MEETING.value,
            title="Meeting on collaboration in social education projects",
            held_on=None,
            summary="Held on April 14 (the source gives no year).",
            outcomes="Preliminary consensus on cooperation.",
            next_steps="Admission planning, course development, a quality evaluation system.",
        ),
        [(org, person, "participant") for person, org, _ in POSITIONS[:6]],
        [agreement_id],
    )
    await b.add(ActivityProgram(activity_id=meeting_id, program_id=program_id))

    bank_id = await b.key(
        Resource(
            owner_id=b.orgs["Jiangsu Open University"],
            kind=ResourceKind.PLATFORM.value,
            name="Jiangsu Open University credit banking system",
            description="Lets learners accumulate and convert learning outcomes.",
        )
    )
    await b.add(
        ResourceShare(
            resource_id=bank_id,
            organization_id=b.orgs[NJU_LLE],
            agreement_id=agreement_id,
            terms="Planned: shared course resources and personalised learning paths.",
        )
    )
    course_id = await b.key(
        Course(
            program_id=program_id,
            organization_id=b.orgs[JSOU_ART],
            code="MS-101",
            title="Illustrative micro-course: design for community education",
            credits=Decimal("2.0"),
            hours=32,
            delivery=DeliveryMode.ONLINE.value,
            is_illustrative=True,
        )
    )
    for person in ["Zhao Yuqin", "Chen Fangyi"]:
        await b.add(CourseInstructor(course_id=course_id, person_id=b.people[person]))
    await _illustrative_credits(b, agreement_id, program_id, course_id)


async def _illustrative_credits(
    b: Builder, agreement_id: int, program_id: int, course_id: int
) -> None:
    await add_credit_bank(b, agreement_id, program_id, course_id)
    await b.add(
        Funding(
            funder_id=b.orgs["Jiangsu Open University"],
            program_id=program_id,
            title="Illustrative grant for micro-specialty course development",
            amount=Decimal("50000.00"),
            currency="CNY",
        )
    )
    evaluation_id = await b.key(
        Evaluation(
            agreement_id=agreement_id,
            program_id=program_id,
            evaluator_id=b.orgs["Jiangsu Open University"],
            period_start=date(2026, 1, 1),
            period_end=date(2026, 6, 30),
            score=Decimal("80.00"),
            notes="Illustrative evaluation: not from the source documents.",
        )
    )
    enrolments = await b.session.scalar(
        sa.select(INDICATOR.c.id).where(INDICATOR.c.code == EvaluationIndicator.ENROLMENTS.value)
    )
    assert enrolments is not None, "the standard indicators come with the migrations"
    await b.add(
        EvaluationMeasure(
            evaluation_id=evaluation_id,
            indicator_id=enrolments,
            target=Decimal(40),
            actual=Decimal(1),
        )
    )
