"""A batch of GraphQL requests (one POST of a JSON array) measured and admitted once, for the sum
of its operations' costs.

Each operation is measured as `schema.guard` measures a lone request (the same cached
`measured`, so its own run finds the measure made here), with the document parsed through
the same cache and token limit. An operation its own limits would refuse (too deep, too many
aliases, too costly, an argument out of range) or that does not parse adds nothing: it is
refused on its own when it runs, as a lone request would be, and nothing is charged for it.
The rest are summed: the sum is held to `Settings.max_cost` (400 `QUERY_TOO_COSTLY` for the
whole batch) and the caller is admitted once for it (`resolvers.admission.admit`: token, private
mode, introspection if any operation asks for the schema, rate limit charged the sum). Each
operation then runs with an `Admission` of its own, so it is not admitted again and reports its
own cost in `extensions.cost`.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import GraphQLError, GraphQLSchema

from resolvers.admission import ADMISSION, Admission, admit
from resolvers.context import Context
from resolvers.errors import ApiError, QueryTooLarge
from schema.document_caches import parsed
from schema.guard import check_limits, measured
from schema.limits import Measure, measure
from settings import Settings

__all__ = ["admit_batch", "measure_request"]

_NOTHING = Measure(cost=0, depth=0, aliases=0, introspection=False)


def measure_request(
    schema: GraphQLSchema, settings: Settings, request: Mapping[str, Any]
) -> Measure:
    """The measure of one request of a batch (`query`, `operationName`, `variables`), as its
    own run will measure it; nothing for a document that does not parse."""
    text = request["query"]
    name = request.get("operationName")
    variables = request.get("variables")

    def compute() -> Measure:
        try:
            document = parsed(text, {"max_tokens": settings.max_tokens})
        except GraphQLError:
            return _NOTHING
        return measure(schema, document, operation_name=name, variables=variables)

    return measured(text, name, variables, compute)


def _admissible(settings: Settings, found: Measure) -> bool:
    try:
        check_limits(settings, found)
    except ApiError:
        return False
    return True


async def admit_batch(ctx: Context, measures: Sequence[Measure]) -> list[Admission]:
    """Admits `ctx`'s caller for the batch whose operations measure `measures`; the admission
    each operation runs with, in order. `ApiError` when the batch is refused as a whole."""
    settings = ctx.settings
    costs = [found.cost if _admissible(settings, found) else 0 for found in measures]
    total = sum(costs)
    if total > settings.max_cost:
        raise QueryTooLarge(
            f"the batch may cost {total} points (the sum of its {len(measures)} requests), "
            f"over the limit of {settings.max_cost}; send fewer or smaller requests",
            code="QUERY_TOO_COSTLY",
        )
    await admit(ctx, cost=total, introspection=any(found.introspection for found in measures))
    assert ctx.request is not None
    recorded = ctx.request.scope["state"][ADMISSION]
    assert isinstance(recorded, Admission) and recorded.refusal is None
    charged = recorded.cost if isinstance(recorded.cost, dict) else {}
    return [
        Admission(viewer=recorded.viewer, cost={**charged, "requested": cost}) for cost in costs
    ]
