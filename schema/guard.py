"""The gate every operation passes after validation and before any resolver runs.

In order: the document's limits (cost, depth, aliases) are checked with no database work;
then the bearer token is authenticated and the request switches to its viewer; introspection
is allowed or not; and the caller's cost points are spent with the rate limiter. A refusal
becomes the operation's only error, with its code, and the matching HTTP status (401, 429).
The cost of every admitted request is reported in `extensions.cost`.
"""

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.context import Context
from resolvers.errors import ApiError, Forbidden, QueryTooLarge, RateLimited, Unauthenticated
from resolvers.memo import Bounded
from resolvers.tokens import authenticate
from schema.limits import Measure, measure
from settings import Introspection

__all__ = ["Guard"]

log = logging.getLogger("partnergraph.access")


def _check_limits(ctx: Context, found: Measure) -> None:
    settings = ctx.settings
    if found.depth > settings.max_depth:
        raise QueryTooLarge(
            f"the query is {found.depth} fields deep, over the limit of {settings.max_depth}",
            code="QUERY_TOO_DEEP",
        )
    if found.aliases > settings.max_aliases:
        raise QueryTooLarge(
            f"the query has {found.aliases} aliases, over the limit of {settings.max_aliases}",
            code="TOO_MANY_ALIASES",
        )
    if found.cost > settings.max_cost:
        raise QueryTooLarge(
            f"the query may cost {found.cost} points, over the limit of {settings.max_cost}; "
            "ask for smaller pages (`first`) or fewer nested lists",
            code="QUERY_TOO_COSTLY",
        )


async def _admit(ctx: Context, found: Measure) -> None:
    _check_limits(ctx, found)
    if ctx.credentials is not None:
        ctx.become(await authenticate(ctx.engine, ctx.credentials))
    elif ctx.settings.private:
        raise Unauthenticated("this server answers only requests with an API token")
    if found.introspection:
        mode = ctx.settings.introspection
        if mode is Introspection.OFF or (
            mode is Introspection.AUTHENTICATED and ctx.viewer.is_anonymous
        ):
            raise Forbidden("introspection is not available to this caller")
    caller = ctx.viewer.label if ctx.viewer.token_id is not None else f"client:{ctx.client}"
    spend = await ctx.limiter.spend(caller, max(1, found.cost))
    ctx.extensions["cost"] = {
        "requested": found.cost,
        "limit": ctx.settings.max_cost,
        "remainingThisMinute": spend.remaining,
    }
    if not spend.allowed:
        raise RateLimited(
            f"over the rate limit of {ctx.settings.rate_limit_per_minute} cost points a "
            f"minute; retry in {spend.retry_after} s",
            retry_after=spend.retry_after,
        )


def _answer_status(ctx: Context, error: ApiError) -> None:
    if ctx.response is None:
        return
    if isinstance(error, Unauthenticated):
        ctx.response.status_code = 401
        ctx.response.headers["WWW-Authenticate"] = 'Bearer realm="partnergraph"'
    elif isinstance(error, RateLimited):
        ctx.response.status_code = 429
        ctx.response.headers["Retry-After"] = str(error.retry_after)


_measures: Bounded[tuple[str, str | None, str], Measure] = Bounded(1024)
"""Measures by document text, operation and variables: the walk cost as much as planning a
compiled read (bench/RESULTS.md) and gives the same answer every time."""


def _measured(schema: GraphQLSchema, execution: ExecutionContext) -> Measure:
    document = execution.graphql_document
    assert document is not None
    key = None
    if document.loc is not None:
        key = (document.loc.source.body, execution.operation_name, repr(execution.variables))
        found = _measures.get(key)
        if found is not None:
            return found
    made = measure(
        schema, document, operation_name=execution.operation_name, variables=execution.variables
    )
    return made if key is None else _measures.put(key, made)


class Guard(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx = execution.context
        assert isinstance(ctx, Context) and execution.graphql_document is not None
        found = _measured(execution.schema._schema, execution)
        try:
            await _admit(ctx, found)
        except ApiError as error:
            log.info("refused %s: %s (%s)", ctx.viewer.label, error.code, error.message)
            _answer_status(ctx, error)
            execution.result = ExecutionResult(
                data=None, errors=[GraphQLError(error.message, original_error=error)]
            )
        yield

    def get_results(self) -> dict[str, Any]:
        ctx = self.execution_context.context
        if isinstance(ctx, Context) and "cost" in ctx.extensions:
            return {"cost": ctx.extensions["cost"]}
        return {}
