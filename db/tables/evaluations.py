"""Periodic evaluations of an agreement or program against indicators."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, check_enum, check_order, fk
from db.enums import EvaluationIndicator

__all__ = ["Evaluation", "EvaluationMeasure"]


class Evaluation(Mutable, table=True):
    __tablename__ = "evaluation"
    __table_args__ = (
        check_order("period_start", "period_end"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        sa.CheckConstraint(
            "agreement_id IS NOT NULL OR program_id IS NOT NULL", name="has_subject"
        ),
    )

    agreement_id: int | None = fk("agreement.id", ondelete="CASCADE")
    program_id: int | None = fk("program.id", ondelete="CASCADE")
    evaluator_id: int | None = fk("organization.id", ondelete="SET NULL")
    period_start: date | None = None
    period_end: date | None = Field(default=None, index=True)
    score: Decimal | None = Field(default=None, sa_type=sa.Numeric(5, 2))
    notes: str | None = None


class EvaluationMeasure(SQLModel, table=True):
    __tablename__ = "evaluation_measure"
    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "indicator"),
        check_enum("indicator", EvaluationIndicator),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = fk("evaluation.id", required=True, ondelete="CASCADE")
    indicator: str
    target: Decimal | None = Field(default=None, sa_type=sa.Numeric(18, 2))
    actual: Decimal | None = Field(default=None, sa_type=sa.Numeric(18, 2))
