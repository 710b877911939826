"""Cooperation trends: what happened in each period (year, quarter or month) over the
agreements a filter selects and what hangs off them, as flows rather than stocks (an agreement
signed in the period, a credit earned in it...), computed in one statement (`trend`); `periods`
names the periods asked for and bounds their number. Where the summary rollups would answer (a
caller that counts every row, no filter: `resolvers.report_rollups.usable`) the flows are read
from their sums per month (`db.trend_rollup`) instead of the rows.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from resolvers import report_rollups
from resolvers.agreements import AgreementFilter
from resolvers.decimals import scaled
from resolvers.errors import BadUserInput
from resolvers.report_as_of import agreements_as_of
from resolvers.report_grouping import funding_by_agreement
from resolvers.report_terms import (
    ACTIVITY,
    ACTIVITY_AGREEMENT,
    AGREEMENT,
    ENROLMENT,
    EVALUATION,
    FUNDING,
    NO_CREDITS,
    OUTCOME,
    PROGRAM,
    RECOGNITION,
    RULE,
    Interval,
    counted,
    period_key,
    reading,
)
from resolvers.viewer import Viewer

__all__ = ["MAX_PERIODS", "TrendPoint", "periods", "trend"]


@dataclass
class TrendPoint:
    """What happened in one period: flows, not stocks (an agreement signed in it, a credit
    earned in it...)."""

    period: str
    starts_on: date
    ends_on: date
    signed: int = 0
    started: int = 0
    ended: int = 0
    programs_started: int = 0
    enrolments: int = 0
    credits_earned: Decimal = NO_CREDITS
    credits_recognised: Decimal = NO_CREDITS
    activities: int = 0
    evaluations: int = 0
    funding: dict[str, Decimal] = field(default_factory=dict)


MAX_PERIODS = 400

_SUMMED = {"credits_earned": OUTCOME.c.credits, "credits_recognised": RECOGNITION.c.credits}


def periods(interval: Interval, start: date, end: date) -> list[tuple[int, str, date, date]]:
    """Every period from the one holding `start` to the one holding `end`: its key (as
    `period_key` computes it), its name, its first and last day."""
    if end < start:
        raise BadUserInput("`to` is before `from`", field="to")
    step = {Interval.YEAR: 12, Interval.QUARTER: 3, Interval.MONTH: 1}[interval]
    month = (start.month - 1) // step * step + 1
    first = date(start.year, month, 1)
    found: list[tuple[int, str, date, date]] = []
    while first <= end:
        total = first.year * 12 + first.month - 1 + step
        following = date(total // 12, total % 12 + 1, 1)
        if interval is Interval.YEAR:
            key, name = first.year, str(first.year)
        elif interval is Interval.QUARTER:
            quarter = (first.month + 2) // 3
            key, name = first.year * 10 + quarter, f"{first.year}-Q{quarter}"
        else:
            key, name = first.year * 100 + first.month, f"{first.year}-{first.month:02d}"
        found.append((key, name, first, following - timedelta(days=1)))
        if len(found) > MAX_PERIODS:
            raise BadUserInput(f"ask for at most {MAX_PERIODS} periods", field="from")
        first = following
    return found


async def trend(
    *,
    engine: AsyncEngine,
    viewer: Viewer,
    filter: AgreementFilter | None,
    interval: Interval,
    start: date,
    end: date,
    rollups: bool = True,
    sources: dict[str, object] | None = None,
) -> list[TrendPoint]:
    """The flows of each period from `start` to `end` over the agreements `filter` selects
    (and what hangs off them), periods without any as zeros; one statement. With `rollups`,
    read from the monthly sums where they answer; `sources` (a response's extensions) learns
    which source answered."""
    found = periods(interval, start, end)
    first_day, last_day = found[0][2], found[-1][3]
    if rollups and report_rollups.usable(viewer, filter, [], None):
        report_rollups.note_source({} if sources is None else sources, "rollup")
        return await _read(engine, report_rollups.trend(interval, first_day, last_day), found)
    report_rollups.note_source({} if sources is None else sources, "scan")
    base = agreements_as_of(viewer, filter, None)
    ids = sa.select(base.c.id)
    p = PROGRAM.c
    programs = sa.select(p.id).where(p.agreement_id.in_(ids), counted(viewer, PROGRAM))

    def flow(
        name: Any, column: ColumnElement[Any], value: ColumnElement[Any], *where: Any
    ) -> sa.Select[Any]:
        key = period_key(column, interval)
        return (
            sa.select(
                sa.cast(sa.literal(name), sa.String) if isinstance(name, str) else name,
                key.label("period"),
                sa.cast(value, sa.Numeric(20, 2)).label("value"),
            )
            .where(column >= first_day, column <= last_day, *where)
            .group_by(*([name] if not isinstance(name, str) else []), key)
        )

    a = AGREEMENT.c
    counted_agreement = [a.id.in_(ids)]
    given = funding_by_agreement(viewer, None)
    branches = [
        flow("signed", a.signed_on, sa.func.count(), *counted_agreement),
        flow("started", a.effective_from, sa.func.count(), *counted_agreement),
        flow("ended", a.effective_to, sa.func.count(), *counted_agreement),
        flow(
            "programs_started",
            p.starts_on,
            sa.func.count(),
            p.id.in_(programs),
        ),
        flow(
            "enrolments",
            ENROLMENT.c.enrolled_on,
            sa.func.count(),
            ENROLMENT.c.program_id.in_(programs),
            counted(viewer, ENROLMENT),
        ),
        flow(
            "credits_earned",
            OUTCOME.c.earned_on,
            sa.func.sum(OUTCOME.c.credits),
            OUTCOME.c.program_id.in_(programs),
            counted(viewer, OUTCOME),
        ),
        flow(
            "credits_recognised",
            RECOGNITION.c.recognised_on,
            sa.func.sum(RECOGNITION.c.credits),
            RECOGNITION.c.rule_id.in_(sa.select(RULE.c.id).where(RULE.c.agreement_id.in_(ids))),
            counted(viewer, RECOGNITION),
        ),
        flow(
            "activities",
            ACTIVITY.c.held_on,
            sa.func.count(),
            ACTIVITY.c.id.in_(
                sa.select(ACTIVITY_AGREEMENT.c.activity_id).where(
                    ACTIVITY_AGREEMENT.c.agreement_id.in_(ids)
                )
            ),
            counted(viewer, ACTIVITY),
        ),
        flow(
            "evaluations",
            EVALUATION.c.period_end,
            sa.func.count(),
            EVALUATION.c.agreement_id.in_(ids),
            counted(viewer, EVALUATION),
        ),
        flow(
            sa.literal("funding:") + given.c.currency,
            given.c.awarded_on,
            sa.func.sum(given.c.amount),
            given.c.agreement_id.in_(ids),
        ),
    ]
    return await _read(engine, sa.union_all(*branches), found)


async def _read(
    engine: AsyncEngine, statement: Any, found: list[tuple[int, str, date, date]]
) -> list[TrendPoint]:
    """The points of `found`, filled from the rows (measure, period key, value) of `statement`."""
    points = {key: TrendPoint(period=name, starts_on=s, ends_on=e) for key, name, s, e in found}
    async with reading(engine) as connection:
        for measure, key, value in (await connection.execute(statement)).all():
            point = points.get(int(key))
            if point is None:
                continue
            if measure.startswith("funding:"):
                point.funding[measure.removeprefix("funding:")] = scaled(value, FUNDING.c.amount)
            elif measure in _SUMMED:
                setattr(point, measure, scaled(value, _SUMMED[measure]))
            else:
                setattr(point, measure, int(value))
    return list(points.values())
