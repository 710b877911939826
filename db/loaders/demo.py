"""The demo data, built from the source documents in `../shared/seeds/`.

Organizations, people, the Jiangxi alliance, the agreements signed in Nanchang, the meetings and
the lifelong-learning platform are as the documents give them; ROR ids and websites come from
`../shared/data/` (ROR and Hipo). A date the documents leave out stays empty rather than guessed.
A few rows the documents do not describe (a course, a learner's credits, a grant, an evaluation)
are there so that every part of the API has something to show: they are flagged
`is_illustrative` where the table has that flag, and say "Illustrative" in their text otherwise.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from db.base import table_of
from db.enums import (
    ActivityKind,
    AgreementKind,
    AgreementStatus,
    AllianceScope,
    CollaborationMode,
    DeliveryMode,
    EnrolmentStatus,
    EvaluationIndicator,
    MembershipRole,
    OrganizationKind,
    PartyRole,
    ProgramCategory,
    ProgramKind,
    ProgramStatus,
    ProposalKind,
    ResourceKind,
    TargetLearnerGroup,
)
from db.tables import (
    Activity,
    ActivityAgreement,
    ActivityParticipant,
    ActivityProgram,
    Agreement,
    AgreementMode,
    AgreementParty,
    Alliance,
    Commitment,
    Course,
    CourseInstructor,
    CreditAccount,
    CreditRecognition,
    Enrolment,
    Evaluation,
    EvaluationMeasure,
    Funding,
    HistoryEntry,
    Learner,
    LearningOutcome,
    Membership,
    Organization,
    OrganizationIdentifier,
    Person,
    Position,
    Program,
    ProgramPartner,
    ProgramTargetGroup,
    Proposal,
    RecognitionRule,
    Resource,
    ResourceShare,
)
from db.terms import refresh_terms_hash

__all__ = ["database_is_empty", "load_demo"]

Row = TypeVar("Row", bound=SQLModel)

UNIVERSITY = OrganizationKind.UNIVERSITY.value
JUFE = "Jiangxi University of Finance and Economics"
NCU = "Nanchang University"
NCHU = "Nanchang Hangkong University"
MOE = "Ministry of Education"
JSOU_ART = "School of Art"
NJU_LLE = "School of Lifelong Education"
ALLIANCE = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"
INAUGURATION = date(2025, 11, 18)
CONFERENCE = date(2025, 11, 17)


@dataclass(frozen=True)
class _Org:
    name: str
    country: str
    kind: str = UNIVERSITY
    city: str | None = None
    region: str | None = None
    short_name: str | None = None
    parent: str | None = None
    ror_id: str | None = None
    website: str | None = None


_ORGANIZATIONS = [
    _Org(JUFE, "CN", city="Nanchang", region="Jiangxi", short_name="JUFE",
         ror_id="https://ror.org/03efmyj29", website="http://www.jxufe.edu.cn/"),
    _Org(NCU, "CN", city="Nanchang", region="Jiangxi", short_name="NCU",
         ror_id="https://ror.org/042v6xz23", website="http://www.ncu.edu.cn/"),
    _Org(NCHU, "CN", city="Nanchang", region="Jiangxi"),
    _Org("Jiangxi Normal University", "CN", city="Nanchang", region="Jiangxi",
         website="http://www.jxnu.edu.cn/"),
    _Org("Jiangxi University of Traditional Chinese Medicine", "CN", city="Nanchang",
         region="Jiangxi", ror_id="https://ror.org/03jy32q83", website="http://www.jutcm.com/"),
    _Org("Gannan Normal University", "CN", city="Ganzhou", region="Jiangxi"),
    _Org("University of Technology Sydney", "AU", city="Sydney", short_name="UTS",
         ror_id="https://ror.org/03f0f6041", website="http://www.uts.edu.au/"),
    _Org("Belarusian State University", "BY", city="Minsk", short_name="BSU",
         ror_id="https://ror.org/021036w13", website="https://bsu.by/"),
    _Org("Queen Mary University of London", "GB", city="London",
         ror_id="https://ror.org/026zzn846"),
    _Org("Griffith University", "AU", ror_id="https://ror.org/02sc3r913",
         website="https://www.griffith.edu.au/"),
    _Org("Queen Mary College at Nanchang University", "CN", city="Nanchang", region="Jiangxi",
         parent=NCU),
    _Org("Griffith College of Digital Intelligence", "CN", city="Nanchang", region="Jiangxi",
         parent=JUFE),
    _Org(MOE, "CN", kind=OrganizationKind.GOVERNMENT_BODY.value, city="Beijing",
         ror_id="https://ror.org/01mv9t934"),
    _Org("Jiangxi Provincial Education Department", "CN",
         kind=OrganizationKind.GOVERNMENT_BODY.value, city="Nanchang", region="Jiangxi"),
    _Org("Jiangsu Open University", "CN", city="Nanjing", region="Jiangsu"),
    _Org("Nanjing University", "CN", city="Nanjing", region="Jiangsu", short_name="NJU",
         ror_id="https://ror.org/01rxvg760", website="http://www.nju.edu.cn/"),
    _Org(JSOU_ART, "CN", city="Nanjing", region="Jiangsu", parent="Jiangsu Open University"),
    _Org(NJU_LLE, "CN", city="Nanjing", region="Jiangsu", parent="Nanjing University"),
    _Org("Open University of China", "CN", city="Beijing", short_name="OUC"),
    _Org("Information Technology Department, Open University of China", "CN", city="Beijing",
         parent="Open University of China"),
    _Org("Learning Resources Department, Open University of China", "CN", city="Beijing",
         parent="Open University of China"),
    _Org("Tsinghua University", "CN", city="Beijing", ror_id="https://ror.org/03cve4549",
         website="http://www.tsinghua.edu.cn/"),
    _Org("Lifelong Education Department, Tsinghua University", "CN", city="Beijing",
         parent="Tsinghua University"),
    _Org("Beijing Normal University", "CN", city="Beijing", short_name="BNU",
         ror_id="https://ror.org/022k4wk35", website="http://www.bnu.edu.cn/"),
]  # fmt: skip

# (person, organization, title)
_POSITIONS = [
    ("Xia Xuemin", JSOU_ART, "Deputy Dean"),
    ("Zhao Yuqin", JSOU_ART, "Teacher"),
    ("Qian Yuxuan", JSOU_ART, "Teacher"),
    ("Chen Fangyi", NJU_LLE, "Teacher"),
    ("Gao Jie", NJU_LLE, "Teacher"),
    ("Zhao Na", NJU_LLE, "Teacher"),
    ("Fan Xianrui", "Open University of China", "Vice President"),
    ("Tian Jing", "Lifelong Education Department, Tsinghua University", "Director"),
    ("Li Muming", "Open University of China", "Writer"),
    ("Zhuge Huanyu", "Open University of China", "Photographer"),
    ("Wang Ming", "Beijing Normal University", "Vice-President"),
    ("Wu Yan", MOE, "Deputy Minister"),
]

_MEMBERSHIPS = [
    (JUFE, MembershipRole.CHAIR),
    (NCU, MembershipRole.VICE_CHAIR),
    (NCHU, MembershipRole.VICE_CHAIR),
    ("Jiangxi Normal University", MembershipRole.VICE_CHAIR),
    ("Jiangxi University of Traditional Chinese Medicine", MembershipRole.DIRECTOR),
    ("Gannan Normal University", MembershipRole.DIRECTOR),
]

_PLATFORM_CATEGORIES = {
    ProgramCategory.SCIENTIFIC_LITERACY: "Scientific literacy",
    ProgramCategory.WORKPLACE_SKILLS: "Workplace skills",
    ProgramCategory.CULTURAL_LITERACY: "Cultural literacy",
    ProgramCategory.HOBBIES_AND_INTERESTS: "Hobbies and interests",
    ProgramCategory.CONTINUING_EDUCATION: "Continuing education",
    ProgramCategory.SILVER_AGE_EDUCATION: "Silver-age education",
}


class _Builder:
    """Adds rows in one session, remembering organizations and people by name."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.orgs: dict[str, int] = {}
        self.people: dict[str, int] = {}
        self.counts: Counter[str] = Counter()

    async def add(self, row: Row) -> Row:
        self.session.add(row)
        await self.session.flush()
        self.counts[table_of(type(row)).name] += 1
        return row

    async def key(self, row: SQLModel) -> int:
        added = await self.add(row)
        key = getattr(added, "id", None)
        assert isinstance(key, int)
        return key

    async def organizations(self) -> None:
        for org in _ORGANIZATIONS:
            self.orgs[org.name] = await self.key(
                Organization(
                    kind=org.kind,
                    name=org.name,
                    short_name=org.short_name,
                    country=org.country,
                    region=org.region,
                    city=org.city,
                    website=org.website,
                    ror_id=org.ror_id,
                    parent_id=self.orgs[org.parent] if org.parent else None,
                )
            )
            if org.ror_id:
                await self.add(
                    OrganizationIdentifier(
                        organization_id=self.orgs[org.name],
                        scheme="ror",
                        value=org.ror_id,
                    )
                )
            if org.website:
                domain = org.website.split("//", 1)[1].strip("/").removeprefix("www.")
                await self.add(
                    OrganizationIdentifier(
                        organization_id=self.orgs[org.name], scheme="domain", value=domain
                    )
                )

    async def people_and_positions(self) -> None:
        for name, organization, title in _POSITIONS:
            if name not in self.people:
                self.people[name] = await self.key(Person(name=name))
            await self.add(
                Position(
                    person_id=self.people[name],
                    organization_id=self.orgs[organization],
                    title=title,
                )
            )

    async def agreement(
        self,
        *,
        title: str,
        kind: AgreementKind,
        status: AgreementStatus,
        parties: list[tuple[str, PartyRole]],
        modes: list[CollaborationMode],
        signed_on: date | None = None,
        description: str | None = None,
    ) -> int:
        agreement_id = await self.key(
            Agreement(
                title=title,
                kind=kind.value,
                status=status.value,
                signed_on=signed_on,
                description=description,
            )
        )
        for organization, role in parties:
            await self.add(
                AgreementParty(
                    agreement_id=agreement_id,
                    organization_id=self.orgs[organization],
                    role=role.value,
                    signed_on=signed_on if role is not PartyRole.APPROVER else None,
                )
            )
        for mode in modes:
            await self.add(AgreementMode(agreement_id=agreement_id, mode=mode.value))
        return agreement_id

    async def activity(
        self,
        activity: Activity,
        participants: Sequence[tuple[str, str | None]],
        agreements: Sequence[int] = (),
    ) -> int:
        activity_id = await self.key(activity)
        for organization, person in participants:
            await self.add(
                ActivityParticipant(
                    activity_id=activity_id,
                    organization_id=self.orgs[organization],
                    person_id=self.people[person] if person else None,
                )
            )
        for agreement_id in agreements:
            await self.add(ActivityAgreement(activity_id=activity_id, agreement_id=agreement_id))
        return activity_id


