"""Evaluations of agreements and programs, with their indicator measures; the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import evaluations as reads
from schema.compiled.declare import referenced
from schema.enums import EvaluationIndicator
from schema.field_docs import describe
from schema.relay import Connection, Info, Node, connection, list_request

if TYPE_CHECKING:
    pass

__all__ = ["Evaluation", "EvaluationFilter", "EvaluationMeasure", "EvaluationQuery"]


@describe(
    agreement="Only evaluations of this agreement (its global ID).",
    program="Only evaluations of this program (its global ID).",
    alliance="Only evaluations of this alliance (its global ID).",
    evaluator="Only evaluations made by this organization (its global ID).",
    period_ends_from="Only evaluations whose period ends on or after this day.",
    period_ends_to="Only evaluations whose period ends on or before this day.",
)
@strawberry.input(description="Conditions on evaluations; all given conditions must hold.")
class EvaluationFilter(reads.EvaluationFilter):
    pass


@describe(
    field="What to sort by; the end of the period when left out.",
    direction="Which way; descending (latest first) when left out.",
)
@strawberry.input(description="How to sort the list.")
class EvaluationOrder(reads.EvaluationOrder):
    pass


@strawberry.type(description="One indicator of an evaluation: its target and actual value.")
class EvaluationMeasure:
    indicator_id: strawberry.Private[int]
    standard: EvaluationIndicator | None = strawberry.field(
        description="The standard indicator measured, when it is one of the five; null for "
        "an alliance's or program's own indicator (see `indicator`)."
    )
    target: Decimal | None = strawberry.field(
        description="The value aimed at for the period; null when none was set."
    )
    actual: Decimal | None = strawberry.field(
        description="The value reached in the period; null when not yet known."
    )

    indicator = referenced(
        "Indicator", "indicator_id", description="What is counted; the unit is the indicator's."
    )


@strawberry.type(
    description="An evaluation of an agreement or program over a period. Seen by whoever sees "
    "the agreement, the evaluating organization and the program's partners."
)
class Evaluation(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    period_start: date | None = strawberry.field(
        description="The first day of the period evaluated."
    )
    period_end: date | None = strawberry.field(
        description="The last day of the period evaluated; reports date the evaluation by it."
    )
    score: Decimal | None = strawberry.field(
        description="The overall score, from 0 to 100 (two decimal places); null when none "
        "was given. Reports average it."
    )
    notes: str | None = strawberry.field(description="The evaluator's findings, in prose.")
    agreement_id: strawberry.Private[int | None]
    program_id: strawberry.Private[int | None]
    alliance_id: strawberry.Private[int | None]
    evaluator_id: strawberry.Private[int | None]

    agreement = referenced(
        "Agreement",
        "agreement_id",
        description="The agreement evaluated; null when a program is, or when the caller may "
        "not see it.",
    )

    program = referenced(
        "Program",
        "program_id",
        description="The program evaluated; null when an agreement or an alliance is.",
    )

    alliance = referenced(
        "Alliance",
        "alliance_id",
        description="The alliance evaluated (against its own indicators); null when an "
        "agreement or a program is.",
    )

    evaluator = referenced(
        "Organization", "evaluator_id", description="The organization that made the evaluation."
    )

    @strawberry.field(description="The indicators measured, each with its target and result.")
    async def measures(self, info: Info) -> list[EvaluationMeasure]:
        rows = await reads.measures_of(info.context).load(self.pk)
        return [
            EvaluationMeasure(
                indicator_id=row["indicator_id"],
                standard=None if row["code"] is None else EvaluationIndicator(row["code"]),
                target=row["target"],
                actual=row["actual"],
            )
            for row in rows
        ]


@strawberry.type
class EvaluationQuery:
    @strawberry.field(
        description="The evaluations the caller may see, latest period first unless `orderBy` "
        "says otherwise."
    )
    async def evaluations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            EvaluationFilter | None,
            strawberry.argument(description="Only the evaluations that meet these conditions."),
        ] = None,
        order_by: Annotated[
            EvaluationOrder | None,
            strawberry.argument(
                description="The order of the list; latest period first when left out."
            ),
        ] = None,
    ) -> Connection[Evaluation]:
        page = await reads.evaluations_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Evaluation.from_row)
