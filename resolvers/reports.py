"""Cooperation summaries, computed in SQL: one GROUP BY per figure family (`Part`), the
statements built once per caller, filter, dimensions, date and figures asked for, and the rows
folded into one `SummaryRow` per group (`summary`), with the total (`summary_with_total`). What
counts and how is in `resolvers.report_terms`, `resolvers.report_as_of` and
`resolvers.report_grouping`; the trends are in `resolvers.report_trends`.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from resolvers import report_rollups
from resolvers.agreements import AgreementFilter
from resolvers.decimals import scaled
from resolvers.errors import BadUserInput
from resolvers.ids import encode_id
from resolvers.memo import Bounded
from resolvers.report_as_of import agreements_as_of
from resolvers.report_grouping import MEASURE_NAMES, funding_by_agreement, grouped, per_agreement
from resolvers.report_rollups import SOURCE_KEY, note_source
from resolvers.report_terms import (
    ALL_PARTS,
    ALLIANCE,
    EVALUATION,
    FUNDING,
    LABELLED,
    MAX_DIMENSIONS,
    MULTI_VALUED,
    ORGANIZATION,
    OUTCOME,
    PARTY,
    RECOGNITION,
    STATUSES,
    Dimension,
    Measures,
    Part,
    Summary,
    SummaryRow,
    mean_score,
    reading,
)
from resolvers.viewer import Viewer

__all__ = ["summary", "summary_with_total"]


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
    measures.credits_earned += scaled(row["credits_earned"], OUTCOME.c.credits)
    measures.credits_recognised += scaled(row["credits_recognised"], RECOGNITION.c.credits)
    measures.resources_shared += int(row["resources_shared"] or 0)
    measures.activities += int(row["activities"] or 0)
    measures.score_sum += scaled(row["score_sum"], EVALUATION.c.score)
    measures.scores += int(row["scores"] or 0)
    measures.mean_score = mean_score(measures.score_sum, measures.scores)


def _key_text(dimension: Dimension, value: Any) -> str | None:
    if value is None:
        return None
    if dimension in (Dimension.SIGNED_QUARTER, Dimension.START_QUARTER):
        return f"{int(value) // 10}-Q{int(value) % 10}"
    if dimension in LABELLED:
        return encode_id(LABELLED[dimension], int(value))
    return str(value)


async def summary_with_total(
    *,
    engine: AsyncEngine,
    viewer: Viewer,
    filter: AgreementFilter | None,
    group_by: Sequence[Dimension],
    as_of: date | None,
    parts: frozenset[Part] = ALL_PARTS,
    rollups: bool = True,
) -> Summary:
    """The groups and the total. When every dimension has one value per agreement, the total is
    the sum of the groups (each agreement is in exactly one), and only its distinct parties are
    counted again; otherwise the total is a summary of its own. With `rollups`, read from the
    rollups where they answer exactly (`resolvers.report_rollups`); `Summary.source` says
    which source answered ("rollup", "scan" or "mixed": e.g. distinct parties by status
    are counted from the rows)."""
    dimensions = list(dict.fromkeys(group_by))
    sources: dict[str, object] = {}
    args: dict[str, Any] = {
        "engine": engine,
        "viewer": viewer,
        "filter": filter,
        "as_of": as_of,
        "parts": parts,
        "rollups": rollups,
        "sources": sources,
    }
    if not dimensions or MULTI_VALUED & set(dimensions):
        totals = await summary(group_by=[], **args)
        total = totals[0].measures if totals else Measures()
        groups = await summary(group_by=dimensions, **args) if dimensions else []
        return Summary(total=total, groups=groups, source=_source(sources))
    groups = await summary(group_by=dimensions, **args)
    total = Measures(by_status={s: 0 for s in STATUSES})
    for group in groups:
        total.add(group.measures)
    if groups and Part.PARTIES in parts:
        if rollups and report_rollups.parties_usable(viewer, filter, [], as_of):
            parties = sa.select(report_rollups.parties([]).subquery().c.parties)
            note_source(sources, "rollup")
        else:
            base = agreements_as_of(viewer, filter, as_of)
            parties = sa.select(sa.func.count(sa.distinct(PARTY.c.organization_id))).where(
                PARTY.c.agreement_id.in_(sa.select(base.c.id))
            )
            note_source(sources, "scan")
        async with reading(engine) as connection:
            total.parties = int(await connection.scalar(parties) or 0)
    return Summary(total=total, groups=groups, source=_source(sources))


def _source(sources: dict[str, object]) -> str:
    return str(sources.get(SOURCE_KEY, "scan"))


_summary_cache: Bounded[str, tuple[sa.Select[Any], sa.Select[Any], sa.Select[Any]]] = Bounded(
    256, name="report_statements"
)
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
        measure = per_agreement(viewer, as_of)
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
        .order_by(*[key.asc().nulls_last() for key in keys])
    )
    party = PARTY.alias("p_party")
    parties = (
        sa.select(*keys, sa.func.count(sa.distinct(party.c.organization_id)).label("parties"))
        .select_from(g.join(party, party.c.agreement_id == g.c.agreement_id))
        .group_by(*keys)
    )
    given = funding_by_agreement(viewer, as_of)
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
    rollups: bool = True,
    sources: dict[str, object] | None = None,
) -> list[SummaryRow]:
    """The measures per group of `group_by`, ordered by the groups' keys; with no dimensions,
    one row of totals (each agreement counted once). With `rollups`, the rollups answer where
    they can; `sources` (a response's extensions) learns which source answered."""
    dimensions = list(dict.fromkeys(group_by))
    if len(dimensions) > MAX_DIMENSIONS:
        raise BadUserInput(f"group by at most {MAX_DIMENSIONS} dimensions", field="groupBy")
    main, parties, funding = _summary_statements(viewer, filter, dimensions, as_of, parts)
    width = len(dimensions)
    rows: dict[tuple[Any, ...], SummaryRow] = {}
    noted: dict[str, object] = {} if sources is None else sources
    async with reading(engine) as connection:
        today = date.today()
        if (
            rollups
            and report_rollups.usable(viewer, filter, dimensions, as_of)
            and await report_rollups.window_holds(connection, today)
        ):
            main = report_rollups.main(dimensions, today)
            funding = report_rollups.funding(dimensions, today)
            note_source(noted, "rollup")
        else:
            note_source(noted, "scan")
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
        if Part.PARTIES in parts:
            if rollups and report_rollups.parties_usable(viewer, filter, dimensions, as_of):
                parties = report_rollups.parties(dimensions)
                note_source(noted, "rollup")
            else:
                note_source(noted, "scan")
        for row in (await connection.execute(parties)).all() if Part.PARTIES in parts else []:
            found = rows.get(tuple(row[:width]))
            if found is not None:
                found.measures.parties = int(row[width])
        for row in (await connection.execute(funding)).all() if Part.FUNDING in parts else []:
            found = rows.get(tuple(row[:width]))
            if found is not None:
                found.measures.funding[row[width]] = scaled(row[width + 1], FUNDING.c.amount)
        for dimension in LABELLED.keys() & set(dimensions):
            await _label(connection, dimension, rows.values())
    return list(rows.values())


async def _label(connection: Any, dimension: Dimension, rows: Any) -> None:
    """The names of the alliances or institutions the groups are keyed by, in one statement."""
    from resolvers.ids import decode_id

    table = ALLIANCE if dimension is Dimension.ALLIANCE else ORGANIZATION
    keys = {row.keys.get(dimension) for row in rows} - {None}
    ids = {key: decode_id(key)[1] for key in keys}
    names = (
        dict(
            (
                await connection.execute(
                    sa.select(table.c.id, table.c.name).where(table.c.id.in_(ids.values()))
                )
            ).all()
        )
        if ids
        else {}
    )
    for row in rows:
        key = row.keys.get(dimension)
        row.labels[dimension] = None if key is None else names.get(ids[key])