async def _jiangxi(b: _Builder) -> None:
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
    for organization, role in _MEMBERSHIPS:
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
            (JUFE, None),
            ("University of Technology Sydney", None),
            (NCHU, None),
            ("Belarusian State University", None),
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


async def _refresh_all_terms(b: _Builder) -> None:
    """Commitments are part of the terms: hash again once they are all in."""
    connection = await b.session.connection()
    for key in await connection.scalars(sa.select(table_of(Agreement).c.id)):
        await refresh_terms_hash(connection, key)


async def _jiangsu(b: _Builder) -> None:
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
        [(org, person) for person, org, _ in _POSITIONS[:6]],
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
    b: _Builder, agreement_id: int, program_id: int, course_id: int
) -> None:
    learner_id = await b.key(
        Learner(name="Illustrative Learner", home_organization_id=b.orgs[NJU_LLE])
    )
    account_id = await b.key(
        CreditAccount(
            learner_id=learner_id, bank_id=b.orgs["Jiangsu Open University"], opened_on=None
        )
    )
    await b.add(
        Enrolment(
            learner_id=learner_id,
            program_id=program_id,
            status=EnrolmentStatus.ENROLLED.value,
        )
    )
    outcome_id = await b.key(
        LearningOutcome(
            account_id=account_id,
            provider_id=b.orgs[JSOU_ART],
            program_id=program_id,
            course_id=course_id,
            title="Illustrative micro-course: design for community education",
            credits=Decimal("2.0"),
            earned_on=date(2026, 6, 30),
        )
    )
    rule_id = await b.key(
        RecognitionRule(
            agreement_id=agreement_id,
            from_organization_id=b.orgs[JSOU_ART],
            to_organization_id=b.orgs[NJU_LLE],
            ratio=Decimal("1.000"),
            max_credits=Decimal("10.0"),
        )
    )
    await b.add(
        CreditRecognition(
            outcome_id=outcome_id,
            rule_id=rule_id,
            credits=Decimal("2.0"),
            recognised_on=date(2026, 7, 15),
        )
    )
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
    await b.add(
        EvaluationMeasure(
            evaluation_id=evaluation_id,
            indicator=EvaluationIndicator.ENROLMENTS.value,
            target=Decimal(40),
            actual=Decimal(1),
        )
    )


