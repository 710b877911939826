"""A cooperation summary's counts answered as JSON built by PostgreSQL, like the compiled reads.

`resolvers.reports.summary_with_total` reads one row per group and status and folds them in
Python; graphql-core then completes every key, count and status of every group (at 10,000
agreements, 200 groups: two thirds of the request's time, bench/RESULTS.md). When a summary
asks only for counts (`agreements`, `active`, `byStatus`) by dimensions with one value per
agreement, `schema.compiled.planner` plans it as a `SummaryRoot` and this module writes its JSON
in SQL from the same pieces (`agreements_as_of`, `grouped`): the same agreements counted, the
same statuses, the groups in the same order, read from the rollups where the ordinary road reads
them (`resolvers.report_rollups`). tests/schema/test_compiled_reads.py holds the two roads'
answers equal.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from resolvers import report_rollups
from resolvers.agreements import AgreementFilter
from resolvers.compiled.json_sql import EMPTY_ARRAY, constant
from resolvers.report_as_of import agreements_as_of
from resolvers.report_grouping import grouped
from resolvers.report_terms import MAX_DIMENSIONS, MULTI_VALUED, STATUSES, Dimension
from resolvers.viewer import Viewer

__all__ = ["Selection", "SummaryRoot", "rolled_up", "summarisable", "summary_json"]


@dataclass(frozen=True, slots=True)
class Selection:
    """Plain fields of one object type: response key, field name, and the sub-selection of an
    object field."""

    type_name: str
    parts: tuple[tuple[str, str, "Selection | None"], ...]


@dataclass(frozen=True, slots=True)
class SummaryRoot:
    filter: AgreementFilter | None
    dimensions: tuple[Dimension, ...]
    as_of: date | None
    shape: Selection
    """The selection of `CooperationSummary`."""


def rolled_up(viewer: Viewer, root: SummaryRoot) -> bool:
    """Whether the rollups can answer `root` (`resolvers.report_rollups.usable`)."""
    return report_rollups.usable(viewer, root.filter, root.dimensions, root.as_of)


def summarisable(dimensions: tuple[Dimension, ...]) -> bool:
    """Whether a summary by these dimensions can be written here (the total is then the sum
    of the groups, as in `summary_with_total`)."""
    return len(dimensions) <= MAX_DIMENSIONS and not MULTI_VALUED & set(dimensions)


_STATUS_ORDER: ColumnElement[Any] = sa.literal_column(
    "ARRAY[" + ", ".join("'" + s + "'" for s in STATUSES) + "]::varchar[]"
)


def _key_text(dimension: Dimension, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """`resolvers.reports._key_text` in SQL."""
    if dimension in (Dimension.SIGNED_QUARTER, Dimension.START_QUARTER):
        year = sa.cast(value // 10, sa.Text)
        return year.op("||")(constant("-Q")).op("||")(sa.cast(value % 10, sa.Text))
    return sa.cast(value, sa.Text)


def _statuses(
    shape: Selection, status: ColumnElement[Any], count: ColumnElement[Any]
) -> ColumnElement[Any]:
    """`byStatus` as a JSON array over rows of (status, count), in the enum's order."""
    values: list[ColumnElement[Any]] = []
    for key, name, _ in shape.parts:
        values.append(constant(key))
        if name == "status":
            values.append(sa.func.upper(status))
        elif name == "count":
            values.append(count)
        else:
            values.append(constant(shape.type_name))
    item = sa.func.json_build_object(*values)
    ordered = aggregate_order_by(item, sa.func.array_position(_STATUS_ORDER, status))
    return sa.func.coalesce(sa.func.json_agg(ordered), EMPTY_ARRAY)


