"""The SQL pieces a summary groups and measures: `grouped` (one row per counted agreement and
combination of its dimension values), `per_agreement` (every activity measure of each agreement,
over the rows that count, up to an as-of date) and `funding_by_agreement` (funding given to each
agreement, directly or through its programs). Summaries in Python (`resolvers.reports`), in SQL
JSON (`resolvers.compiled.summaries`) and the trends (`resolvers.report_trends`) build on them.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from resolvers.report_terms import (
    ACTIVITY,
    ACTIVITY_AGREEMENT,
    ENROLMENT,
    EVALUATION,
    FUNDING,
    MEMBERSHIP,
    MULTI_VALUED,
    ORGANIZATION,
    OUTCOME,
    PARTY,
    PARTY_DIMENSIONS,
    PROGRAM,
    PROGRAM_DIMENSIONS,
    RECOGNITION,
    RULE,
    SHARE,
    Dimension,
    Interval,
    counted,
    end_of,
    period_key,
)
from resolvers.units import top_level
from resolvers.viewer import Viewer

__all__ = ["MEASURE_NAMES", "funding_by_agreement", "grouped", "per_agreement"]


def _on_or_before(column: ColumnElement[Any], as_of: date | None) -> list[ColumnElement[bool]]:
    if as_of is None:
        return []
    return [sa.or_(column.is_(None), column <= as_of)]


def per_agreement(viewer: Viewer, as_of: date | None) -> sa.Subquery:
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


def funding_by_agreement(viewer: Viewer, as_of: date | None) -> sa.Subquery:
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
    through_parties = (Dimension.ALLIANCE, Dimension.INSTITUTION)
    if any(d in PARTY_DIMENSIONS or d in through_parties for d in dimensions):
        source = source.outerjoin(party, party.c.agreement_id == base.c.id).outerjoin(
            organization, organization.c.id == party.c.organization_id
        )
    if Dimension.INSTITUTION in dimensions:
        institution = top_level()
        source = source.outerjoin(institution, institution.c.unit_id == organization.c.id)
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
        elif d is Dimension.INSTITUTION:
            expression = institution.c.institution_id
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
