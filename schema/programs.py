"""Shared programs, their partners and target learners, and their courses; the root list."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import courses as course_reads
from resolvers import programs as reads
from schema.enums import (
    DeliveryMode,
    PartyRole,
    ProgramCategory,
    ProgramKind,
    ProgramStatus,
    TargetLearnerGroup,
)
from schema.relay import Connection, Info, Node, connection, fetch, list_request, related

if TYPE_CHECKING:
    from schema.activities import Activity
    from schema.agreements import Agreement
    from schema.credits import Enrolment, LearningOutcome
    from schema.evaluations import Evaluation
    from schema.funding import Funding
    from schema.organizations import Organization
    from schema.people import Person

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

    @strawberry.field(description="The agreement this program runs under.")
    async def agreement(
        self, info: Info
    ) -> Annotated["Agreement", strawberry.lazy("schema.agreements")] | None:
        from schema.agreements import Agreement

        return await fetch(info, Agreement, self.agreement_id)

    @strawberry.field(description="The learner groups this program is for.")
    async def target_groups(self, info: Info) -> list[TargetLearnerGroup]:
        groups = await reads.target_groups_of(info.context).load(self.pk)
        return [TargetLearnerGroup(g) for g in groups]

    @strawberry.field(description="The organizations running the program, with their roles.")
    async def partners(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["ProgramPartner"]:
        return await related(
            info, "Program.partners", self.pk, ProgramPartner.from_row, first=first, after=after
        )

    @strawberry.field
    async def courses(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["Course"]:
        return await related(
            info, "Program.courses", self.pk, Course.from_row, first=first, after=after
        )

    @strawberry.field(description="Learners enrolled. Personal data.")
    async def enrolments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Enrolment", strawberry.lazy("schema.credits")]]:
        from schema.credits import Enrolment

        return await related(
            info, "Program.enrolments", self.pk, Enrolment.from_row, first=first, after=after
        )

    @strawberry.field(description="Grants and funds given to this program.")
    async def funding(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Funding", strawberry.lazy("schema.funding")]]:
        from schema.funding import Funding

        return await related(
            info, "Program.funding", self.pk, Funding.from_row, first=first, after=after
        )

    @strawberry.field
    async def evaluations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Evaluation", strawberry.lazy("schema.evaluations")]]:
        from schema.evaluations import Evaluation

        return await related(
            info, "Program.evaluations", self.pk, Evaluation.from_row, first=first, after=after
        )

    @strawberry.field(description="Meetings and events concerning this program.")
    async def activities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Activity", strawberry.lazy("schema.activities")]]:
        from schema.activities import Activity

        return await related(
            info, "Program.activities", self.pk, Activity.from_row, first=first, after=after
        )


@strawberry.type(description="One organization's part in a program.")
class ProgramPartner(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    role: PartyRole
    program_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        return await fetch(info, Program, self.program_id)

    @strawberry.field
    async def organization(self, info: Info) -> OrganizationRef | None:
        from schema.organizations import Organization

        return await fetch(info, Organization, self.organization_id)


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

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        return await fetch(info, Program, self.program_id)

    @strawberry.field(description="The organization offering the course.")
    async def organization(self, info: Info) -> OrganizationRef | None:
        from schema.organizations import Organization

        return await fetch(info, Organization, self.organization_id)

    @strawberry.field(description="Faculty teaching it; people of other organizations are shared.")
    async def instructors(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Person", strawberry.lazy("schema.people")]]:
        from schema.people import Person

        return await related(
            info, "Course.instructors", self.pk, Person.from_row, first=first, after=after
        )

    @strawberry.field(description="Credits learners earned in this course.")
    async def learning_outcomes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["LearningOutcome", strawberry.lazy("schema.credits")]]:
        from schema.credits import LearningOutcome

        return await related(
            info,
            "Course.learningOutcomes",
            self.pk,
            LearningOutcome.from_row,
            first=first,
            after=after,
        )


@strawberry.type
class ProgramQuery:
    @strawberry.field(description="Programs by name, filtered; at most 100 a page.")
    async def programs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ProgramFilter | None = None,
        order_by: ProgramOrder | None = None,
    ) -> Connection[Program]:
        page = await reads.programs_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter),
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
        filter: CourseFilter | None = None,
        order_by: CourseOrder | None = None,
    ) -> Connection[Course]:
        page = await course_reads.courses_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter),
        )
        return connection(page, Course.from_row)
