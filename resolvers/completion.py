"""Programs that can be completed: requirements, what a learner has done and lacks, and the
completion recorded once.

A program's requirements (`setProgramRequirements`, by a partner's editor): required courses
(each done), a list of courses whose credits count toward `minListCredits`, a minimum total,
and a time limit in months from the learner's enrolment. What counts is read from the
learner's ledger, net of corrections and expiry: earned credits of the required and listed
courses, and credits recognised under rules toward this program (`toProgram`) for outcomes of
other courses (an outcome of a listed course counts once, by its earned credits); only entries
recorded by the deadline count. A completion is recorded once (a unique row): a second attempt,
or one for an unfinished program, is a user error and writes nothing.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from db.enums import CreditEntryKind, EnrolmentStatus
from resolvers.decimals import scaled
from resolvers.errors import ApiError, BadUserInput
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS
from resolvers.write_scope import check_arguments, check_reference
from resolvers.writes import insert_row, update_row

__all__ = [
    "COMPLETION",
    "REQUIREMENT",
    "Completion",
    "completion_of",
    "record_completion",
    "set_requirements",
]

REQUIREMENT = table_of(t.ProgramRequirement)
REQUIREMENT_COURSE = table_of(t.RequirementCourse)
COMPLETION = table_of(t.ProgramCompletion)
ENROLMENT = table_of(t.Enrolment)
ENTRY = table_of(t.CreditEntry)
OUTCOME = table_of(t.LearningOutcome)
ACCOUNT = table_of(t.CreditAccount)
RULE = table_of(t.RecognitionRule)
PROGRAM = table_of(t.Program)

MAX_MONTHS = 120
NONE = Decimal("0.00")
MAX_TOTAL = Decimal(1000)


class NotComplete(ApiError):
    code = "NOT_COMPLETE"


class AlreadyCompleted(ApiError):
    code = "ALREADY_COMPLETED"


@dataclass
class Completion:
    """Where a learner stands in a program."""

    program_id: int
    learner_id: int
    has_requirements: bool
    enrolled_on: date | None = None
    deadline: date | None = None
    required_done: list[int] = field(default_factory=list)
    required_missing: list[int] = field(default_factory=list)
    list_credits: Decimal = NONE
    min_list_credits: Decimal = NONE
    total_credits: Decimal = NONE
    min_total_credits: Decimal = NONE
    completion_id: int | None = None
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.has_requirements and not self.missing


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


async def set_requirements(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    program_id: int,
    min_total_credits: Decimal,
    min_list_credits: Decimal,
    time_limit_months: int | None,
    required_course_ids: list[int],
    list_course_ids: list[int],
) -> RowMapping:
    """Replaces the program's requirements (their history keeps the old ones)."""
    rows = await check_arguments(
        connection, viewer, "setProgramRequirements", {"program": program_id}
    )
    refs = MUTATIONS["setProgramRequirements"]
    for ref, keys in ((refs[1], required_course_ids), (refs[2], list_course_ids)):
        for index, key in enumerate(keys):
            await check_reference(connection, viewer, ref, key, field=f"{ref.field}.{index}")
    for name, value in (
        ("minTotalCredits", min_total_credits),
        ("minListCredits", min_list_credits),
    ):
        if not 0 <= value <= MAX_TOTAL:
            raise BadUserInput(f"{name} is between 0 and {MAX_TOTAL}", field=name)
    if time_limit_months is not None and not 0 < time_limit_months <= MAX_MONTHS:
        raise BadUserInput(
            f"a time limit is 1 to {MAX_MONTHS} months (leave it out for none)",
            field="timeLimitMonths",
        )
    both = set(required_course_ids) & set(list_course_ids)
    if both or len(set(required_course_ids)) != len(required_course_ids):
        raise BadUserInput("a course is named twice", field="listCourses")
    if len(set(list_course_ids)) != len(list_course_ids):
        raise BadUserInput("a course is named twice", field="listCourses")
    if min_list_credits > 0 and not list_course_ids:
        raise BadUserInput("credits from the list need a list of courses", field="listCourses")
    await connection.execute(
        sa.select(PROGRAM.c.id).where(PROGRAM.c.id == rows["program"]["id"]).with_for_update()
    )
    values = {
        "min_total_credits": min_total_credits,
        "min_list_credits": min_list_credits,
        "time_limit_months": time_limit_months,
    }
    current = (
        (
            await connection.execute(
                sa.select(REQUIREMENT).where(REQUIREMENT.c.program_id == program_id)
            )
        )
        .mappings()
        .first()
    )
    if current is None:
        row = await insert_row(
            connection, REQUIREMENT, {"program_id": program_id, **values}, actor=viewer.label
        )
    else:
        row = await update_row(
            connection,
            REQUIREMENT,
            current["id"],
            current["version"],
            values,
            actor=viewer.label,
            what="ProgramRequirement",
        )
    await connection.execute(
        sa.delete(REQUIREMENT_COURSE).where(REQUIREMENT_COURSE.c.program_id == program_id)
    )
    courses = [(c, True) for c in required_course_ids] + [(c, False) for c in list_course_ids]
    if courses:
        await connection.execute(
            sa.insert(REQUIREMENT_COURSE),
            [{"program_id": program_id, "course_id": c, "required": r} for c, r in courses],
        )
    return row


