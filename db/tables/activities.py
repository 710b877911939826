"""Meetings, visits, conferences and ceremonies: who took part and what they concern."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, check_enum, fk, updated_stamp
from db.enums import ActivityKind

__all__ = ["Activity", "ActivityAgreement", "ActivityParticipant", "ActivityProgram"]


class Activity(Mutable, table=True):
    __tablename__ = "activity"
    __table_args__ = (check_enum("kind", ActivityKind),)

    kind: str = Field(index=True)
    title: str = Field(max_length=500)
    held_on: date | None = Field(default=None, index=True)
    place: str | None = Field(default=None, max_length=300)
    alliance_id: int | None = fk("alliance.id", ondelete="SET NULL")
    summary: str | None = None
    outcomes: str | None = None
    next_steps: str | None = None


class ActivityParticipant(SQLModel, table=True):
    """An organization taking part, optionally through a named person."""

    __tablename__ = "activity_participant"
    __table_args__ = (sa.UniqueConstraint("activity_id", "organization_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = fk("activity.id", required=True, ondelete="CASCADE")
    organization_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    person_id: int | None = fk("person.id", ondelete="CASCADE")
    role: str | None = Field(default=None, max_length=200)
    updated_at: datetime = updated_stamp(server_default=True)


class ActivityAgreement(SQLModel, table=True):
    __tablename__ = "activity_agreement"
    __table_args__ = (sa.UniqueConstraint("activity_id", "agreement_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = fk("activity.id", required=True, ondelete="CASCADE")
    agreement_id: int = fk("agreement.id", required=True, ondelete="CASCADE")


class ActivityProgram(SQLModel, table=True):
    __tablename__ = "activity_program"
    __table_args__ = (sa.UniqueConstraint("activity_id", "program_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = fk("activity.id", required=True, ondelete="CASCADE")
    program_id: int = fk("program.id", required=True, ondelete="CASCADE")
