"""Programs that can be completed: what a program requires, and each completion, once."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, UTCDateTime, check_non_negative, credits, fk, updated_stamp, utcnow

__all__ = ["ProgramCompletion", "ProgramRequirement", "RequirementCourse"]


class ProgramRequirement(Mutable, table=True):
    """What completing a program takes: its required courses and list (`RequirementCourse`),
    credits from the list, a minimum total, and months from enrolment to finish in."""

    __tablename__ = "program_requirement"
    __table_args__ = (
        sa.UniqueConstraint("program_id"),
        check_non_negative("min_total_credits"),
        check_non_negative("min_list_credits"),
        sa.CheckConstraint(
            "time_limit_months IS NULL OR time_limit_months > 0", name="time_limit_positive"
        ),
    )

    program_id: int = fk("program.id", required=True, ondelete="CASCADE")
    min_total_credits: Decimal = credits(required=True)
    min_list_credits: Decimal = credits(required=True)
    time_limit_months: int | None = None


class RequirementCourse(SQLModel, table=True):
    __tablename__ = "requirement_course"
    __table_args__ = (sa.UniqueConstraint("program_id", "course_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = fk("program.id", required=True, ondelete="CASCADE")
    course_id: int = fk("course.id", required=True, ondelete="CASCADE")
    required: bool = Field(default=False)
    """Required (each must be done) or on the list (credits from it count to `min_list_credits`)."""


class ProgramCompletion(SQLModel, table=True):
    """A learner's completion of a program, recorded once."""

    __tablename__ = "program_completion"
    __table_args__ = (sa.UniqueConstraint("program_id", "learner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = fk("program.id", required=True, ondelete="RESTRICT")
    learner_id: int = fk("learner.id", required=True, ondelete="RESTRICT")
    completed_on: date = Field(index=True)
    credits_counted: Decimal = credits(required=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = updated_stamp(server_default=True)