async def _net_credits(
    connection: AsyncConnection, learner_id: int, program_id: int, deadline: date | None
) -> tuple[dict[int, Decimal], dict[int | None, Decimal]]:
    """The learner's net earned credits per course, and net credits recognised toward the
    program per course of their outcome, counting entries recorded by the deadline. A
    conversion to another unit does not undo a course: converted entries are not counted."""
    counted = [ACCOUNT.c.learner_id == learner_id]
    if deadline is not None:
        counted.append(ENTRY.c.recorded_on <= deadline)
    by_course = await connection.execute(
        sa.select(OUTCOME.c.course_id, sa.func.sum(ENTRY.c.credits))
        .select_from(ENTRY)
        .join(ACCOUNT, ACCOUNT.c.id == ENTRY.c.account_id)
        .join(OUTCOME, OUTCOME.c.id == ENTRY.c.outcome_id)
        .where(
            *counted,
            ENTRY.c.rule_id.is_(None),
            OUTCOME.c.course_id.is_not(None),
            ENTRY.c.kind != CreditEntryKind.CONVERTED.value,
        )
        .group_by(OUTCOME.c.course_id)
    )
    courses = {int(course): scaled(total, ENTRY.c.credits) for course, total in by_course.all()}
    recognised = await connection.execute(
        sa.select(OUTCOME.c.course_id, sa.func.sum(ENTRY.c.credits))
        .select_from(ENTRY)
        .join(ACCOUNT, ACCOUNT.c.id == ENTRY.c.account_id)
        .join(OUTCOME, OUTCOME.c.id == ENTRY.c.outcome_id)
        .join(RULE, RULE.c.id == ENTRY.c.rule_id)
        .where(
            *counted,
            RULE.c.to_program_id == program_id,
            ENTRY.c.kind != CreditEntryKind.CONVERTED.value,
        )
        .group_by(OUTCOME.c.course_id)
    )
    return courses, {course: scaled(total, ENTRY.c.credits) for course, total in recognised.all()}


