"""Cooperation summaries and trends, computed in SQL: one GROUP BY per figure family.

Every figure is counted over what the viewer may count (`counted`): the rows visibility lets it
read (`resolvers.visibility`), except for reporters, which read no rows but count everything
(README "Access control": reporters see public profiles and aggregates). The filter is the one of
the `agreements` list, applied through the same `agreement_conditions`, so a summary without
`asOf` counts exactly the agreements that the list with that filter pages through.

"As of a date" (README "Reports"): an agreement exists on day D when it was created by the end of
D; for data loaded without a status history (registries, the demo) the signing date decides
instead (signed by D, or unsigned and created by D). Its status on D is the last status its
history recorded by the end of D (a change after D is undone by reading its old value), or the
stored status when it has no status history; then the expiry rule of `effective_status` applies
on D (in force past its end date reads as expired; recorded as expired but still within its
period on D reads as active; recorded as active before its period began reads as signed).
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
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
from resolvers.agreements import AgreementFilter, agreement_conditions, effective_status
from resolvers.errors import BadUserInput
from resolvers.ids import encode_id
from resolvers.memo import Bounded
from resolvers.viewer import Role, Viewer
from resolvers.visibility import visible

__all__ = [
    "ALL_PARTS",
    "IN_FORCE",
    "MAX_DIMENSIONS",
    "MULTI_VALUED",
    "STATUSES",
    "Dimension",
    "Interval",
    "Measures",
    "Part",
    "Summary",
    "SummaryRow",
    "TrendPoint",
    "agreements_as_of",
    "counted",
    "grouped",
    "reading",
    "summary",
    "summary_with_total",
    "trend",
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
MULTI_VALUED = {*PARTY_DIMENSIONS, *PROGRAM_DIMENSIONS, Dimension.ALLIANCE}
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


# --- the agreements counted, and their status, as of a date -------------------------------


def _status_changes(*, before: datetime | None = None, after: datetime | None = None) -> Any:
    h = HISTORY.c
    conditions = [
        h.subject_type == "agreement",
        h.subject_id == AGREEMENT.c.id,
        h.changes[("status", "new")].as_string().is_not(None),
    ]
    if before is not None:
        conditions.append(h.changed_at < before)
    if after is not None:
        conditions.append(h.changed_at >= after)
    return conditions


def _as_of_columns(day: date) -> tuple[ColumnElement[bool], ColumnElement[str]]:
    """Whether an agreement existed on `day`, and its status then (see the module's text)."""
    a, h = AGREEMENT.c, HISTORY.c
    end = end_of(day)
    last_before = (
        sa.select(h.changes[("status", "new")].as_string())
        .where(*_status_changes(before=end))
        .order_by(h.changed_at.desc(), h.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    first_after = (
        sa.select(h.changes[("status", "old")].as_string())
        .where(*_status_changes(after=end))
        .order_by(h.changed_at, h.id)
        .limit(1)
        .scalar_subquery()
    )
    has_history = sa.exists(sa.select(h.id).where(*_status_changes()))
    exists = sa.case(
        (has_history, a.created_at < end),
        else_=sa.or_(a.signed_on <= day, sa.and_(a.signed_on.is_(None), a.created_at < end)),
    )
    recorded = sa.func.coalesce(last_before, first_after, a.status)
    status = sa.case(
        (sa.and_(recorded.in_(IN_FORCE), a.effective_to < day), S.EXPIRED.value),
        (
            sa.and_(recorded == S.EXPIRED.value, a.effective_to >= day),
            sa.case(
                (sa.or_(a.effective_from.is_(None), a.effective_from <= day), S.ACTIVE.value),
                else_=S.SIGNED.value,
            ),
        ),
        (
            sa.and_(recorded == S.ACTIVE.value, a.effective_from > day),
            S.SIGNED.value,
        ),
        else_=recorded,
    )
    return exists == sa.true(), status


def agreements_as_of(
    viewer: Viewer, filter: AgreementFilter | None, as_of: date | None, *, rows: bool = False
) -> sa.Subquery:
    """The agreements counted (visible, matching `filter`, existing on `as_of`) with their
    `status` and whether they were `active` (in force, and within their period) on that day.
    Without `as_of`, today, read exactly as the `agreements` list reads it. With `rows`, the
    agreements listed (a reporter counts every agreement but lists none)."""
    a = AGREEMENT.c
    day = as_of or date.today()
    if as_of is None:
        status: ColumnElement[str] = effective_status(day)
        conditions = agreement_conditions(filter)
    else:
        exists, status = _as_of_columns(as_of)
        rest = replace(filter, status=None) if filter is not None else None
        conditions = [exists, *agreement_conditions(rest)]
        if filter is not None and filter.status:
            conditions.append(status.in_([s.value for s in filter.status]))
    active = sa.and_(
        status.in_(IN_FORCE), sa.or_(a.effective_from.is_(None), a.effective_from <= day)
    )
    return (
        sa.select(
            a.id,
            a.kind,
            status.label("status"),
            sa.case((active, 1), else_=0).label("active"),
            a.signed_on,
            a.effective_from,
            a.effective_to,
        )
        .where((visible if rows else counted)(viewer, AGREEMENT), *conditions)
        .subquery("counted_agreement")
    )


# --- per-agreement measures ----------------------------------------------------------------


def _on_or_before(column: ColumnElement[Any], as_of: date | None) -> list[ColumnElement[bool]]:
    if as_of is None:
        return []
    return [sa.or_(column.is_(None), column <= as_of)]


def _per_agreement(viewer: Viewer, as_of: date | None) -> sa.Subquery:
    """Every measure of each agreement, over the rows that count (agreements with none left
    out)."""
    p = PROGRAM.c
    programs = (
        sa.select(p.agreement_id, sa.func.count().label("programs"))
        .where(p.agreement_id.is_not(None), counted(viewer, PROGRAM))
        .where(*([p.created_at < end_of(as_of)] if as_of else []))
        .group_by(p.agreement_id)
        .subquery("m_programs")
    )
    enrolments = (
        sa.select(p.agreement_id, sa.func.count().label("enrolments"))
        .join_from(ENROLMENT, PROGRAM, PROGRAM.c.id == ENROLMENT.c.program_id)
        .where(counted(viewer, ENROLMENT), *_on_or_before(ENROLMENT.c.enrolled_on, as_of))
        .group_by(p.agreement_id)
        .subquery("m_enrolments")
    )
    earned = (
        sa.select(p.agreement_id, sa.func.sum(OUTCOME.c.credits).label("credits_earned"))
        .join_from(OUTCOME, PROGRAM, PROGRAM.c.id == OUTCOME.c.program_id)
        .where(counted(viewer, OUTCOME), *_on_or_before(OUTCOME.c.earned_on, as_of))
        .group_by(p.agreement_id)
        .subquery("m_earned")
    )
    recognised = (
        sa.select(
            RULE.c.agreement_id, sa.func.sum(RECOGNITION.c.credits).label("credits_recognised")
        )
        .join_from(RECOGNITION, RULE, RULE.c.id == RECOGNITION.c.rule_id)
        .where(counted(viewer, RECOGNITION), *_on_or_before(RECOGNITION.c.recognised_on, as_of))
        .group_by(RULE.c.agreement_id)
        .subquery("m_recognised")
    )
    shares = (
        sa.select(SHARE.c.agreement_id, sa.func.count().label("resources_shared"))
        .where(counted(viewer, SHARE), *_on_or_before(SHARE.c.starts_on, as_of))
        .group_by(SHARE.c.agreement_id)
        .subquery("m_shares")
    )
    activities = (
        sa.select(ACTIVITY_AGREEMENT.c.agreement_id, sa.func.count().label("activities"))
        .join_from(ACTIVITY_AGREEMENT, ACTIVITY, ACTIVITY.c.id == ACTIVITY_AGREEMENT.c.activity_id)
        .where(counted(viewer, ACTIVITY), *_on_or_before(ACTIVITY.c.held_on, as_of))
        .group_by(ACTIVITY_AGREEMENT.c.agreement_id)
        .subquery("m_activities")
    )
    e = EVALUATION.c
    evaluations = (
        sa.select(
            e.agreement_id,
            sa.func.sum(e.score).label("score_sum"),
            sa.func.count(e.score).label("scores"),
        )
        .where(e.agreement_id.is_not(None), counted(viewer, EVALUATION))
        .where(*_on_or_before(e.period_end, as_of))
        .group_by(e.agreement_id)
        .subquery("m_evaluations")
    )
    parts = [
        (programs, ["programs"]),
        (enrolments, ["enrolments"]),
        (earned, ["credits_earned"]),
        (recognised, ["credits_recognised"]),
        (shares, ["resources_shared"]),
        (activities, ["activities"]),
        (evaluations, ["score_sum", "scores"]),
    ]
    # One table of every measure per agreement, so the agreements are joined once, not seven
    # times (at a million agreements, each hash join costs about as much as the scan).
    names = [n for _, found in parts for n in found]
    assert names == MEASURE_NAMES
    union = sa.union_all(
        *[
            sa.select(
                table.c.agreement_id,
                *[(table.c[n] if n in found else sa.literal(0)).label(n) for n in names],
            ).where(table.c.agreement_id.is_not(None))
            for table, found in parts
        ]
    ).subquery("measure_rows")
    return (
        sa.select(union.c.agreement_id, *[sa.func.sum(union.c[n]).label(n) for n in names])
        .group_by(union.c.agreement_id)
        .subquery("measure")
    )


MEASURE_NAMES = [
    "programs",
    "enrolments",
    "credits_earned",
    "credits_recognised",
    "resources_shared",
    "activities",
    "score_sum",
    "scores",
]


def _funding_by_agreement(viewer: Viewer, as_of: date | None) -> sa.Subquery:
    """Funding given to each agreement: to the agreement itself, or to a program run under it."""
    f, p = FUNDING.c, PROGRAM.c
    conditions = [counted(viewer, FUNDING), *_on_or_before(f.awarded_on, as_of)]
    direct = sa.select(f.agreement_id, f.currency, f.amount, f.awarded_on).where(
        f.agreement_id.is_not(None), *conditions
    )
    through_program = (
        sa.select(p.agreement_id, f.currency, f.amount, f.awarded_on)
        .join_from(FUNDING, PROGRAM, p.id == f.program_id)
        .where(f.agreement_id.is_(None), p.agreement_id.is_not(None), *conditions)
    )
    return sa.union_all(direct, through_program).subquery("funding_given")


# --- grouping ------------------------------------------------------------------------------


def grouped(
    viewer: Viewer, base: sa.Subquery, dimensions: Sequence[Dimension], as_of: date | None
) -> sa.Subquery:
    """One row per counted agreement and combination of its dimension values."""
    columns: list[ColumnElement[Any]] = [
        base.c.id.label("agreement_id"),
        base.c.status,
        base.c.active,
    ]
    source: Any = base
    party = PARTY.alias("g_party")
    organization = ORGANIZATION.alias("g_organization")
    if any(d in PARTY_DIMENSIONS or d is Dimension.ALLIANCE for d in dimensions):
        source = source.outerjoin(party, party.c.agreement_id == base.c.id).outerjoin(
            organization, organization.c.id == party.c.organization_id
        )
    if Dimension.ALLIANCE in dimensions:
        m = MEMBERSHIP.alias("g_membership")
        current = (
            [m.c.left_on.is_(None)]
            if as_of is None
            else [
                sa.or_(m.c.joined_on.is_(None), m.c.joined_on <= as_of),
                sa.or_(m.c.left_on.is_(None), m.c.left_on > as_of),
            ]
        )
        source = source.outerjoin(m, sa.and_(m.c.organization_id == organization.c.id, *current))
        alliance_column = m.c.alliance_id
    if any(d in PROGRAM_DIMENSIONS for d in dimensions):
        program = PROGRAM.alias("g_program")
        # Programs are public (the catalogue): no visibility condition to add.
        source = source.outerjoin(program, program.c.agreement_id == base.c.id)
    for d in dimensions:
        expression: ColumnElement[Any]
        if d is Dimension.AGREEMENT_KIND:
            expression = base.c.kind
        elif d is Dimension.STATUS:
            expression = base.c.status
        elif d in PARTY_DIMENSIONS:
            expression = organization.c[PARTY_DIMENSIONS[d]]
        elif d is Dimension.ALLIANCE:
            expression = alliance_column
        elif d in PROGRAM_DIMENSIONS:
            expression = program.c[PROGRAM_DIMENSIONS[d]]
        elif d is Dimension.SIGNED_YEAR:
            expression = period_key(base.c.signed_on, Interval.YEAR)
        elif d is Dimension.SIGNED_QUARTER:
            expression = period_key(base.c.signed_on, Interval.QUARTER)
        elif d is Dimension.START_YEAR:
            expression = period_key(base.c.effective_from, Interval.YEAR)
        else:
            expression = period_key(base.c.effective_from, Interval.QUARTER)
        columns.append(expression.label(f"d_{d.value}"))
    statement = sa.select(*columns).select_from(source)
    if MULTI_VALUED & set(dimensions):
        statement = statement.distinct()
    return statement.subquery("grouped")


@dataclass
class Measures:
    agreements: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    active: int = 0
    parties: int = 0
    programs: int = 0
    enrolments: int = 0
    credits_earned: Decimal = Decimal(0)
    credits_recognised: Decimal = Decimal(0)
    resources_shared: int = 0
    activities: int = 0
    mean_score: Decimal | None = None
    funding: dict[str, Decimal] = field(default_factory=dict)
    score_sum: Decimal = Decimal(0)
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
            self.funding[currency] = self.funding.get(currency, Decimal(0)) + amount
        self.score_sum += other.score_sum
        self.scores += other.scores
        self.mean_score = _mean(self.score_sum, self.scores)


@dataclass
class SummaryRow:
    """One group: the value of each dimension asked for (`None` where the agreement has none)
    and its measures."""

    keys: dict[Dimension, str | None]
    labels: dict[Dimension, str | None]
    measures: Measures


def _fold(measures: Measures, row: Any, *, activity: bool) -> None:
    """Adds one (group, status) row of the main summary query to its group's measures, in
    place (a `Measures` per row and `add` cost more than the query at 10,000 agreements)."""
    n = int(row["agreements"])
    measures.agreements += n
    measures.by_status[row["status"]] = measures.by_status.get(row["status"], 0) + n
    measures.active += int(row["active"] or 0)
    if not activity:
        return
    measures.programs += int(row["programs"] or 0)
    measures.enrolments += int(row["enrolments"] or 0)
    measures.credits_earned += _decimal(row["credits_earned"])
    measures.credits_recognised += _decimal(row["credits_recognised"])
    measures.resources_shared += int(row["resources_shared"] or 0)
    measures.activities += int(row["activities"] or 0)
    measures.score_sum += _decimal(row["score_sum"])
    measures.scores += int(row["scores"] or 0)
    measures.mean_score = _mean(measures.score_sum, measures.scores)


def _key_text(dimension: Dimension, value: Any) -> str | None:
    if value is None:
        return None
    if dimension in (Dimension.SIGNED_QUARTER, Dimension.START_QUARTER):
        return f"{int(value) // 10}-Q{int(value) % 10}"
    if dimension is Dimension.ALLIANCE:
        return encode_id("Alliance", int(value))
    return str(value)


def _decimal(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(value)


def _mean(total: Decimal, n: int) -> Decimal | None:
    return (total / n).quantize(Decimal("0.01")) if n else None


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


class Part(StrEnum):
    """Families of figures, each its own SQL work; a caller computes only those it asks for."""

    ACTIVITY = "activity"
    """programs, enrolments, credits, resource shares, activities, evaluation scores"""
    PARTIES = "parties"
    FUNDING = "funding"


ALL_PARTS = frozenset(Part)


async def summary_with_total(
    *,
    engine: AsyncEngine,
    viewer: Viewer,
    filter: AgreementFilter | None,
    group_by: Sequence[Dimension],
    as_of: date | None,
    parts: frozenset[Part] = ALL_PARTS,
) -> Summary:
    """The groups and the total. When every dimension has one value per agreement, the total is
    the sum of the groups (each agreement is in exactly one), and only its distinct parties are
    counted again; otherwise the total is a summary of its own."""
    dimensions = list(dict.fromkeys(group_by))
    args: dict[str, Any] = {
        "engine": engine,
        "viewer": viewer,
        "filter": filter,
        "as_of": as_of,
        "parts": parts,
    }
    if not dimensions or MULTI_VALUED & set(dimensions):
        totals = await summary(group_by=[], **args)
        total = totals[0].measures if totals else Measures()
        groups = await summary(group_by=dimensions, **args) if dimensions else []
        return Summary(total=total, groups=groups)
    groups = await summary(group_by=dimensions, **args)
    total = Measures(by_status={s: 0 for s in STATUSES})
    for group in groups:
        total.add(group.measures)
    if groups and Part.PARTIES in parts:
        base = agreements_as_of(viewer, filter, as_of)
        parties = sa.select(sa.func.count(sa.distinct(PARTY.c.organization_id))).where(
            PARTY.c.agreement_id.in_(sa.select(base.c.id))
        )
        async with reading(engine) as connection:
            total.parties = int(await connection.scalar(parties) or 0)
    return Summary(total=total, groups=groups)


_summary_cache: Bounded[str, tuple[sa.Select[Any], sa.Select[Any], sa.Select[Any]]] = Bounded(256)
"""Summary statements by caller, filter, dimensions, date and figures asked for: building them
cost a quarter of a summary's time at 10,000 agreements (bench/RESULTS.md); a statement built
once also skips SQLAlchemy's cache-key walk on every later run."""


def _summary_statements(
    viewer: Viewer,
    filter: AgreementFilter | None,
    dimensions: list[Dimension],
    as_of: date | None,
    parts: frozenset[Part],
) -> tuple[sa.Select[Any], sa.Select[Any], sa.Select[Any]]:
    """The grouped counts (and activity measures), the distinct parties and the funding."""
    key = repr((viewer, filter, dimensions, as_of, sorted(parts), date.today()))
    found = _summary_cache.get(key)
    if found is not None:
        return found
    base = agreements_as_of(viewer, filter, as_of)
    g = grouped(viewer, base, dimensions, as_of)
    keys = [g.c[f"d_{d.value}"] for d in dimensions]
    source: Any = g
    measure_columns: list[ColumnElement[Any]] = []
    if Part.ACTIVITY in parts:
        measure = _per_agreement(viewer, as_of)
        source = source.outerjoin(measure, measure.c.agreement_id == g.c.agreement_id)
        measure_columns += [
            sa.func.sum(column).label(column.name)
            for column in measure.c
            if column.name != "agreement_id"
        ]
    else:
        measure_columns += [sa.literal(None).label(n) for n in MEASURE_NAMES]
    # Grouped by status too, and folded into one row per group below: one CASE per status per
    # row cost more than the scan itself at a million agreements.
    main = (
        sa.select(
            *keys,
            g.c.status,
            sa.func.count().label("agreements"),
            sa.func.sum(g.c.active).label("active"),
            *measure_columns,
        )
        .select_from(source)
        .group_by(*keys, g.c.status)
        .order_by(*keys)
    )
    party = PARTY.alias("p_party")
    parties = (
        sa.select(*keys, sa.func.count(sa.distinct(party.c.organization_id)).label("parties"))
        .select_from(g.join(party, party.c.agreement_id == g.c.agreement_id))
        .group_by(*keys)
    )
    given = _funding_by_agreement(viewer, as_of)
    funding = (
        sa.select(*keys, given.c.currency, sa.func.sum(given.c.amount).label("amount"))
        .select_from(g.join(given, given.c.agreement_id == g.c.agreement_id))
        .group_by(*keys, given.c.currency)
        .order_by(given.c.currency)
    )
    return _summary_cache.put(key, (main, parties, funding))


async def summary(
    *,
    engine: AsyncEngine,
    viewer: Viewer,
    filter: AgreementFilter | None,
    group_by: Sequence[Dimension],
    as_of: date | None,
    parts: frozenset[Part] = ALL_PARTS,
) -> list[SummaryRow]:
    """The measures per group of `group_by`, ordered by the groups' keys; with no dimensions,
    one row of totals (each agreement counted once)."""
    dimensions = list(dict.fromkeys(group_by))
    if len(dimensions) > MAX_DIMENSIONS:
        raise BadUserInput(f"group by at most {MAX_DIMENSIONS} dimensions", field="groupBy")
    main, parties, funding = _summary_statements(viewer, filter, dimensions, as_of, parts)
    width = len(dimensions)
    rows: dict[tuple[Any, ...], SummaryRow] = {}
    async with reading(engine) as connection:
        for row in (await connection.execute(main)).all():
            values = tuple(row[:width])
            found = rows.get(values)
            if found is None:
                found = rows[values] = SummaryRow(
                    keys={d: _key_text(d, v) for d, v in zip(dimensions, values, strict=True)},
                    labels={},
                    measures=Measures(by_status=dict.fromkeys(STATUSES, 0)),
                )
            _fold(found.measures, row._mapping, activity=Part.ACTIVITY in parts)
        if not rows:
            return []
        for row in (await connection.execute(parties)).all() if Part.PARTIES in parts else []:
            found = rows.get(tuple(row[:width]))
            if found is not None:
                found.measures.parties = int(row[width])
        for row in (await connection.execute(funding)).all() if Part.FUNDING in parts else []:
            found = rows.get(tuple(row[:width]))
            if found is not None:
                found.measures.funding[row[width]] = _decimal(row[width + 1])
        if Dimension.ALLIANCE in dimensions:
            await _label_alliances(connection, rows.values())
    return list(rows.values())


async def _label_alliances(connection: Any, rows: Any) -> None:
    from resolvers.ids import decode_id

    for row in rows:
        key = row.keys.get(Dimension.ALLIANCE)
        row.labels[Dimension.ALLIANCE] = None
        if key is not None:
            row.labels[Dimension.ALLIANCE] = await connection.scalar(
                sa.select(ALLIANCE.c.name).where(ALLIANCE.c.id == decode_id(key)[1])
            )


# --- trend ---------------------------------------------------------------------------------


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
    credits_earned: Decimal = Decimal(0)
    credits_recognised: Decimal = Decimal(0)
    activities: int = 0
    evaluations: int = 0
    funding: dict[str, Decimal] = field(default_factory=dict)


MAX_PERIODS = 400


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
) -> list[TrendPoint]:
    """The flows of each period from `start` to `end` over the agreements `filter` selects
    (and what hangs off them), periods without any as zeros; one statement."""
    found = periods(interval, start, end)
    first_day, last_day = found[0][2], found[-1][3]
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
    given = _funding_by_agreement(viewer, None)
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
    points = {key: TrendPoint(period=name, starts_on=s, ends_on=e) for key, name, s, e in found}
    async with reading(engine) as connection:
        for measure, key, value in (await connection.execute(sa.union_all(*branches))).all():
            point = points.get(int(key))
            if point is None:
                continue
            if measure.startswith("funding:"):
                point.funding[measure.removeprefix("funding:")] = _decimal(value)
            elif measure in ("credits_earned", "credits_recognised"):
                setattr(point, measure, _decimal(value))
            else:
                setattr(point, measure, int(value))
    return list(points.values())
