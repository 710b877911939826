"""Indicators with targets: periods, the value of an indicator in a period, its progress.

An indicator belongs to an alliance or a program (or is one of the five standard ones, which
belong to nobody). Its value for a period is found by its computation:

- `MANUAL`: the sum of the `actual` values recorded for it (`recordIndicatorValue`) in the
  evaluations whose period ends within the period (reports date an evaluation by its end);
  null when none was recorded.
- counted in SQL from the records of its owner, whose dates fall within the period:
  `AGREEMENTS_SIGNED` (agreements by their signing day: for an alliance, those with a party
  that is a member during the period or a unit of one; for a program, the agreement it runs
  under and the agreements implementing it), `CREDITS_RECOGNISED` (credits of the ledger's
  `recognised` entries by the day recorded: for an alliance, counted at a member or a unit of
  one; for a program, under a rule that recognises into it), `ENROLMENTS` (by the day
  enrolled: in the program, or in programs an alliance member is a partner of),
  `ACTIVITIES` (by the day held: the alliance's own activities, or those concerning the
  program) and `PARTICIPANTS` (the participations in those activities). A count is 0 when
  nothing matched.

Every count reads only what the caller may count (`resolvers.report_terms.counted`: reporters
count everything, other callers what they see), as the cooperation summaries do. The target is
the one set for exactly that period (`2026-Q1` does not split a target of `2026`); the gap is
how far the value is from it, in the indicator's direction: target - value when higher is
better, value - target when lower is; zero or less means the target is met.
"""

import calendar
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db import tables as t
from db.base import table_of
from db.enums import CreditEntryKind, IndicatorComputation, IndicatorDirection
from resolvers.context import Context
from resolvers.errors import BadUserInput, NotFound, excerpt
from resolvers.report_terms import counted
from resolvers.units import UNIT
from resolvers.viewer import Viewer
from resolvers.write_scope import load_for_write, require_change
from resolvers.writes import delete_row, insert_row, update_row

__all__ = [
    "INDICATOR",
    "TARGET",
    "Period",
    "Progress",
    "check_write",
    "indicator_ids",
    "indicator_ids_of",
    "parse_period",
    "progress_of",
    "record_value",
    "remove_target",
    "set_target",
    "standard",
    "targets_of",
]

INDICATOR = table_of(t.Indicator)
TARGET = table_of(t.IndicatorTarget)
MEASURE = table_of(t.EvaluationMeasure)
EVALUATION = table_of(t.Evaluation)
AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
MEMBERSHIP = table_of(t.Membership)
PROGRAM = table_of(t.Program)
PARTNER = table_of(t.ProgramPartner)
ENTRY = table_of(t.CreditEntry)
RULE = table_of(t.RecognitionRule)
ENROLMENT = table_of(t.Enrolment)
ACTIVITY = table_of(t.Activity)
ACTIVITY_PROGRAM = table_of(t.ActivityProgram)
PARTICIPANT = table_of(t.ActivityParticipant)

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|H([12])|(0[1-9]|1[0-2])))?$")


