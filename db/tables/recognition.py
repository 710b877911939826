"""Recognition as an application with review: a learner's outcomes from one organization,
submitted for recognition by another under a rule; the receiving side decides, with a reason.

Which courses a rule accepts (`RecognitionRuleCourse`, none: any) is kept beside it."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, check_enum, check_non_negative, credits, fk, updated_stamp
from db.enums import ApplicationStatus

__all__ = ["ApplicationOutcome", "RecognitionApplication", "RecognitionRuleCourse"]


class RecognitionRuleCourse(SQLModel, table=True):
    """A course whose outcomes a rule accepts; a rule with none accepts any of its source's."""

    __tablename__ = "recognition_rule_course"
    __table_args__ = (sa.UniqueConstraint("rule_id", "course_id"),)

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = fk("recognition_rule.id", required=True, ondelete="CASCADE")
    course_id: int = fk("course.id", required=True, ondelete="CASCADE")
    updated_at: datetime = updated_stamp(server_default=True)


class RecognitionApplication(Mutable, table=True):
    __tablename__ = "recognition_application"
    __table_args__ = (
        check_enum("status", ApplicationStatus),
        check_non_negative("credits_requested"),
        check_non_negative("credits_granted"),
    )

    learner_id: int = fk("learner.id", required=True, ondelete="RESTRICT")
    account_id: int = fk("credit_account.id", required=True, ondelete="RESTRICT")
    rule_id: int = fk("recognition_rule.id", required=True, ondelete="RESTRICT")
    from_organization_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    to_organization_id: int = fk("organization.id", required=True, ondelete="RESTRICT")
    status: str = Field(default=ApplicationStatus.SUBMITTED.value, index=True)
    credits_requested: Decimal = credits(required=True)
    credits_granted: Decimal | None = credits()
    applied_on: date = Field(index=True)
    applied_by: str = Field(max_length=200)
    decided_on: date | None = None
    decided_by: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=2000)


class ApplicationOutcome(SQLModel, table=True):
    """An outcome named in an application, with the credits it held when applied for."""

    __tablename__ = "application_outcome"
    __table_args__ = (sa.UniqueConstraint("application_id", "outcome_id"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = fk("recognition_application.id", required=True, ondelete="CASCADE")
    outcome_id: int = fk("learning_outcome.id", required=True, ondelete="RESTRICT")
    credits: Decimal = credits(required=True)
