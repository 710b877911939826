"""Programs that can be completed, in GraphQL: requirements, where a learner stands, and the
completion recorded once. Thin over `resolvers.completion`."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import completion as service
from resolvers import credits as reads
from resolvers.completion import Completion
from resolvers.ids import decode_id_of
from resolvers.permissions import ANYONE
from schema.compiled.declare import list_of, referenced
from schema.mutations import UserError, run_mutation
from schema.relay import Info, Node, fetch

if TYPE_CHECKING:
    from schema.programs import Course

__all__ = [
    "CompletionMutation",
    "CompletionStatus",
    "ProgramCompletion",
    "ProgramRequirements",
    "completion_field",
    "requirements_field",
]

CourseRef = Annotated["Course", strawberry.lazy("schema.programs")]


async def _courses(info: Info, keys: list[int]) -> list["Course"]:
    from schema.programs import Course

    found = [await fetch(info, Course, key) for key in keys]
    return [c for c in found if c is not None]


@strawberry.type(
    description="What completing a program takes. Public, like the program's catalogue entry."
)
class ProgramRequirements:
    min_total_credits: Decimal = strawberry.field(
        description="The fewest credits in all: earned in the required and listed courses, "
        "and recognised toward the program."
    )
    min_list_credits: Decimal = strawberry.field(
        description="The fewest credits from the listed (elective) courses."
    )
    time_limit_months: int | None = strawberry.field(
        description="Months from the learner's enrolment to finish in; null for no limit."
    )
    required_ids: strawberry.Private[list[int]]
    list_ids: strawberry.Private[list[int]]

    @strawberry.field(description="The courses each learner must complete.")
    async def required_courses(self, info: Info) -> list[CourseRef]:
        return await _courses(info, self.required_ids)

    @strawberry.field(description="The courses whose credits count toward `minListCredits`.")
    async def list_courses(self, info: Info) -> list[CourseRef]:
        return await _courses(info, self.list_ids)


@strawberry.type(
    description="A learner's completion of a program, recorded once. Seen by whoever sees the "
    "learner and by the program's partners."
)
class ProgramCompletion(Node):
    completed_on: date = strawberry.field(description="The ISO date it was recorded complete.")
    credits_counted: Decimal = strawberry.field(
        description="The credits that counted toward the program when it was completed."
    )
    recorded_by: str = strawberry.field(description="Who recorded it (`token:<id>`).")
    recorded_at: datetime = strawberry.field(description="When it was recorded (UTC).")
    program_id: strawberry.Private[int]
    learner_id: strawberry.Private[int]

    program = referenced("Program", "program_id", description="The program completed.")
    learner = referenced(
        "Learner", "learner_id", description="Who completed it; null when hidden from the caller."
    )
    credentials = list_of(
        "ProgramCompletion.credentials",
        "IssuedCredential",
        description="Open Badges credentials issued for the completion (at most one in "
        "force), by date issued.",
    )


@strawberry.type(
    description="Where a learner stands in a program: what is done and what is missing, read "
    "from the learner's ledger (net of corrections and expiry)."
)
class CompletionStatus:
    complete: bool = strawberry.field(
        description="Every requirement is met (or the completion is already recorded)."
    )
    missing: list[str] = strawberry.field(
        description="What is still missing, in words; empty when complete."
    )
    enrolled_on: date | None = strawberry.field(description="When the learner enrolled.")
    deadline: date | None = strawberry.field(
        description="The last day to complete, from the time limit; null for none."
    )
    total_credits: Decimal = strawberry.field(description="The credits that count, in all.")
    min_total_credits: Decimal = strawberry.field(description="The fewest needed in all.")
    list_credits: Decimal = strawberry.field(description="The credits from listed courses.")
    min_list_credits: Decimal = strawberry.field(description="The fewest needed from the list.")
    required_done_ids: strawberry.Private[list[int]]
    required_missing_ids: strawberry.Private[list[int]]
    completion_id: strawberry.Private[int | None]

    @strawberry.field(description="Required courses done.")
    async def required_done(self, info: Info) -> list[CourseRef]:
        return await _courses(info, self.required_done_ids)

    @strawberry.field(description="Required courses not done yet.")
    async def required_missing(self, info: Info) -> list[CourseRef]:
        return await _courses(info, self.required_missing_ids)

    @strawberry.field(description="The recorded completion, once there is one.")
    async def completion(self, info: Info) -> ProgramCompletion | None:
        return await fetch(info, ProgramCompletion, self.completion_id)

    @classmethod
    def of(cls, found: Completion) -> "CompletionStatus":
        done = found.complete or found.completion_id is not None
        return cls(
            complete=done,
            missing=[] if found.completion_id is not None else found.missing,
            enrolled_on=found.enrolled_on,
            deadline=found.deadline,
            total_credits=found.total_credits,
            min_total_credits=found.min_total_credits,
            list_credits=found.list_credits,
            min_list_credits=found.min_list_credits,
            required_done_ids=found.required_done,
            required_missing_ids=found.required_missing,
            completion_id=found.completion_id,
        )


async def requirements_field(info: Info, program_id: int) -> ProgramRequirements | None:
    head, courses = await reads.requirements_of(info.context).load(program_id)
    if head is None:
        return None
    return ProgramRequirements(
        min_total_credits=head["min_total_credits"],
        min_list_credits=head["min_list_credits"],
        time_limit_months=head["time_limit_months"],
        required_ids=[c["course_id"] for c in courses if c["required"]],
        list_ids=[c["course_id"] for c in courses if not c["required"]],
    )


async def completion_field(
    info: Info, program_id: int, learner: strawberry.ID
) -> CompletionStatus | None:
    learner_id = decode_id_of(learner, "Learner", field="learner")
    found = await reads.completion_for(info.context, program_id, learner_id)
    return None if found is None else CompletionStatus.of(found)


@strawberry.type(description="The program's requirements as set, or why nothing changed.")
class ProgramRequirementsPayload:
    requirements: ProgramRequirements | None = strawberry.field(
        default=None, description="The requirements now; null when `userErrors` says why."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The completion recorded, or why nothing was.")
class ProgramCompletionPayload:
    completion: ProgramCompletion | None = strawberry.field(
        default=None, description="The completion; null when `userErrors` says why."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was recorded; empty on success."
    )


@strawberry.input(description="What completing a program takes; replaces what was set.")
class SetProgramRequirementsInput:
    program: strawberry.ID = strawberry.field(description="A program the caller is partner of.")
    min_total_credits: Decimal = strawberry.field(description="The fewest credits in all.")
    min_list_credits: Decimal = strawberry.field(
        default=Decimal(0), description="The fewest credits from the listed courses."
    )
    time_limit_months: int | None = strawberry.field(
        default=None, description="Months from enrolment to finish in (1 to 120); none if left out."
    )
    required_courses: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Courses each learner must complete."
    )
    list_courses: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Courses whose credits count toward the list minimum."
    )


@strawberry.input(description="A learner's completion of a program.")
class RecordProgramCompletionInput:
    program: strawberry.ID = strawberry.field(description="A program the caller is partner of.")
    learner: strawberry.ID = strawberry.field(description="The learner who completed it.")


def _ids(keys: list[strawberry.ID], field: str) -> list[int]:
    return [decode_id_of(k, "Course", field=f"{field}.{i}") for i, k in enumerate(keys)]


_INPUT = strawberry.argument(description="The program and what it takes.")


@strawberry.type
class CompletionMutation:
    @strawberry.mutation(
        description="Set what completing a program takes (an editor of one of its partners); "
        "replaces the earlier requirements, which its history keeps."
    )
    async def set_program_requirements(
        self, info: Info, input: Annotated[SetProgramRequirementsInput, _INPUT]
    ) -> ProgramRequirementsPayload:
        async def work(connection: AsyncConnection) -> ProgramRequirementsPayload:
            program_id = decode_id_of(input.program, "Program", field="program")
            required = _ids(input.required_courses, "requiredCourses")
            listed = _ids(input.list_courses, "listCourses")
            row = await service.set_requirements(
                connection,
                info.context.viewer,
                program_id=program_id,
                min_total_credits=input.min_total_credits,
                min_list_credits=input.min_list_credits,
                time_limit_months=input.time_limit_months,
                required_course_ids=required,
                list_course_ids=listed,
            )
            return ProgramRequirementsPayload(
                requirements=ProgramRequirements(
                    min_total_credits=row["min_total_credits"],
                    min_list_credits=row["min_list_credits"],
                    time_limit_months=row["time_limit_months"],
                    required_ids=required,
                    list_ids=listed,
                )
            )

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=ProgramRequirementsPayload,
            name="set program requirements",
        )

    @strawberry.mutation(
        description="Record a learner's completion of a program (an editor of one of its "
        "partners), once: refused, with what is missing, while a requirement is unmet, and "
        "refused as ALREADY_COMPLETED a second time. The enrolment is marked completed."
    )
    async def record_program_completion(
        self,
        info: Info,
        input: Annotated[RecordProgramCompletionInput, strawberry.argument(description="Who.")],
    ) -> ProgramCompletionPayload:
        async def work(connection: AsyncConnection) -> ProgramCompletionPayload:
            row = await service.record_completion(
                connection,
                info.context.viewer,
                program_id=decode_id_of(input.program, "Program", field="program"),
                learner_id=decode_id_of(input.learner, "Learner", field="learner"),
            )
            return ProgramCompletionPayload(completion=ProgramCompletion.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=ProgramCompletionPayload,
            name="record program completions",
        )