class IndicatorNotApplicable(BadUserInput):
    code = "INDICATOR_NOT_APPLICABLE"


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period: a year (`2026`), a quarter (`2026-Q1`), a half (`2026-H2`) or a month
    (`2026-03`), with its first and last day."""

    text: str
    start: date
    end: date


def parse_period(text: str, *, field: str = "period") -> Period:
    """The period `text` names; `BadUserInput` for any other format."""
    found = _PERIOD.match(text.strip())
    if found is None:
        raise BadUserInput(
            f"{excerpt(text)} is not a period: give a year (2026), a quarter (2026-Q1), a "
            "half (2026-H2) or a month (2026-03)",
            field=field,
        )
    year, quarter, half, month = found.groups()
    y = int(year)
    if quarter is not None:
        first, last = 3 * int(quarter) - 2, 3 * int(quarter)
    elif half is not None:
        first, last = 6 * int(half) - 5, 6 * int(half)
    elif month is not None:
        first = last = int(month)
    else:
        first, last = 1, 12
    end = date(y, last, calendar.monthrange(y, last)[1])
    return Period(found.group(0), date(y, first, 1), end)


async def check_write(
    connection: AsyncConnection, current: Mapping[Any, Any] | None, values: Mapping[str, Any]
) -> None:
    """An indicator belongs to one alliance or one program (the standard ones, to nobody, are
    made by their migration only); its name and unit are not blank."""
    row = {**(current or {}), **values}
    if row.get("code") is None and (row.get("alliance_id") is None) == (
        row.get("program_id") is None
    ):
        raise BadUserInput(
            "an indicator belongs to exactly one alliance or program: give one of them",
            field="alliance",
        )
    for column in ("name", "unit"):
        if column in values and not str(values[column] or "").strip():
            raise BadUserInput(f"an indicator's {column} cannot be blank", field=column)
    fixed = {"alliance_id", "program_id", "computation"} & set(values)
    if current is not None and current.get("code") is not None and fixed:
        raise BadUserInput(
            "a standard indicator keeps its owner (none) and its computation (MANUAL)",
            field="computation",
        )


@dataclass(frozen=True, slots=True)
class Progress:
    indicator_id: int
    period: Period
    value: Decimal | None
    target: Decimal | None
    target_set: bool
    direction: str

    @property
    def gap(self) -> Decimal | None:
        if self.value is None or self.target is None:
            return None
        if self.direction == IndicatorDirection.LOWER_IS_BETTER.value:
            return self.value - self.target
        return self.target - self.value

    @property
    def met(self) -> bool | None:
        gap = self.gap
        return None if gap is None else gap <= 0


def _within(column: ColumnElement[Any], period: Period) -> ColumnElement[bool]:
    return sa.and_(column >= period.start, column <= period.end)


def _members(indicator: sa.FromClause, period: Period) -> sa.Select[tuple[int]]:
    """The organizations, and their units at any depth, that are members of the indicator's
    alliance at some time in the period."""
    return (
        sa.select(UNIT.c.unit_id)
        .join(MEMBERSHIP, MEMBERSHIP.c.organization_id == UNIT.c.ancestor_id)
        .where(
            MEMBERSHIP.c.alliance_id == indicator.c.alliance_id,
            sa.or_(MEMBERSHIP.c.joined_on.is_(None), MEMBERSHIP.c.joined_on <= period.end),
            sa.or_(MEMBERSHIP.c.left_on.is_(None), MEMBERSHIP.c.left_on >= period.start),
        )
        .correlate(indicator)
    )


Counter = Callable[[sa.FromClause, Period, Viewer], sa.Select[Any]]
"""The select giving, per indicator row of `indicator` (its `id`), the counted value."""


def _agreements_signed(ind: sa.FromClause, period: Period, viewer: Viewer) -> sa.Select[Any]:
    party = PARTY.alias("counted_party")
    program = PROGRAM.alias("counted_program")
    owned = sa.or_(
        sa.exists().where(
            party.c.agreement_id == AGREEMENT.c.id,
            party.c.organization_id.in_(_members(ind, period)),
        ),
        sa.exists()
        .where(
            program.c.id == ind.c.program_id,
            sa.or_(
                AGREEMENT.c.id == program.c.agreement_id,
                AGREEMENT.c.parent_id == program.c.agreement_id,
            ),
        )
        .correlate(ind, AGREEMENT),
    )
    return sa.select(sa.func.count(AGREEMENT.c.id)).where(
        _within(AGREEMENT.c.signed_on, period), owned, counted(viewer, AGREEMENT)
    )


def _credits_recognised(ind: sa.FromClause, period: Period, viewer: Viewer) -> sa.Select[Any]:
    owned = sa.or_(
        ENTRY.c.organization_id.in_(_members(ind, period)),
        ENTRY.c.rule_id.in_(
            sa.select(RULE.c.id).where(RULE.c.to_program_id == ind.c.program_id).correlate(ind)
        ),
    )
    return sa.select(sa.func.coalesce(sa.func.sum(ENTRY.c.credits), 0)).where(
        ENTRY.c.kind == CreditEntryKind.RECOGNISED.value,
        _within(ENTRY.c.recorded_on, period),
        owned,
        counted(viewer, ENTRY),
    )


def _enrolments(ind: sa.FromClause, period: Period, viewer: Viewer) -> sa.Select[Any]:
    of_members = sa.select(PARTNER.c.program_id).where(
        PARTNER.c.organization_id.in_(_members(ind, period))
    )
    owned = sa.or_(
        ENROLMENT.c.program_id == ind.c.program_id, ENROLMENT.c.program_id.in_(of_members)
    )
    return sa.select(sa.func.count(ENROLMENT.c.id)).where(
        _within(ENROLMENT.c.enrolled_on, period), owned, counted(viewer, ENROLMENT)
    )


def _activities_of(ind: sa.FromClause, period: Period) -> ColumnElement[bool]:
    return sa.and_(
        _within(ACTIVITY.c.held_on, period),
        sa.or_(
            ACTIVITY.c.alliance_id == ind.c.alliance_id,
            ACTIVITY.c.id.in_(
                sa.select(ACTIVITY_PROGRAM.c.activity_id)
                .where(ACTIVITY_PROGRAM.c.program_id == ind.c.program_id)
                .correlate(ind)
            ),
        ),
    )


def _activities(ind: sa.FromClause, period: Period, viewer: Viewer) -> sa.Select[Any]:
    return sa.select(sa.func.count(ACTIVITY.c.id)).where(
        _activities_of(ind, period), counted(viewer, ACTIVITY)
    )


def _participants(ind: sa.FromClause, period: Period, viewer: Viewer) -> sa.Select[Any]:
    activities = (
        sa.select(ACTIVITY.c.id)
        .where(_activities_of(ind, period), counted(viewer, ACTIVITY))
        .correlate(ind)
    )
    return sa.select(sa.func.count(PARTICIPANT.c.id)).where(
        PARTICIPANT.c.activity_id.in_(activities), counted(viewer, PARTICIPANT)
    )


def _manual(ind: sa.FromClause, period: Period, viewer: Viewer) -> sa.Select[Any]:
    return (
        sa.select(sa.func.sum(MEASURE.c.actual))
        .join(EVALUATION, EVALUATION.c.id == MEASURE.c.evaluation_id)
        .where(
            MEASURE.c.indicator_id == ind.c.id,
            _within(EVALUATION.c.period_end, period),
            counted(viewer, EVALUATION),
        )
    )


COUNTERS: dict[IndicatorComputation, Counter] = {
    IndicatorComputation.MANUAL: _manual,
    IndicatorComputation.AGREEMENTS_SIGNED: _agreements_signed,
    IndicatorComputation.CREDITS_RECOGNISED: _credits_recognised,
    IndicatorComputation.ENROLMENTS: _enrolments,
    IndicatorComputation.ACTIVITIES: _activities,
    IndicatorComputation.PARTICIPANTS: _participants,
}


def _progress_statement(ids: Sequence[int], period: Period, viewer: Viewer) -> sa.Select[Any]:
    """One statement: every indicator of `ids` with its value (a CASE over its computation,
    each branch a correlated subquery) and its target for the period."""
    ind = INDICATOR
    value = sa.case(
        *(
            (ind.c.computation == computation.value, counter(ind, period, viewer).scalar_subquery())
            for computation, counter in COUNTERS.items()
        ),
        else_=sa.null(),
    )
    target = (
        sa.select(TARGET.c.target)
        .where(TARGET.c.indicator_id == ind.c.id, TARGET.c.period == period.text)
        .scalar_subquery()
    )
    target_set = sa.exists().where(
        TARGET.c.indicator_id == ind.c.id, TARGET.c.period == period.text
    )
    return sa.select(
        ind.c.id,
        ind.c.direction,
        value.label("value"),
        target.label("target"),
        target_set.label("target_set"),
    ).where(ind.c.id.in_(list(ids)))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def progress_of(ctx: Context, period: Period) -> DataLoader[int, Progress]:
    """The progress of each indicator (by id) in `period`: one statement per request and
    period, however many indicators are asked for."""

    async def batch(keys: Sequence[int]) -> list[Progress]:
        statement = _progress_statement(keys, period, ctx.viewer)
        async with ctx.engine.connect() as connection:
            rows = {row["id"]: row for row in (await connection.execute(statement)).mappings()}
        return [
            Progress(
                indicator_id=key,
                period=period,
                value=_decimal(rows[key]["value"]),
                target=_decimal(rows[key]["target"]),
                target_set=bool(rows[key]["target_set"]),
                direction=rows[key]["direction"],
            )
            for key in keys
        ]

    loader: DataLoader[int, Progress] = ctx.loaders.lists(("indicator_progress", period), batch)
    return loader


def targets_of(ctx: Context) -> DataLoader[int, list[RowMapping]]:
    """The targets of each indicator, by period."""

    async def batch(keys: Sequence[int]) -> list[list[RowMapping]]:
        statement = (
            ctx.reader.select(TARGET)
            .where(TARGET.c.indicator_id.in_(list(keys)))
            .order_by(TARGET.c.period)
        )
        found: dict[int, list[RowMapping]] = {k: [] for k in keys}
        async with ctx.engine.connect() as connection:
            for row in (await connection.execute(statement)).mappings():
                found[row["indicator_id"]].append(row)
        return [found[k] for k in keys]

    loader: DataLoader[int, list[RowMapping]] = ctx.loaders.lists("indicator_targets", batch)
    return loader


async def _changeable_indicator(
    connection: AsyncConnection, viewer: Viewer, key: int, doing: str, field: str = "indicator"
) -> RowMapping:
    row = await load_for_write(connection, viewer, "Indicator", key, field=field)
    await require_change(connection, viewer, "Indicator", row, field=field, doing=doing)
    return row


def _non_negative(value: Decimal | None, field: str) -> None:
    if value is not None and value < 0:
        raise BadUserInput(f"{field} cannot be negative: indicators count things", field=field)
    if value is not None and abs(value) >= Decimal(10) ** 16:
        raise BadUserInput(f"{field} must be below {Decimal(10) ** 16:,}", field=field)


async def set_target(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    indicator_id: int,
    period: str,
    target: Decimal | None,
    notes: str | None,
) -> RowMapping:
    """Sets the indicator's target for one period (null: none is known), replacing any."""
    found = parse_period(period)
    _non_negative(target, "target")
    await _changeable_indicator(connection, viewer, indicator_id, "set this indicator's targets")
    existing = (
        (
            await connection.execute(
                sa.select(TARGET).where(
                    TARGET.c.indicator_id == indicator_id, TARGET.c.period == found.text
                )
            )
        )
        .mappings()
        .first()
    )
    values: dict[str, Any] = {"target": target, "notes": notes}
    if existing is None:
        values |= {"indicator_id": indicator_id, "period": found.text}
        return await insert_row(connection, TARGET, values, actor=viewer.label)
    return await update_row(
        connection, TARGET, existing["id"], existing["version"], values, actor=viewer.label
    )


