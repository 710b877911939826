"""The vocabulary of the cooperation reports: the tables they read, the statuses, which rows
count (`counted`), the dimensions a summary groups by, the trend intervals and their period keys,
the measures of a group and the families of figures (`Part`), and the connection reports read on
(`reading`). Every figure is counted over what the viewer may count: the rows visibility lets it
read (`resolvers.visibility`), except for reporters, which read no rows but count everything
(docs/access.md: reporters see public profiles and aggregates).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.base import table_of
from db.enums import AgreementStatus
from resolvers.decimals import mean, zero
from resolvers.viewer import Role, Viewer
from resolvers.visibility import visible

__all__ = [
    "ACTIVITY",
    "ACTIVITY_AGREEMENT",
    "AGREEMENT",
    "ALLIANCE",
    "ALL_PARTS",
    "ENROLMENT",
    "EVALUATION",
    "FUNDING",
    "HISTORY",
    "IN_FORCE",
    "LABELLED",
    "MAX_DIMENSIONS",
    "MEMBERSHIP",
    "MULTI_VALUED",
    "NO_CREDITS",
    "NO_SCORE",
    "ORGANIZATION",
    "OUTCOME",
    "PARTY",
    "PARTY_DIMENSIONS",
    "PROGRAM",
    "PROGRAM_DIMENSIONS",
    "RECOGNITION",
    "RULE",
    "SHARE",
    "STATUSES",
    "Dimension",
    "Interval",
    "Measures",
    "Part",
    "Summary",
    "SummaryRow",
    "counted",
    "end_of",
    "mean_score",
    "period_key",
    "reading",
    "tune_for_reports",
]

AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
ORGANIZATION = table_of(t.Organization)
MEMBERSHIP = table_of(t.Membership)
ALLIANCE = table_of(t.Alliance)
PROGRAM = table_of(t.Program)
ENROLMENT = table_of(t.Enrolment)
OUTCOME = table_of(t.LearningOutcome)
RULE = table_of(t.RecognitionRule)
RECOGNITION = table_of(t.CreditRecognition)
SHARE = table_of(t.ResourceShare)
FUNDING = table_of(t.Funding)
ACTIVITY = table_of(t.Activity)
ACTIVITY_AGREEMENT = table_of(t.ActivityAgreement)
EVALUATION = table_of(t.Evaluation)
HISTORY = table_of(t.HistoryEntry)

S = AgreementStatus
IN_FORCE = (S.SIGNED.value, S.ACTIVE.value)
STATUSES = tuple(s.value for s in AgreementStatus)


def counted(viewer: Viewer, table: sa.Table) -> ColumnElement[bool]:
    """The rows of `table` that count in `viewer`'s figures."""
    if viewer.role is Role.REPORTER:
        return sa.true()
    return visible(viewer, table)


class Dimension(StrEnum):
    AGREEMENT_KIND = "agreement_kind"
    STATUS = "status"
    PARTY_KIND = "party_kind"
    PARTY_COUNTRY = "party_country"
    PARTY_REGION = "party_region"
    INSTITUTION = "institution"
    ALLIANCE = "alliance"
    SIGNED_YEAR = "signed_year"
    SIGNED_QUARTER = "signed_quarter"
    START_YEAR = "start_year"
    START_QUARTER = "start_quarter"
    PROGRAM_KIND = "program_kind"
    PROGRAM_CATEGORY = "program_category"


PARTY_DIMENSIONS = {
    Dimension.PARTY_KIND: "kind",
    Dimension.PARTY_COUNTRY: "country",
    Dimension.PARTY_REGION: "region",
}
PROGRAM_DIMENSIONS = {Dimension.PROGRAM_KIND: "kind", Dimension.PROGRAM_CATEGORY: "category"}
MULTI_VALUED = {*PARTY_DIMENSIONS, *PROGRAM_DIMENSIONS, Dimension.ALLIANCE, Dimension.INSTITUTION}
LABELLED = {Dimension.ALLIANCE: "Alliance", Dimension.INSTITUTION: "Organization"}
"""Dimensions whose value is a global ID of this type, labelled with its name."""
MAX_DIMENSIONS = 4


