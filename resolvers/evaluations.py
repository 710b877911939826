"""Reading evaluations by subject, evaluator and period; the measures of each."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db.base import table_of
from db.tables import Evaluation, EvaluationMeasure, Indicator
from resolvers.context import Context
from resolvers.ids import decode_id_of, reference_to
from resolvers.modified import Modified, modifiable
from resolvers.ordering import SortDirection, order_by_field
from resolvers.paging import Page, PageRequest

__all__ = [
    "EvaluationFilter",
    "EvaluationOrder",
    "EvaluationOrderField",
    "evaluation_conditions",
    "evaluations_page",
    "measures_of",
]

EVALUATION = table_of(Evaluation)
MEASURE = table_of(EvaluationMeasure)
INDICATOR = table_of(Indicator)


@dataclass
class EvaluationFilter(Modified):
    agreement: strawberry.ID | None = reference_to("Agreement")
    program: strawberry.ID | None = reference_to("Program")
    alliance: strawberry.ID | None = reference_to("Alliance")
    evaluator: strawberry.ID | None = reference_to("Organization")
    period_ends_from: date | None = None
    period_ends_to: date | None = None


class EvaluationOrderField(StrEnum):
    PERIOD_END = "period_end"
    SCORE = "score"
    CREATED_AT = "created_at"


@dataclass
class EvaluationOrder:
    field: EvaluationOrderField = EvaluationOrderField.PERIOD_END
    direction: SortDirection = SortDirection.DESC


@modifiable(EVALUATION)
def evaluation_conditions(
    f: EvaluationFilter | None, *, field: str = "filter"
) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    for value, type_name, column, name in (
        (f.agreement, "Agreement", EVALUATION.c.agreement_id, "agreement"),
        (f.program, "Program", EVALUATION.c.program_id, "program"),
        (f.alliance, "Alliance", EVALUATION.c.alliance_id, "alliance"),
        (f.evaluator, "Organization", EVALUATION.c.evaluator_id, "evaluator"),
    ):
        if value is not None:
            conditions.append(column == decode_id_of(value, type_name, field=f"{field}.{name}"))
    if f.period_ends_from is not None:
        conditions.append(EVALUATION.c.period_end >= f.period_ends_from)
    if f.period_ends_to is not None:
        conditions.append(EVALUATION.c.period_end <= f.period_ends_to)
    return conditions


async def evaluations_page(
    ctx: Context,
    *,
    filter: EvaluationFilter | None,
    order: EvaluationOrder | None,
    request: PageRequest,
) -> Page:
    return await ctx.reader.page(
        EVALUATION,
        where=evaluation_conditions(filter),
        order_by=order_by_field(EVALUATION, order or EvaluationOrder()),
        request=request,
    )


def measures_of(ctx: Context) -> DataLoader[int, list[RowMapping]]:
    """The indicator measures of each evaluation (a short list, not paged)."""

    async def batch(keys: Any) -> list[list[RowMapping]]:
        statement = (
            ctx.reader.select(MEASURE, INDICATOR.c.code, INDICATOR.c.name)
            .join(INDICATOR, INDICATOR.c.id == MEASURE.c.indicator_id)
            .where(MEASURE.c.evaluation_id.in_(list(keys)))
            .order_by(INDICATOR.c.name, INDICATOR.c.id)
        )
        found: dict[int, list[RowMapping]] = {k: [] for k in keys}
        async with ctx.engine.connect() as connection:
            for row in (await connection.execute(statement)).mappings():
                found[row["evaluation_id"]].append(row)
        return [found[k] for k in keys]

    loader: DataLoader[int, list[RowMapping]] = ctx.loaders.lists("evaluation_measures", batch)
    return loader