async def remove_target(
    connection: AsyncConnection, viewer: Viewer, *, indicator_id: int, period: str
) -> RowMapping:
    found = parse_period(period)
    await _changeable_indicator(connection, viewer, indicator_id, "set this indicator's targets")
    existing = (
        (
            await connection.execute(
                sa.select(TARGET).where(
                    TARGET.c.indicator_id == indicator_id, TARGET.c.period == found.text
                )
            )
        )
        .mappings()
        .first()
    )
    if existing is None:
        raise NotFound(f"this indicator has no target for {found.text}", field="period")
    return await delete_row(
        connection, TARGET, existing["id"], existing["version"], actor=viewer.label, what="target"
    )


async def record_value(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    evaluation_id: int,
    indicator_id: int,
    actual: Decimal | None,
    target: Decimal | None,
) -> RowMapping:
    """Records a MANUAL indicator's value (and the target the evaluation held it to) in an
    evaluation, replacing the one recorded there. The indicator must be a standard one, or
    belong to the program or alliance evaluated."""
    _non_negative(actual, "actual")
    _non_negative(target, "target")
    evaluation = await load_for_write(
        connection, viewer, "Evaluation", evaluation_id, field="evaluation"
    )
    await require_change(
        connection,
        viewer,
        "Evaluation",
        evaluation,
        field="evaluation",
        doing="record values in this evaluation",
    )
    indicator = await load_for_write(
        connection, viewer, "Indicator", indicator_id, field="indicator"
    )
    if indicator["computation"] != IndicatorComputation.MANUAL.value:
        raise IndicatorNotApplicable(
            f"{excerpt(indicator['name'])} is counted from the data "
            f"({str(indicator['computation']).upper()}): only MANUAL indicators take values",
            field="indicator",
        )
    owner_matches = (
        indicator["code"] is not None
        or (
            indicator["program_id"] is not None
            and indicator["program_id"] == evaluation["program_id"]
        )
        or (
            indicator["alliance_id"] is not None
            and indicator["alliance_id"] == evaluation["alliance_id"]
        )
    )
    if not owner_matches:
        raise IndicatorNotApplicable(
            f"{excerpt(indicator['name'])} is not an indicator of what this evaluation "
            "evaluates: use a standard indicator or one of the program or alliance evaluated",
            field="indicator",
        )
    where = sa.and_(
        MEASURE.c.evaluation_id == evaluation_id, MEASURE.c.indicator_id == indicator_id
    )
    existing = await connection.scalar(sa.select(MEASURE.c.id).where(where))
    values = {"actual": actual, "target": target}
    if existing is None:
        statement: Any = sa.insert(MEASURE).values(
            evaluation_id=evaluation_id, indicator_id=indicator_id, **values
        )
    else:
        statement = sa.update(MEASURE).where(MEASURE.c.id == existing).values(**values)
    await connection.execute(statement)
    return (await connection.execute(sa.select(MEASURE).where(where))).mappings().one()


