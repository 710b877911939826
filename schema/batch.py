"""A batch of GraphQL requests (one POST of a JSON array) measured and admitted once, for the sum
of its operations' costs.

Each operation is measured as `schema.guard` measures a lone request (the same cached
`measured`, so its own run finds the measure made here), with the document parsed through
the same cache and token limit. An operation that does not parse, or that its own limits
would refuse (too deep, too many aliases, too costly, an argument out of range), adds nothing:
it is refused on its own when it runs, as a lone request would be, before any admission, and
nothing is charged for it (a batch of nothing else is not admitted at all). An operation that
parses but does not validate is charged as measured (an upper bound), though it will not run.
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


def measure_request(
    schema: GraphQLSchema, settings: Settings, request: Mapping[str, Any]
) -> Measure | None:
    """The measure of one request of a batch (`query`, `operationName`, `variables`), as its
    own run will measure it; `None` for a document that does not parse."""
    text = request["query"]
    name = request.get("operationName")
    variables = request.get("variables")
    try:
        document = parsed(text, {"max_tokens": settings.max_tokens})
    except GraphQLError:
        return None
    return measured(
        text,
        name,
        variables,
        lambda: measure(schema, document, operation_name=name, variables=variables),
    )


def _admissible(settings: Settings, found: Measure | None) -> Measure | None:
    if found is None:
        return None
    try:
        check_limits(settings, found)
    except ApiError:
        return None
    return found


async def admit_batch(ctx: Context, measures: Sequence[Measure | None]) -> list[Admission | None]:
    """Admits `ctx`'s caller for the batch whose requests measure `measures`; the admission
    each request runs with, in order (`None` for one that is refused on its own before its
    admission). `ApiError` when the batch is refused as a whole."""
    settings = ctx.settings
    admissible = [_admissible(settings, found) for found in measures]
    counted = [found for found in admissible if found is not None]
    if not counted:
        return [None for _ in measures]
    total = sum(found.cost for found in counted)
    if total > settings.max_cost:
        raise QueryTooLarge(
            f"the batch may cost {total} points (the sum of its {len(measures)} requests), "
            f"over the limit of {settings.max_cost}; send fewer or smaller requests",
            code="QUERY_TOO_COSTLY",
        )
    await admit(ctx, cost=total, introspection=any(found.introspection for found in counted))
    assert ctx.request is not None
    recorded = ctx.request.scope["state"][ADMISSION]
    assert isinstance(recorded, Admission) and recorded.refusal is None
    charged = recorded.cost if isinstance(recorded.cost, dict) else {}
    return [
        None
        if found is None
        else Admission(viewer=recorded.viewer, cost={**charged, "requested": found.cost})
        for found in admissible
    ]
