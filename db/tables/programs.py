"""Shared programs, their partners and target learners, and the courses they are made of."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, check_enum, check_non_negative, check_order, credits, fk
from db.enums import (
    DeliveryMode,
    PartyRole,
    ProgramCategory,
    ProgramKind,
    ProgramStatus,
    TargetLearnerGroup,
)

__all__ = ["Course", "CourseInstructor", "Program", "ProgramPartner", "ProgramTargetGroup"]


class Program(Mutable, table=True):
    __tablename__ = "program"
    __table_args__ = (
        check_enum("kind", ProgramKind),
        check_enum("status", ProgramStatus),
        check_enum("delivery", DeliveryMode),
        check_enum("category", ProgramCategory),
        check_order("starts_on", "ends_on"),
        check_non_negative("credits"),
        check_non_negative("capacity"),
        sa.CheckConstraint("eqf_level BETWEEN 1 AND 8", name="eqf_level"),
    )

    name: str = Field(index=True, max_length=500)
    local_name: str | None = Field(default=None, max_length=500)
    kind: str = Field(index=True)
    status: str = Field(default=ProgramStatus.PLANNED.value, index=True)
    agreement_id: int | None = fk("agreement.id", ondelete="SET NULL")
    subject_area: str | None = Field(default=None, max_length=200)
    delivery: str | None = Field(default=None, index=True)
    category: str | None = Field(default=None, index=True)
    credits: Decimal | None = credits()
    capacity: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    description: str | None = None
    is_illustrative: bool = Field(default=False)
    isced_f_code: str | None = Field(default=None, max_length=4, index=True)
    """The ISCED-F 2013 detailed field (four digits, `db/codes/isced_f_2013.csv`)."""
    eqf_level: int | None = Field(default=None, index=True)
    """The EQF level (1-8) of what a learner reaches by completing it."""
    credit_unit_code: str | None = fk("credit_unit.code", ondelete="RESTRICT")
    """The unit `credits` counts in (`credit_unit`); unknown when null."""


class ProgramPartner(Mutable, table=True):
    __tablename__ = "program_partner"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "organization_id"),
        check_enum("role", PartyRole),
    )

    program_id: int = fk("program.id", required=True, ondelete="CASCADE")
    organization_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    role: str = Field(default=PartyRole.PARTNER.value)


class ProgramTargetGroup(SQLModel, table=True):
    __tablename__ = "program_target_group"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "target_group"),
        check_enum("target_group", TargetLearnerGroup),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = fk("program.id", required=True, ondelete="CASCADE")
    target_group: str = Field(index=True)


class Course(Mutable, table=True):
    __tablename__ = "course"
    __table_args__ = (
        check_enum("delivery", DeliveryMode),
        check_non_negative("credits"),
        check_non_negative("hours"),
        sa.CheckConstraint("eqf_level BETWEEN 1 AND 8", name="eqf_level"),
    )

    program_id: int | None = fk("program.id", ondelete="SET NULL")
    organization_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    code: str | None = Field(default=None, max_length=60)
    title: str = Field(index=True, max_length=500)
    credits: Decimal | None = credits()
    hours: int | None = None
    delivery: str | None = Field(default=None)
    is_illustrative: bool = Field(default=False)
    isced_f_code: str | None = Field(default=None, max_length=4, index=True)
    """The ISCED-F 2013 detailed field (four digits, `db/codes/isced_f_2013.csv`)."""
    eqf_level: int | None = Field(default=None, index=True)
    """The EQF level (1-8) of what a learner reaches by completing it."""
    credit_unit_code: str | None = fk("credit_unit.code", ondelete="RESTRICT")
    """The unit `credits` counts in (`credit_unit`); unknown when null."""


class CourseInstructor(SQLModel, table=True):
    """Faculty teaching a course; a person of another organization makes it shared faculty."""

    __tablename__ = "course_instructor"
    __table_args__ = (sa.UniqueConstraint("course_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = fk("course.id", required=True, ondelete="CASCADE")
    person_id: int = fk("person.id", required=True, ondelete="CASCADE")
