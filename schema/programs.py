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
from schema.codes import Labelled
from schema.compiled.declare import list_of, localized_field, referenced
from schema.enums import (
    DeliveryMode,
    PartyRole,
    ProgramCategory,
    ProgramKind,
    ProgramStatus,
    TargetLearnerGroup,
)
from schema.field_docs import describe
from schema.indicators import progress_field
from schema.names import names_field
from schema.relay import Connection, Info, Node, connection, list_request
from schema.wording import ENGLISH_NAME, ILLUSTRATIVE, IN_LANGUAGE, LOCAL_NAME, VERSION

if TYPE_CHECKING:
    from schema.completion import CompletionStatus, ProgramRequirements
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

_FIELD_FILTER = (
    "Only {} in one of these ISCED-F 2013 fields or under one: a broad (`02`) or narrow "
    "(`021`) code matches every detailed field under it; a code not in the list is "
    "`UNKNOWN_CODE`."
)

OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organizations")]
ProgramRequirementsRef = Annotated["ProgramRequirements", strawberry.lazy("schema.completion")]
CompletionStatusRef = Annotated["CompletionStatus", strawberry.lazy("schema.completion")]


@describe(
    kind="Only programs of one of these kinds.",
    category="Only programs in one of these lifelong-learning categories (programs "
    "without a category never match).",
    status="Only programs in one of these states.",
    delivery="Only programs delivered in one of these ways.",
    target_group="Only programs meant for at least one of these learner groups.",
    partner="Only programs this organization, or one of its units at any depth, is a partner "
    "of (the organization alone with `includeUnits: false`).",
    include_units="Whether `partner` takes in the organization's units (schools, "
    "departments) at any depth: true unless said.",
    agreement="Only programs run under this agreement.",
    text="Only programs whose name, local name or subject area contains this text, ignoring case.",
    field_of_study=_FIELD_FILTER.format("programs"),
    eqf_level="Only programs of one of these EQF levels (1 to 8).",
)
@strawberry.input(description="Conditions on programs; all given conditions must hold.")
class ProgramFilter(reads.ProgramFilter):
    pass


@describe(
    field="What to sort by (the name unless said); ties keep the order the records were made in.",
    direction="Ascending (A to Z, oldest first) unless said.",
)
@strawberry.input(description="How to sort programs: by which field, in which direction.")
class ProgramOrder(reads.ProgramOrder):
    pass


@describe(
    program="Only the courses of this program.",
    organization="Only courses this organization itself offers.",
    delivery="Only courses delivered in one of these ways.",
    text="Only courses whose title or code contains this text, ignoring case.",
    field_of_study=_FIELD_FILTER.format("courses"),
    eqf_level="Only courses of one of these EQF levels (1 to 8).",
)
@strawberry.input(description="Conditions on courses; all given conditions must hold.")
class CourseFilter(course_reads.CourseFilter):
    pass


@describe(
    field="What to sort by (the title unless said); ties keep the order the records were made in.",
    direction="Ascending (A to Z, fewest credits first) unless said.",
)
@strawberry.input(description="How to sort courses.")
class CourseOrder(course_reads.CourseOrder):
    pass