async def _lifelong_learning(b: _Builder) -> None:
    """The national platform launched in late December 2024 with 1,000 courses in six
    categories, the OUC-Tsinghua exchange and the Nanchang lifelong-learning event."""
    platform_id = await b.key(
        Resource(
            owner_id=b.orgs[MOE],
            kind=ResourceKind.PLATFORM.value,
            name="National lifelong learning online platform",
            description=(
                "Launched in late December 2024 with 1,000 courses in six categories. The source "
                "does not name the operator; listed under the Ministry of Education."
            ),
        )
    )
    for category, label in _PLATFORM_CATEGORIES.items():
        program_id = await b.key(
            Program(
                name=f"Lifelong learning platform: {label}",
                kind=ProgramKind.LIFELONG_LEARNING.value,
                status=ProgramStatus.RUNNING.value,
                delivery=DeliveryMode.ONLINE.value,
                category=category.value,
                description=f"One of the six course categories; platform resource #{platform_id}.",
            )
        )
        await b.add(
            ProgramTargetGroup(
                program_id=program_id, target_group=TargetLearnerGroup.GENERAL_PUBLIC.value
            )
        )
        if category is ProgramCategory.SILVER_AGE_EDUCATION:
            await b.add(
                ProgramTargetGroup(
                    program_id=program_id,
                    target_group=TargetLearnerGroup.SENIOR_CITIZENS.value,
                )
            )
    await b.activity(
        Activity(
            kind=ActivityKind.EXCHANGE_VISIT.value,
            title="Special exchange on digital work between the OUC and Tsinghua University",
            summary=(
                "Digital transformation of education, learning resources, digital platforms "
                "and data security protection. Date not given in the source."
            ),
        ),
        [
            ("Open University of China", "Fan Xianrui"),
            ("Lifelong Education Department, Tsinghua University", "Tian Jing"),
            ("Open University of China", "Li Muming"),
            ("Open University of China", "Zhuge Huanyu"),
            ("Information Technology Department, Open University of China", None),
            ("Learning Resources Department, Open University of China", None),
        ],
    )
    await b.activity(
        Activity(
            kind=ActivityKind.CONFERENCE.value,
            title="Lifelong learning promotion event",
            place="Nanchang",
            summary=(
                "400 colleges and universities launched about 700 lifelong learning projects, "
                "for learners including migrant workers, rural teachers and senior citizens."
            ),
        ),
        [("Beijing Normal University", "Wang Ming"), (MOE, "Wu Yan")],
    )


