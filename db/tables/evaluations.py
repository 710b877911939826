"""Periodic evaluations of an agreement, program or alliance against indicators; the indicators
an alliance or program reports against, with their targets per period.

An indicator belongs to an alliance or a program, or to nobody: the five standard indicators
(`code`, the values of `EvaluationIndicator`) that evaluations measured before indicators could
be defined, which any evaluation may still measure. A measure of an evaluation names its
indicator; its `actual` is the value of a MANUAL indicator for the evaluation's period.
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, check_enum, check_order, fk
from db.enums import EvaluationIndicator, IndicatorComputation, IndicatorDirection

__all__ = ["Evaluation", "EvaluationMeasure", "Indicator", "IndicatorTarget"]

_SUBJECTS = ("agreement_id", "program_id", "alliance_id")


class Evaluation(Mutable, table=True):
    __tablename__ = "evaluation"
    __table_args__ = (
        check_order("period_start", "period_end"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        sa.CheckConstraint(" OR ".join(f"{c} IS NOT NULL" for c in _SUBJECTS), name="has_subject"),
    )

    agreement_id: int | None = fk("agreement.id", ondelete="CASCADE")
    program_id: int | None = fk("program.id", ondelete="CASCADE")
    alliance_id: int | None = fk("alliance.id", ondelete="CASCADE")
    evaluator_id: int | None = fk("organization.id", ondelete="SET NULL")
    period_start: date | None = None
    period_end: date | None = Field(default=None, index=True)
    score: Decimal | None = Field(default=None, sa_type=sa.Numeric(5, 2))
    notes: str | None = None


class Indicator(Mutable, table=True):
    """What an alliance or program counts: a name, a unit, which way is better, and how its
    value for a period is found."""

    __tablename__ = "indicator"
    __table_args__ = (
        check_enum("direction", IndicatorDirection),
        check_enum("computation", IndicatorComputation),
        check_enum("code", EvaluationIndicator),
        sa.CheckConstraint("alliance_id IS NULL OR program_id IS NULL", name="one_owner"),
        sa.CheckConstraint(
            "code IS NOT NULL OR alliance_id IS NOT NULL OR program_id IS NOT NULL",
            name="owned_or_standard",
        ),
    )

    alliance_id: int | None = fk("alliance.id", ondelete="CASCADE")
    program_id: int | None = fk("program.id", ondelete="CASCADE")
    code: str | None = Field(default=None, unique=True)
    """One of the five standard indicators (`EvaluationIndicator`); set by migration only."""
    name: str = Field(max_length=300)
    unit: str = Field(max_length=100)
    direction: str = Field(default=IndicatorDirection.HIGHER_IS_BETTER.value)
    computation: str = Field(default=IndicatorComputation.MANUAL.value)
    description: str | None = None


class IndicatorTarget(Mutable, table=True):
    """The value an indicator aims at in one period (`2026`, `2026-Q1`, `2026-H2`, `2026-03`)."""

    __tablename__ = "indicator_target"
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "period"),
        sa.CheckConstraint("target IS NULL OR target >= 0", name="target_non_negative"),
    )

    indicator_id: int = fk("indicator.id", required=True, ondelete="CASCADE")
    period: str = Field(max_length=10)
    target: Decimal | None = Field(default=None, sa_type=sa.Numeric(18, 2))
    notes: str | None = None


class EvaluationMeasure(SQLModel, table=True):
    __tablename__ = "evaluation_measure"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "indicator_id"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = fk("evaluation.id", required=True, ondelete="CASCADE")
    indicator_id: int = fk("indicator.id", required=True, ondelete="CASCADE")
    target: Decimal | None = Field(default=None, sa_type=sa.Numeric(18, 2))
    actual: Decimal | None = Field(default=None, sa_type=sa.Numeric(18, 2))