def summary_json(viewer: Viewer, root: SummaryRoot, name: Callable[[], str]) -> ColumnElement[Any]:
    """The JSON of `cooperationSummary` for `root`, as a scalar subquery; `name` makes the
    names of its derived tables."""
    dimensions = list(root.dimensions)
    base = agreements_as_of(viewer, root.filter, root.as_of)
    g = grouped(viewer, base, dimensions, root.as_of)
    keys = [g.c[f"d_{d.value}"] for d in dimensions]
    scanned = sa.select(
        *keys,
        g.c.status,
        sa.func.count().label("n"),
        sa.func.sum(g.c.active).label("act"),
    ).group_by(*keys, g.c.status)
    if rolled_up(viewer, root):
        # The rollups when their window holds today, else the scan: an uncorrelated
        # condition, which PostgreSQL evaluates once, running only the branch it selects.
        today = date.today()
        valid = report_rollups.window_valid(today)
        counts = sa.union_all(
            report_rollups.counts(dimensions, today).where(valid), scanned.where(~valid)
        ).cte(name())
    else:
        counts = scanned.cte(name())
    ckeys = [counts.c[f"d_{d.value}"] for d in dimensions]

    def measures(
        shape: Selection,
        agreements: ColumnElement[Any],
        active: ColumnElement[Any],
        statuses: Callable[[Selection], ColumnElement[Any]],
    ) -> ColumnElement[Any]:
        values: list[ColumnElement[Any]] = []
        for key, field, sub in shape.parts:
            values.append(constant(key))
            if field == "agreements":
                values.append(agreements)
            elif field == "active":
                values.append(active)
            elif field == "byStatus" and sub is not None:
                values.append(statuses(sub))
            else:
                values.append(constant(shape.type_name))
        return sa.func.json_build_object(*values)

    def total_statuses(sub: Selection) -> ColumnElement[Any]:
        per_status = (
            sa.select(counts.c.status, sa.func.sum(counts.c.n).label("n"))
            .group_by(counts.c.status)
            .subquery(name())
        )
        return (
            sa.select(_statuses(sub, per_status.c.status, per_status.c.n))
            .select_from(per_status)
            .scalar_subquery()
        )

    total_agreements = sa.select(sa.func.coalesce(sa.func.sum(counts.c.n), 0)).scalar_subquery()
    total_active = sa.select(sa.func.coalesce(sa.func.sum(counts.c.act), 0)).scalar_subquery()

    def groups(shape: Selection) -> ColumnElement[Any]:
        if not dimensions:
            return EMPTY_ARRAY
        status_shapes = list(
            dict.fromkeys(
                status_shape
                for _, field, sub in shape.parts
                if field == "measures" and sub is not None
                for _, measure, status_shape in sub.parts
                if measure == "byStatus" and status_shape is not None
            )
        )
        per_group = (
            sa.select(
                *ckeys,
                sa.func.sum(counts.c.n).label("n"),
                sa.func.sum(counts.c.act).label("act"),
                *(
                    _statuses(status_shape, counts.c.status, counts.c.n).label(f"s{i}")
                    for i, status_shape in enumerate(status_shapes)
                ),
            )
            .group_by(*ckeys)
            .subquery(name())
        )

        def group_statuses(sub: Selection) -> ColumnElement[Any]:
            return per_group.c[f"s{status_shapes.index(sub)}"]

        gkeys = [per_group.c[f"d_{d.value}"] for d in dimensions]
        values: list[ColumnElement[Any]] = []
        for key, field, sub in shape.parts:
            values.append(constant(key))
            if field == "keys" and sub is not None:
                values.append(
                    sa.func.json_build_array(
                        *(_report_key(sub, d, v) for d, v in zip(dimensions, gkeys, strict=True))
                    )
                )
            elif field == "measures" and sub is not None:
                values.append(measures(sub, per_group.c.n, per_group.c.act, group_statuses))
            else:
                values.append(constant(shape.type_name))
        item = sa.func.json_build_object(*values)
        aggregated = sa.func.json_agg(
            aggregate_order_by(item, *[key.asc().nulls_last() for key in gkeys])
        )
        return (
            sa.select(sa.func.coalesce(aggregated, EMPTY_ARRAY))
            .select_from(per_group)
            .scalar_subquery()
        )

    values: list[ColumnElement[Any]] = []
    for key, field, sub in root.shape.parts:
        values.append(constant(key))
        if field == "asOf":
            values.append(constant((root.as_of or date.today()).isoformat()))
        elif field == "groupBy":
            values.append(sa.func.json_build_array(*(constant(d.name) for d in dimensions)))
        elif field == "total" and sub is not None:
            values.append(measures(sub, total_agreements, total_active, total_statuses))
        elif field == "groups" and sub is not None:
            values.append(groups(sub))
        else:
            values.append(constant(root.shape.type_name))
    return sa.select(sa.func.json_build_object(*values)).scalar_subquery()


def _report_key(
    shape: Selection, dimension: Dimension, value: ColumnElement[Any]
) -> ColumnElement[Any]:
    values: list[ColumnElement[Any]] = []
    for key, field, _ in shape.parts:
        values.append(constant(key))
        if field == "dimension":
            values.append(constant(dimension.name))
        elif field == "value":
            values.append(_key_text(dimension, value))
        elif field == "label":
            values.append(sa.null())
        else:
            values.append(constant(shape.type_name))
    return sa.func.json_build_object(*values)