async def standard(ctx: Context) -> list[RowMapping]:
    """The five standard indicators, by name."""
    statement = (
        ctx.reader.select(INDICATOR)
        .where(INDICATOR.c.code.is_not(None))
        .order_by(INDICATOR.c.name, INDICATOR.c.id)
    )
    async with ctx.engine.connect() as connection:
        return list((await connection.execute(statement)).mappings())


def indicator_ids_of(ctx: Context, owner: str) -> DataLoader[int, list[int]]:
    """The ids of each alliance's or program's (`owner`: `alliance_id` or `program_id`)
    indicators, by name."""
    column = INDICATOR.c[owner]

    async def batch(keys: Sequence[int]) -> list[list[int]]:
        statement = (
            ctx.reader.select(INDICATOR)
            .where(column.in_(list(keys)))
            .order_by(INDICATOR.c.name, INDICATOR.c.id)
        )
        found: dict[int, list[int]] = {k: [] for k in keys}
        async with ctx.engine.connect() as connection:
            for row in (await connection.execute(statement)).mappings():
                found[row[owner]].append(row["id"])
        return [found[k] for k in keys]

    loader: DataLoader[int, list[int]] = ctx.loaders.lists(("indicator_ids", owner), batch)
    return loader


async def indicator_ids(
    ctx: Context, *, alliance_id: int | None, program_id: int | None
) -> list[int]:
    """The indicators of the alliance or the program (exactly one given), by name."""
    if (alliance_id is None) == (program_id is None):
        raise BadUserInput("give an alliance or a program", field="alliance")
    if alliance_id is not None:
        return await indicator_ids_of(ctx, "alliance_id").load(alliance_id)
    assert program_id is not None
    return await indicator_ids_of(ctx, "program_id").load(program_id)