class Interval(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


def end_of(day: date) -> datetime:
    """The first instant after `day` (UTC), for comparing timestamps with a date."""
    return datetime.combine(day + timedelta(days=1), time(), UTC)


def _year(column: ColumnElement[Any]) -> ColumnElement[int]:
    return sa.cast(sa.extract("year", column), sa.Integer)


def _month(column: ColumnElement[Any]) -> ColumnElement[int]:
    return sa.cast(sa.extract("month", column), sa.Integer)


def period_key(column: ColumnElement[Any], interval: Interval) -> ColumnElement[int]:
    """An integer naming the period of a date: 2024, 20241 (first quarter) or 202401."""
    if interval is Interval.YEAR:
        return _year(column)
    if interval is Interval.QUARTER:
        return _year(column) * 10 + (_month(column) + 2) // 3
    return _year(column) * 100 + _month(column)


NO_CREDITS = zero(OUTCOME.c.credits)
"""0 credits (earned or recognised: both columns have the same places)."""
assert zero(RECOGNITION.c.credits) == NO_CREDITS
NO_SCORE = zero(EVALUATION.c.score)


@dataclass
class Measures:
    agreements: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    active: int = 0
    parties: int = 0
    programs: int = 0
    enrolments: int = 0
    credits_earned: Decimal = NO_CREDITS
    credits_recognised: Decimal = NO_CREDITS
    resources_shared: int = 0
    activities: int = 0
    mean_score: Decimal | None = None
    funding: dict[str, Decimal] = field(default_factory=dict)
    score_sum: Decimal = NO_SCORE
    scores: int = 0

    def add(self, other: "Measures") -> None:
        """Adds `other`'s figures (but not its parties: distinct organizations do not add)."""
        self.agreements += other.agreements
        for status, n in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + n
        self.active += other.active
        self.programs += other.programs
        self.enrolments += other.enrolments
        self.credits_earned += other.credits_earned
        self.credits_recognised += other.credits_recognised
        self.resources_shared += other.resources_shared
        self.activities += other.activities
        for currency, amount in other.funding.items():
            self.funding[currency] = self.funding.get(currency, zero(FUNDING.c.amount)) + amount
        self.score_sum += other.score_sum
        self.scores += other.scores
        self.mean_score = mean_score(self.score_sum, self.scores)


@dataclass
class SummaryRow:
    """One group: the value of each dimension asked for (`None` where the agreement has none)
    and its measures."""

    keys: dict[Dimension, str | None]
    labels: dict[Dimension, str | None]
    measures: Measures


def mean_score(total: Decimal, n: int) -> Decimal | None:
    """The mean of `n` evaluation scores summing to `total`, with a score's places."""
    return mean(total, n, EVALUATION.c.score)


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for report queries. On PostgreSQL, for its transaction only: no JIT (its
    compilation cost more than it saved on every summary measured) and enough `work_mem` for the
    groups to be hashed in memory rather than sorted on disk."""
    async with engine.connect() as connection:
        await tune_for_reports(connection)
        yield connection


async def tune_for_reports(connection: AsyncConnection) -> None:
    """`reading`'s settings, for the transaction `connection` is in (PostgreSQL only)."""
    if connection.dialect.name == "postgresql":
        await connection.execute(
            sa.text("SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)")
        )


@dataclass
class Summary:
    total: Measures
    groups: list[SummaryRow]
    source: str = "scan"
    """Where the figures came from: "rollup", "scan" or "mixed" (`resolvers.report_rollups`)."""


class Part(StrEnum):
    """Families of figures, each its own SQL work; a caller computes only those it asks for."""

    ACTIVITY = "activity"
    """programs, enrolments, credits, resource shares, activities, evaluation scores"""
    PARTIES = "parties"
    FUNDING = "funding"


ALL_PARTS = frozenset(Part)
