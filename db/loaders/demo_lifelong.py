"""The demo's lifelong-learning part: the national online platform with one program per course
category, the exchange between the Open University of China and Tsinghua University, the
Nanchang promotion event, and an illustrative proposal for that event still waiting for its
answer (it lapses 30 days after the load).
"""

from datetime import date, timedelta

import sqlalchemy as sa

from db.base import table_of
from db.enums import (
    ActivityKind,
    DeliveryMode,
    ProgramCategory,
    ProgramKind,
    ProgramStatus,
    ProposalKind,
    ResourceKind,
    TargetLearnerGroup,
)
from db.loaders.demo_builder import Builder
from db.loaders.demo_data import MOE, PLATFORM_CATEGORIES
from db.tables import (
    Activity,
    ActivityProgram,
    HistoryEntry,
    Program,
    ProgramTargetGroup,
    Proposal,
    Resource,
)

__all__ = ["add_lifelong_learning", "add_proposal"]


async def add_lifelong_learning(b: Builder) -> None:
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
    for category, label in PLATFORM_CATEGORIES.items():
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
            ("Open University of China", "Fan Xianrui", "host"),
            ("Lifelong Education Department, Tsinghua University", "Tian Jing", "visitor"),
            ("Information Technology Department, Open University of China", None, "speaker"),
            ("Learning Resources Department, Open University of China", None, "speaker"),
            # the article's byline: they reported on the exchange, they did not take part in it
            ("Open University of China", "Li Muming", "reporter"),
            ("Open University of China", "Zhuge Huanyu", "photographer"),
        ],
    )
    event_id = await b.activity(
        Activity(
            kind=ActivityKind.CONFERENCE.value,
            title="Lifelong learning promotion event",
            place="Nanchang",
            summary=(
                "400 colleges and universities launched about 700 lifelong learning projects, "
                "for learners including migrant workers, rural teachers and senior citizens."
            ),
        ),
        [("Beijing Normal University", "Wang Ming", "speaker"), (MOE, "Wu Yan", "speaker")],
    )
    await add_college_projects(b, event_id)


PROJECT_AREAS = ("digital technology development", "AI application", "rural revitalization")
PROJECT_LEARNERS = (
    TargetLearnerGroup.MIGRANT_WORKERS,
    TargetLearnerGroup.RURAL_TEACHERS,
    TargetLearnerGroup.SENIOR_CITIZENS,
)


async def add_college_projects(b: Builder, event_id: int) -> None:
    """The projects the 400 colleges and universities launched, one program per area the
    source names, online and offline, each for the learners it names. The source gives the
    learners for the projects as a whole ("including"), not per area, and names no college:
    each program says so, and has no partner."""
    for area in PROJECT_AREAS:
        program_id = await b.key(
            Program(
                name=f"Lifelong learning projects of 400 colleges and universities: {area}",
                kind=ProgramKind.LIFELONG_LEARNING.value,
                status=ProgramStatus.RUNNING.value,
                delivery=DeliveryMode.BLENDED.value,
                subject_area=area,
                description=(
                    "One of the areas of the about 700 projects launched by 400 colleges and "
                    "universities (the source names three areas and no college). Its learners "
                    "are those the source gives for all the projects, which it says include "
                    "migrant workers, rural teachers and senior citizens."
                ),
            )
        )
        for group in PROJECT_LEARNERS:
            await b.add(ProgramTargetGroup(program_id=program_id, target_group=group.value))
        await b.add(ActivityProgram(activity_id=event_id, program_id=program_id))


async def add_proposal(b: Builder) -> None:
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
