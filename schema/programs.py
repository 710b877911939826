"""Shared programs, their partners and target learners, and their courses; the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import courses as course_reads
from resolvers import programs as reads
from schema.compiled.declare import list_of, referenced
from schema.enums import (
    DeliveryMode,
    PartyRole,
    ProgramCategory,
    ProgramKind,
    ProgramStatus,
    TargetLearnerGroup,
)
from schema.relay import Connection, Info, Node, connection, list_request

if TYPE_CHECKING:
    from schema.organizations import Organization

__all__ = [
    "Course",
    "CourseFilter",
    "CourseOrder",
    "CourseQuery",
    "Program",
    "ProgramFilter",
    "ProgramOrder",
    "ProgramPartner",
    "ProgramQuery",
]

OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organizations")]


@strawberry.input(description="Conditions on programs; all given conditions must hold.")
class ProgramFilter(reads.ProgramFilter):
    pass


@strawberry.input(description="How to sort the list.")
class ProgramOrder(reads.ProgramOrder):
    pass


@strawberry.input(description="Conditions on courses; all given conditions must hold.")
class CourseFilter(course_reads.CourseFilter):
    pass


@strawberry.input(description="How to sort courses.")
class CourseOrder(course_reads.CourseOrder):
    pass


@strawberry.type(
    description="A program run together by partners: a micro-major, a joint degree, "
    "vocational or lifelong-learning training, an exchange, a joint lab."
)
class Program(Node):
    name: str
    local_name: str | None
    kind: ProgramKind
    status: ProgramStatus
    category: ProgramCategory | None = strawberry.field(
        description="The lifelong-learning category, where the program has one."
    )
    subject_area: str | None
    delivery: DeliveryMode | None
    credits: Decimal | None
    capacity: int | None
    starts_on: date | None
    ends_on: date | None
    description: str | None
    is_illustrative: bool
    version: int
    agreement_id: strawberry.Private[int | None]

    agreement = referenced(
        "Agreement", "agreement_id", description="The agreement this program runs under."
    )

    @strawberry.field(description="The learner groups this program is for.")
    async def target_groups(self, info: Info) -> list[TargetLearnerGroup]:
        groups = await reads.target_groups_of(info.context).load(self.pk)
        return [TargetLearnerGroup(g) for g in groups]

    partners = list_of(
        "Program.partners",
        "ProgramPartner",
        description="The organizations running the program, with their roles.",
    )

    courses = list_of("Program.courses", "Course")

    enrolments = list_of(
        "Program.enrolments", "Enrolment", description="Learners enrolled. Personal data."
    )

    funding = list_of(
        "Program.funding", "Funding", description="Grants and funds given to this program."
    )

    evaluations = list_of("Program.evaluations", "Evaluation")

    activities = list_of(
        "Program.activities", "Activity", description="Meetings and events concerning this program."
    )


@strawberry.type(description="One organization's part in a program.")
class ProgramPartner(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    role: PartyRole
    program_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    program = referenced("Program", "program_id")

    organization = referenced("Organization", "organization_id")


@strawberry.type(description="A course an organization offers, on its own or within a program.")
class Course(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    code: str | None
    title: str
    credits: Decimal | None
    hours: int | None
    delivery: DeliveryMode | None
    is_illustrative: bool
    program_id: strawberry.Private[int | None]
    organization_id: strawberry.Private[int]

    program = referenced("Program", "program_id")

    organization = referenced(
        "Organization", "organization_id", description="The organization offering the course."
    )

    instructors = list_of(
        "Course.instructors",
        "Person",
        description="Faculty teaching it; people of other organizations are shared.",
    )

    learning_outcomes = list_of(
        "Course.learningOutcomes",
        "LearningOutcome",
        description="Credits learners earned in this course.",
    )


@strawberry.type
class ProgramQuery:
    @strawberry.field(description="Programs by name, filtered; at most 100 a page.")
    async def programs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ProgramFilter | None = None,
        order_by: ProgramOrder | None = None,
    ) -> Connection[Program]:
        page = await reads.programs_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Program.from_row)


@strawberry.type
class CourseQuery:
    @strawberry.field(description="Courses by title, filtered; at most 100 a page.")
    async def courses(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CourseFilter | None = None,
        order_by: CourseOrder | None = None,
    ) -> Connection[Course]:
        page = await course_reads.courses_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Course.from_row)
