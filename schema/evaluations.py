"""Evaluations of agreements and programs, with their indicator measures; the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import strawberry

from resolvers import evaluations as reads
from schema.compiled.declare import referenced
from schema.enums import EvaluationIndicator
from schema.relay import Before, Connection, Info, Last, Node, connection, list_request

if TYPE_CHECKING:
    pass

__all__ = ["Evaluation", "EvaluationFilter", "EvaluationMeasure", "EvaluationQuery"]


@strawberry.input(description="Conditions on evaluations; all given conditions must hold.")
class EvaluationFilter(reads.EvaluationFilter):
    pass


@strawberry.input(description="How to sort the list.")
class EvaluationOrder(reads.EvaluationOrder):
    pass


@strawberry.type(description="One indicator of an evaluation: its target and actual value.")
class EvaluationMeasure:
    indicator: EvaluationIndicator
    target: Decimal | None
    actual: Decimal | None


@strawberry.type(description="An evaluation of an agreement or program over a period.")
class Evaluation(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    period_start: date | None
    period_end: date | None
    score: Decimal | None = strawberry.field(description="From 0 to 100.")
    notes: str | None
    agreement_id: strawberry.Private[int | None]
    program_id: strawberry.Private[int | None]
    evaluator_id: strawberry.Private[int | None]

    agreement = referenced("Agreement", "agreement_id")

    program = referenced("Program", "program_id")

    evaluator = referenced(
        "Organization", "evaluator_id", description="The organization that made the evaluation."
    )

    @strawberry.field
    async def measures(self, info: Info) -> list[EvaluationMeasure]:
        rows = await reads.measures_of(info.context).load(self.pk)
        return [
            EvaluationMeasure(
                indicator=EvaluationIndicator(row["indicator"]),
                target=row["target"],
                actual=row["actual"],
            )
            for row in rows
        ]


@strawberry.type
class EvaluationQuery:
    @strawberry.field(description="Evaluations, latest period first; at most 100 a page.")
    async def evaluations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: Last = None,
        before: Before = None,
        filter: EvaluationFilter | None = None,
        order_by: EvaluationOrder | None = None,
    ) -> Connection[Evaluation]:
        page = await reads.evaluations_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Evaluation.from_row)
