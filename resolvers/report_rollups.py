"""Summaries read from the rollups (`db.summary_rollup`) instead of a scan of the agreements.

The rollups hold, per group of agreements (kind, stored status, signing and start quarters, and
for agreements in force their end and start dates within a window of days), the number of
agreements and every additive measure, kept in the writing transaction. A summary is read from
them when they answer it exactly (`usable`): a caller that counts every row (an admin or a
reporter: for anyone else visibility decides row by row), no filter, no `asOf` (a past status
comes from the history), dimensions among `DIMENSIONS`, and today inside the rollups' window
(`window_holds`, one row). Anything else is the scan, as before. Distinct parties do not add up
across groups: they are kept per grouping set instead (`db.party_rollup`), for every grouping
but by status (`parties_usable`, `parties`), with no window. The statements here give the same
columns as the scan's (`resolvers.reports`), so the rows fold the same way; which source
answered is told in the response's `extensions.summarySource` (`note_source`).
"""

from collections.abc import MutableMapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from db import party_rollup
from db import tables as t
from db.base import table_of
from resolvers.agreements import AgreementFilter, agreement_conditions
from resolvers.report_grouping import MEASURE_NAMES
from resolvers.report_terms import IN_FORCE, Dimension, Interval
from resolvers.viewer import Role, Viewer

__all__ = [
    "DIMENSIONS",
    "ROLLUP",
    "SOURCE_KEY",
    "counts",
    "funding",
    "main",
    "note_source",
    "parties",
    "parties_usable",
    "trend",
    "usable",
    "window_holds",
    "window_valid",
]

ROLLUP = table_of(t.SummaryRollup)
PARTIES = table_of(t.PartyRollup)
TRENDS = table_of(t.TrendRollup)
FUNDING = table_of(t.SummaryRollupFunding)
STATE = table_of(t.SummaryRollupState)

DIMENSIONS = frozenset(
    {
        Dimension.AGREEMENT_KIND,
        Dimension.STATUS,
        Dimension.SIGNED_YEAR,
        Dimension.SIGNED_QUARTER,
        Dimension.START_YEAR,
        Dimension.START_QUARTER,
    }
)
"""The dimensions the rollups are keyed by; the others (parties, alliances, institutions,
programs) have several values per agreement and are scanned."""

SOURCE_KEY = "summarySource"


def usable(
    viewer: Viewer,
    filter: AgreementFilter | None,
    dimensions: Sequence[Dimension],
    as_of: date | None,
) -> bool:
    """Whether the rollups can answer this summary exactly (when their window holds today)."""
    return (
        (viewer.is_admin or viewer.role is Role.REPORTER)
        and as_of is None
        and not agreement_conditions(filter)
        and set(dimensions) <= DIMENSIONS
    )


def parties_usable(
    viewer: Viewer,
    filter: AgreementFilter | None,
    dimensions: Sequence[Dimension],
    as_of: date | None,
) -> bool:
    """Whether the distinct parties can be read from `party_rollup`: as `usable`, but not by
    status (the status read today moves with the end dates), and whatever the day."""
    return usable(viewer, filter, dimensions, as_of) and Dimension.STATUS not in dimensions


def _level(dimensions: Sequence[Dimension], year: Dimension, quarter: Dimension) -> int:
    return 2 if quarter in dimensions else 1 if year in dimensions else 0