async def _proposal(b: _Builder) -> None:
    """An illustrative proposal waiting for its answer (it lapses 30 days after the load): Beijing
    Normal University asks the Open University of China to take part in the promotion event."""
    activity = table_of(Activity)
    event_id = await b.session.scalar(
        sa.select(activity.c.id).where(activity.c.title == "Lifelong learning promotion event")
    )
    assert event_id is not None
    proposer, addressed = b.orgs["Beijing Normal University"], b.orgs["Open University of China"]
    proposal_id = await b.key(
        Proposal(
            kind=ProposalKind.ACTIVITY_PARTICIPANT.value,
            activity_id=event_id,
            subject_name="Lifelong learning promotion event",
            organization_id=addressed,
            role="co-organiser (illustrative)",
            proposed_by="demo",
            proposer_organization_id=proposer,
            addressed_organization_id=addressed,
            expires_on=date.today() + timedelta(days=30),
        )
    )
    await b.add(
        HistoryEntry(
            subject_type="proposal",
            subject_id=proposal_id,
            action="proposed",
            actor="demo",
            changes={"organization_id": {"old": None, "new": addressed}},
        )
    )


async def load_demo(engine: AsyncEngine) -> dict[str, int]:
    """Load the demo data in one transaction; returns the rows added per table."""
    async with AsyncSession(engine) as session, session.begin():
        builder = _Builder(session)
        await builder.organizations()
        await builder.people_and_positions()
        await _jiangxi(builder)
        await _jiangsu(builder)
        await _lifelong_learning(builder)
        await _proposal(builder)
        await _refresh_all_terms(builder)
    return dict(sorted(builder.counts.items()))


async def database_is_empty(engine: AsyncEngine) -> bool:
    """True when no organization is stored yet (the demo is loaded only into an empty database)."""
    async with engine.connect() as connection:
        found = await connection.scalar(sa.select(sa.literal(1)).select_from(Organization).limit(1))
    return found is None