async def completion_of(
    connection: AsyncConnection, *, program_id: int, learner_id: int, today: date | None = None
) -> Completion:
    """What the learner has done toward the program and what is missing (the caller has
    checked that it may see the learner)."""
    today = today or utcnow().date()
    found = Completion(program_id, learner_id, has_requirements=False)
    requirement = (
        (
            await connection.execute(
                sa.select(REQUIREMENT).where(REQUIREMENT.c.program_id == program_id)
            )
        )
        .mappings()
        .first()
    )
    found.completion_id = await connection.scalar(
        sa.select(COMPLETION.c.id).where(
            COMPLETION.c.program_id == program_id, COMPLETION.c.learner_id == learner_id
        )
    )
    if requirement is None:
        found.missing.append("the program states no requirements yet")
        return found
    found.has_requirements = True
    found.min_total_credits = requirement["min_total_credits"]
    found.min_list_credits = requirement["min_list_credits"]
    enrolment = (
        await connection.execute(
            sa.select(ENROLMENT.c.enrolled_on, ENROLMENT.c.status).where(
                ENROLMENT.c.program_id == program_id, ENROLMENT.c.learner_id == learner_id
            )
        )
    ).first()
    if enrolment is None or enrolment.status == EnrolmentStatus.WITHDRAWN.value:
        found.missing.append("an enrolment in the program")
    else:
        found.enrolled_on = enrolment.enrolled_on
    months = requirement["time_limit_months"]
    if months is not None and found.enrolled_on is not None:
        found.deadline = add_months(found.enrolled_on, months)
    courses, recognised = await _net_credits(connection, learner_id, program_id, found.deadline)
    listed = await connection.execute(
        sa.select(REQUIREMENT_COURSE.c.course_id, REQUIREMENT_COURSE.c.required)
        .where(REQUIREMENT_COURSE.c.program_id == program_id)
        .order_by(REQUIREMENT_COURSE.c.id)
    )
    rows = listed.all()
    in_list = {course for course, _ in rows}
    total = sum((c for course, c in recognised.items() if course not in in_list), NONE)
    for course, required in rows:
        credits = courses.get(course, NONE)
        total += credits
        if required:
            (found.required_done if credits > 0 else found.required_missing).append(course)
        else:
            found.list_credits += credits
    found.total_credits = total
    if found.required_missing:
        found.missing.append(f"{len(found.required_missing)} required course(s)")
    if found.list_credits < found.min_list_credits:
        found.missing.append(
            f"{found.min_list_credits - found.list_credits} more credits from the list"
        )
    if total < found.min_total_credits:
        found.missing.append(f"{found.min_total_credits - total} more credits in all")
    if found.deadline is not None and today > found.deadline and found.completion_id is None:
        found.missing.append(f"completion by {found.deadline.isoformat()} (the time limit)")
    return found


async def record_completion(
    connection: AsyncConnection, viewer: Viewer, *, program_id: int, learner_id: int
) -> RowMapping:
    """The learner's completion of the program, recorded once; the enrolment is marked
    completed."""
    await check_arguments(
        connection,
        viewer,
        "recordProgramCompletion",
        {"program": program_id, "learner": learner_id},
    )
    await connection.execute(
        sa.select(PROGRAM.c.id).where(PROGRAM.c.id == program_id).with_for_update()
    )
    status = await completion_of(connection, program_id=program_id, learner_id=learner_id)
    if status.completion_id is not None:
        raise AlreadyCompleted(
            "this learner's completion of the program is already recorded", field="learner"
        )
    if not status.complete:
        raise NotComplete(
            "the program is not complete; missing: " + "; ".join(status.missing), field="learner"
        )
    today = utcnow().date()
    row = await insert_row(
        connection,
        COMPLETION,
        {
            "program_id": program_id,
            "learner_id": learner_id,
            "completed_on": today,
            "credits_counted": status.total_credits,
            "recorded_by": viewer.label,
        },
        actor=viewer.label,
    )
    await connection.execute(
        sa.update(ENROLMENT)
        .where(ENROLMENT.c.program_id == program_id, ENROLMENT.c.learner_id == learner_id)
        .values(
            status=EnrolmentStatus.COMPLETED.value,
            completed_on=today,
            updated_at=utcnow(),
            version=ENROLMENT.c.version + 1,
        )
    )
    return row