@strawberry.type(
    description="A program run together by partners: a micro-major, a joint degree, "
    "vocational or lifelong-learning training, an exchange, a joint lab. Part of the public "
    "catalogue: every caller sees programs, their partners and courses."
)
class Program(Node, Labelled):
    name: strawberry.Private[str]
    name_field = localized_field("Program", "name", description=ENGLISH_NAME + IN_LANGUAGE)
    names = names_field("Program")
    local_name: str | None = strawberry.field(description=LOCAL_NAME)
    kind: ProgramKind = strawberry.field(
        description="Micro-major, micro-course, joint degree, vocational training, "
        "lifelong-learning project, exchange, joint lab or research project."
    )
    status: ProgramStatus = strawberry.field(
        description="Planned, open for enrolment, running, completed or cancelled."
    )
    category: ProgramCategory | None = strawberry.field(
        description="The lifelong-learning category, where the program has one."
    )
    subject_area: str | None = strawberry.field(
        description="The field of study, in words, where recorded."
    )
    delivery: DeliveryMode | None = strawberry.field(
        description="Online, offline (in person) or blended, where recorded."
    )
    credits: Decimal | None = strawberry.field(
        description="The credits a learner earns by completing it, in the units of the "
        "organization awarding them (not converted)."
    )
    capacity: int | None = strawberry.field(
        description="How many learners it can take at most, where limited."
    )
    starts_on: date | None = strawberry.field(
        description="The ISO date it starts (or started), where known."
    )
    ends_on: date | None = strawberry.field(
        description="The ISO date it ends (or ended); null when open-ended or unknown."
    )
    description: str | None = strawberry.field(
        description="Free text about the program, in English."
    )
    is_illustrative: bool = strawberry.field(description=ILLUSTRATIVE)
    version: int = strawberry.field(description=VERSION)
    agreement_id: strawberry.Private[int | None]

    agreement = referenced(
        "Agreement",
        "agreement_id",
        description="The agreement this program runs under; null when there is none or the "
        "caller may not see it.",
    )

    @strawberry.field(
        description="The learner groups this program is for (students, migrant workers, "
        "rural teachers, senior citizens...); empty when none are recorded."
    )
    async def target_groups(self, info: Info) -> list[TargetLearnerGroup]:
        groups = await reads.target_groups_of(info.context).load(self.pk)
        return [TargetLearnerGroup(g) for g in groups]

    partners = list_of(
        "Program.partners",
        "ProgramPartner",
        description="The organizations running the program, each with its role.",
    )

    approvals = list_of(
        "Program.approvals",
        "Approval",
        description="Approvals of this program on record, by decision date.",
    )

    courses = list_of(
        "Program.courses", "Course", description="The courses the program is made of, by title."
    )

    enrolments = list_of(
        "Program.enrolments",
        "Enrolment",
        description="Learners' enrolments in it, by enrolment date. Personal data: only "
        "those of learners whose home organization the caller answers for (all for admins).",
    )

    funding = list_of(
        "Program.funding",
        "Funding",
        description="Grants and special funds awarded to this program, by award date; each "
        "amount in its own currency.",
    )

    evaluations = list_of(
        "Program.evaluations",
        "Evaluation",
        description="Periodic evaluations of this program against indicators, by end of the "
        "period evaluated.",
    )

    indicators = list_of(
        "Program.indicators",
        "Indicator",
        description="The indicators the program reports against, by name.",
    )

    progress = progress_field("program_id")

    activities = list_of(
        "Program.activities",
        "Activity",
        description="Meetings and events concerning this program, by date held; only those "
        "the caller may see.",
    )

    @strawberry.field(
        description="What completing the program takes; null when none is set. Public."
    )
    async def requirements(self, info: Info) -> ProgramRequirementsRef | None:
        from schema.completion import requirements_field

        return await requirements_field(info, self.pk)

    @strawberry.field(
        description="Where a learner stands in the program: what is done and what is missing; "
        "null when the caller may not see the learner."
    )
    async def completion(
        self,
        info: Info,
        learner: Annotated[strawberry.ID, strawberry.argument(description="The learner.")],
    ) -> CompletionStatusRef | None:
        from schema.completion import completion_field

        return await completion_field(info, self.pk, learner)

    completions = list_of(
        "Program.completions",
        "ProgramCompletion",
        description="Learners' recorded completions of the program, by date completed; only "
        "those the caller may see.",
    )


@strawberry.type(description="One organization's part in a program. Public.")
class ProgramPartner(Node):
    version: int = strawberry.field(description=VERSION)
    role: PartyRole = strawberry.field(
        description="Its part: lead, partner, funder, host or approver."
    )
    program_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    program = referenced("Program", "program_id", description="The program run together.")

    organization = referenced(
        "Organization", "organization_id", description="The partner organization."
    )


@strawberry.type(
    description="A course an organization offers, on its own or as a unit of a program. Part "
    "of the public catalogue."
)
class Course(Node, Labelled):
    version: int = strawberry.field(description=VERSION)
    code: str | None = strawberry.field(
        description="The offering organization's own course code, where it has one."
    )
    title: strawberry.Private[str]
    title_field = localized_field(
        "Course",
        "title",
        description="The course title, as the organization gives it." + IN_LANGUAGE,
    )
    names = names_field("Course")
    credits: Decimal | None = strawberry.field(
        description="The credits it carries, in the offering organization's units."
    )
    hours: int | None = strawberry.field(
        description="Its teaching hours (class hours), where recorded."
    )
    delivery: DeliveryMode | None = strawberry.field(
        description="Online, offline (in person) or blended, where recorded."
    )
    is_illustrative: bool = strawberry.field(description=ILLUSTRATIVE)
    program_id: strawberry.Private[int | None]
    organization_id: strawberry.Private[int]

    program = referenced(
        "Program",
        "program_id",
        description="The program it is a unit of; null for a course offered on its own.",
    )

    organization = referenced(
        "Organization", "organization_id", description="The organization offering the course."
    )

    instructors = list_of(
        "Course.instructors",
        "Person",
        description="Faculty teaching it, by name (someone from another organization is shared "
        "faculty). Personal data: only the people the caller may see.",
    )

    learning_outcomes = list_of(
        "Course.learningOutcomes",
        "LearningOutcome",
        description="Credits learners earned in this course, by date earned. Personal data: "
        "only those in accounts the caller may see.",
    )


@strawberry.type
class ProgramQuery:
    @strawberry.field(
        description="The catalogue of programs, by name unless said; public, so every caller "
        "sees all of them."
    )
    async def programs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            ProgramFilter | None,
            strawberry.argument(description="Only programs meeting every condition given."),
        ] = None,
        order_by: Annotated[
            ProgramOrder | None,
            strawberry.argument(description="How to sort; by name when not given."),
        ] = None,
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
    @strawberry.field(
        description="The catalogue of courses, by title unless said; public, so every caller "
        "sees all of them."
    )
    async def courses(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            CourseFilter | None,
            strawberry.argument(description="Only courses meeting every condition given."),
        ] = None,
        order_by: Annotated[
            CourseOrder | None,
            strawberry.argument(description="How to sort; by title when not given."),
        ] = None,
    ) -> Connection[Course]:
        page = await course_reads.courses_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Course.from_row)
