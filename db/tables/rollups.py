"""Summary rollups: the figures of the cooperation summaries kept per group of agreements, in the
writing transaction, by the triggers of `db.summary_rollup` (which tells what each row holds).

`summary_rollup` has one row per combination of an agreement's kind, stored status, signing and
start quarters and, for agreements in force, the end and start dates near today (clamped to the
window of `summary_rollup_state`); `agreement_rollup` is each agreement's contribution to its
row, so a change takes it out and puts it back exactly. Funding is kept per currency in
`summary_rollup_funding` and `agreement_rollup_funding`. None of these is an API object: they
are read only by `resolvers.report_rollups`.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = [
    "ActivityTrend",
    "AgreementPartyRollup",
    "AgreementRollup",
    "AgreementRollupFunding",
    "AgreementTrend",
    "PartyRollup",
    "PartyRollupSet",
    "SummaryRollup",
    "SummaryRollupFunding",
    "SummaryRollupState",
    "TrendRollup",
]

SUM = sa.Numeric(20, 2)
"""Sums of credits, scores and amounts (each has 2 places)."""


def _count() -> Any:
    return Field(default=0, nullable=False)


def _sum() -> Any:
    return Field(default=Decimal(0), sa_type=SUM, nullable=False)


class RollupMeasures(SQLModel):
    """The additive measures of a group of agreements, or of one agreement."""

    programs: int = _count()
    enrolments: int = _count()
    credits_earned: Decimal = _sum()
    credits_recognised: Decimal = _sum()
    resources_shared: int = _count()
    activities: int = _count()
    score_sum: Decimal = _sum()
    scores: int = _count()


class CurrencySum(SQLModel):
    """Funding in one currency (the key is the subclass's, with the currency)."""

    amount: Decimal = _sum()
    entries: int = _count()
    """How many grants the amount sums (a currency with none left is no longer reported)."""


class SummaryRollupState(SQLModel, table=True):
    """One row: the window of days in which the rollups answer for today. An agreement in force
    reads as expired once its end date is past, and as running once its start date is reached:
    the rollups keep those dates exactly from `pivot` to the day before `horizon`, and lump
    earlier ones on `before_pivot` and later ones on `horizon`."""

    __tablename__ = "summary_rollup_state"

    id: int = Field(primary_key=True)
    pivot: date
    before_pivot: date
    """The day before `pivot`."""
    horizon: date


class SummaryRollup(RollupMeasures, table=True):
    __tablename__ = "summary_rollup"
    __table_args__ = (
        sa.UniqueConstraint("kind", "status", "signed_q", "start_q", "ends_on", "starts_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    status: str = Field(max_length=40)
    """The stored status (the status read today follows from it and `ends_on`)."""
    signed_q: int
    """The signing quarter as `period_key` names it (20241), 0 when unsigned."""
    start_q: int
    """The quarter of `effective_from`, 0 when there is none."""
    ends_on: date
    starts_on: date
    agreements: int = _count()


class AgreementRollup(RollupMeasures, table=True):
    """What one agreement adds to its `summary_rollup` row (no foreign keys: the row outlives
    the agreement until the trigger has taken it out)."""

    __tablename__ = "agreement_rollup"

    agreement_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    rollup_id: int = Field(index=True)


class SummaryRollupFunding(CurrencySum, table=True):
    __tablename__ = "summary_rollup_funding"

    rollup_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    currency: str = Field(primary_key=True, max_length=3)


class AgreementRollupFunding(CurrencySum, table=True):
    __tablename__ = "agreement_rollup_funding"

    agreement_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    currency: str = Field(primary_key=True, max_length=3)


class PartyRollupSet(SQLModel, table=True):
    """A grouping of the distinct-parties counts (`db.party_rollup`): by kind or not, and
    signing and start dates not at all (0), by year (1) or by quarter (2)."""

    __tablename__ = "party_rollup_set"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    by_kind: int
    by_signed: int
    by_start: int


class PartyRollup(SQLModel, table=True):
    """How many organizations are party to an agreement of one group of one grouping set
    (`kind` '' and keys 0 where the set does not group by them; a year is 2024, a quarter
    20241, an unknown date 0)."""

    __tablename__ = "party_rollup"

    set_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(primary_key=True, max_length=40)
    signed_k: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    start_k: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    parties: int = _count()


class AgreementPartyRollup(SQLModel, table=True):
    """Which organizations one agreement counted as parties, with its kind and quarters as
    they were then (what its next refresh takes out)."""

    __tablename__ = "agreement_party_rollup"
    __table_args__ = (
        sa.Index(
            "ix_agreement_party_rollup_organization",
            "organization_id",
            "kind",
            "signed_q",
            "start_q",
            "agreement_id",
        ),
    )

    agreement_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    organization_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(max_length=40)
    signed_q: int
    start_q: int


class TrendRollup(SQLModel, table=True):
    """One flow of the trends in one month (`db.trend_rollup`): `measure` is a `TrendPoint`
    field (`signed`, `enrolments`...) or `funding:` and a currency; `month` is 202403."""

    __tablename__ = "trend_rollup"

    measure: str = Field(primary_key=True, max_length=20)
    month: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    value: Decimal = _sum()
    entries: int = _count()
    """How many rows the value counts or sums (a flow with none is not reported)."""


class AgreementTrend(SQLModel, table=True):
    """One agreement's share of a `trend_rollup` row (what its next refresh takes out)."""

    __tablename__ = "agreement_trend"

    agreement_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    measure: str = Field(primary_key=True, max_length=20)
    month: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    value: Decimal = _sum()
    entries: int = _count()


class ActivityTrend(SQLModel, table=True):
    """The month an activity linked to an agreement counts in (once, however many it links)."""

    __tablename__ = "activity_trend"

    activity_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    month: int