def parties(dimensions: Sequence[Dimension]) -> sa.Select[Any]:
    """The distinct parties per group (the scan's parties statement), from the grouping set
    of `dimensions` (`db.party_rollup`): a year read from a set by quarter is the quarter's
    (its quarter is asked for too, so there is nothing to add up)."""
    signed = _level(dimensions, Dimension.SIGNED_YEAR, Dimension.SIGNED_QUARTER)
    start = _level(dimensions, Dimension.START_YEAR, Dimension.START_QUARTER)
    p = PARTIES.c
    keys: list[ColumnElement[Any]] = []
    for dimension in dimensions:
        if dimension is Dimension.AGREEMENT_KIND:
            keys.append(p.kind)
            continue
        by_signed = dimension in (Dimension.SIGNED_YEAR, Dimension.SIGNED_QUARTER)
        known = sa.func.nullif(p.signed_k if by_signed else p.start_k, 0, type_=sa.Integer)
        level = signed if by_signed else start
        year = dimension in (Dimension.SIGNED_YEAR, Dimension.START_YEAR)
        keys.append(known // 10 if year and level == 2 else known)
    chosen = party_rollup.set_id(Dimension.AGREEMENT_KIND in dimensions, signed, start)
    return sa.select(
        *[key.label(f"d_{d.value}") for key, d in zip(keys, dimensions, strict=True)],
        p.parties,
    ).where(p.set_id == chosen, p.parties > 0)


def window_valid(today: date) -> ColumnElement[bool]:
    """Whether the rollups' window holds `today`, as SQL."""
    return sa.exists(
        sa.select(STATE.c.id).where(
            STATE.c.id == 1, STATE.c.pivot <= today, STATE.c.horizon > today
        )
    )


async def window_holds(connection: AsyncConnection, today: date) -> bool:
    return bool(await connection.scalar(sa.select(window_valid(today))))


def _status(today: date) -> ColumnElement[str]:
    r = ROLLUP.c
    return sa.case((sa.and_(r.status.in_(IN_FORCE), r.ends_on < today), "expired"), else_=r.status)


def _active(today: date) -> ColumnElement[int]:
    r = ROLLUP.c
    running = sa.and_(r.status.in_(IN_FORCE), r.ends_on >= today, r.starts_on <= today)
    return sa.case((running, r.agreements), else_=0)


def _key(dimension: Dimension, today: date) -> ColumnElement[Any]:
    r = ROLLUP.c
    if dimension is Dimension.AGREEMENT_KIND:
        return r.kind
    if dimension is Dimension.STATUS:
        return _status(today)
    signed = dimension in (Dimension.SIGNED_YEAR, Dimension.SIGNED_QUARTER)
    known = sa.func.nullif(r.signed_q if signed else r.start_q, 0, type_=sa.Integer)
    if dimension in (Dimension.SIGNED_YEAR, Dimension.START_YEAR):
        return known // 10
    return known


def _keys(dimensions: Sequence[Dimension], today: date) -> list[ColumnElement[Any]]:
    return [_key(d, today).label(f"d_{d.value}") for d in dimensions]


def main(dimensions: Sequence[Dimension], today: date) -> sa.Select[Any]:
    """The rows of the scan's main statement (`resolvers.reports`): per group and status read
    today, the agreements, those active and every activity measure."""
    keys = _keys(dimensions, today)
    status = _status(today).label("status")
    return (
        sa.select(
            *keys,
            status,
            sa.func.sum(ROLLUP.c.agreements).label("agreements"),
            sa.func.sum(_active(today)).label("active"),
            *[sa.func.sum(ROLLUP.c[name]).label(name) for name in MEASURE_NAMES],
        )
        .where(ROLLUP.c.agreements > 0)
        .group_by(*keys, status)
        .order_by(*[key.asc().nulls_last() for key in keys])
    )


def counts(dimensions: Sequence[Dimension], today: date) -> sa.Select[Any]:
    """Per group and status read today: `n` agreements, `act` of them active (for the
    compiled summary)."""
    keys = _keys(dimensions, today)
    status = _status(today).label("status")
    return (
        sa.select(
            *keys,
            status,
            sa.func.sum(ROLLUP.c.agreements).label("n"),
            sa.func.sum(_active(today)).label("act"),
        )
        .where(ROLLUP.c.agreements > 0)
        .group_by(*keys, status)
    )


def funding(dimensions: Sequence[Dimension], today: date) -> sa.Select[Any]:
    """The funding per group and currency (the scan's funding statement)."""
    keys = _keys(dimensions, today)
    f = FUNDING.c
    return (
        sa.select(*keys, f.currency, sa.func.sum(f.amount).label("amount"))
        .select_from(ROLLUP.join(FUNDING, f.rollup_id == ROLLUP.c.id))
        .where(f.entries > 0)
        .group_by(*keys, f.currency)
        .order_by(f.currency)
    )


def trend(interval: Interval, first_day: date, last_day: date) -> sa.Select[Any]:
    """The trend's rows (measure, period key as `period_key` names it, value) from the monthly
    sums of `db.trend_rollup`, from the month of `first_day` to that of `last_day` (whole
    months: every period is)."""
    r = TRENDS.c
    year = r.month // 100
    if interval is Interval.YEAR:
        key = year
    elif interval is Interval.QUARTER:
        key = year * 10 + (r.month % 100 + 2) // 3
    else:
        key = r.month
    return (
        sa.select(r.measure, key.label("period"), sa.func.sum(r.value).label("value"))
        .where(
            r.month >= first_day.year * 100 + first_day.month,
            r.month <= last_day.year * 100 + last_day.month,
        )
        .group_by(r.measure, key)
        .having(sa.func.sum(r.entries) > 0)
    )


def note_source(extensions: MutableMapping[str, object], source: str) -> None:
    """Records in a response's extensions where its summaries came from: "rollup", "scan", or
    "mixed" when some figures (or some of several summaries) came from each."""
    found = extensions.get(SOURCE_KEY)
    extensions[SOURCE_KEY] = source if found in (None, source) else "mixed"
