"""The gate every operation passes after validation and before any resolver runs.

In order: the document's limits (cost, depth, aliases) are checked with no database work;
then the bearer token is authenticated and the request switches to its viewer; introspection
is allowed or not; and the caller's cost points are spent with the rate limiter. A refusal
becomes the operation's only error, with its code, and the matching HTTP status (401, 429).
The cost of every admitted request is reported in `extensions.cost`.
"""

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.context import Context
from resolvers.errors import ApiError, Forbidden, QueryTooLarge, RateLimited, Unauthenticated
from resolvers.memo import Bounded
from resolvers.tokens import authenticate, kept_token
from resolvers.viewer import Viewer
from schema.limits import Measure, measure
from settings import Introspection

__all__ = ["ADMISSION", "Admission", "Guard", "admit", "confirm_admission", "measured"]

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


async def _admit(ctx: Context, found: Measure, *, kept_tokens: bool) -> None:
    _check_limits(ctx, found)
    if ctx.credentials is not None:
        kept = kept_token(ctx.engine, ctx.credentials) if kept_tokens else None
        if kept is not None:
            ctx.become(kept.viewer, access_version=kept.access_version)
        else:
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


def measured(
    text: str | None,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    compute: Callable[[], Measure],
) -> Measure:
    """`compute()`, or what it gave before for the same document text, operation and
    variables."""
    if text is None:
        return compute()
    key = (text, operation_name, repr(variables))
    found = _measures.get(key)
    return found if found is not None else _measures.put(key, compute())


ADMISSION = "partnergraph.admission"
"""The key of a request's `Admission` in its ASGI scope's state."""


@dataclass(frozen=True, slots=True)
class Admission:
    """How `admit` ended for one HTTP request: kept in the request's scope, so that when the
    fast lane (`schema.fast_lane`) hands a request on to strawberry, the token is checked and
    the rate limiter charged once, not twice."""

    viewer: Viewer | None = None
    cost: object = None
    refusal: ApiError | None = None
    access_version: int | None = None
    """Set when `viewer` is a kept one (`Context.access_version`)."""

    def apply(self, ctx: Context) -> None:
        if self.refusal is not None:
            raise self.refusal
        if self.viewer is not None:
            ctx.become(self.viewer, access_version=self.access_version)
        ctx.extensions["cost"] = self.cost


def _scope_state(ctx: Context) -> dict[str, Any] | None:
    if ctx.request is None:
        return None
    state: dict[str, Any] = ctx.request.scope.setdefault("state", {})
    return state


async def admit(ctx: Context, found: Measure, *, kept_tokens: bool = False) -> None:
    """Limits, token, introspection and rate limit for `ctx`'s request (once per request,
    whichever road answers it); `ApiError` when refused. With `kept_tokens` the token may be
    one this worker kept (`resolvers.token_cache`): only for a caller whose answer checks
    `ctx.access_version`, and that calls `confirm_admission` before anything else answers."""
    state = _scope_state(ctx)
    recorded = state.get(ADMISSION) if state is not None else None
    if isinstance(recorded, Admission):
        recorded.apply(ctx)
        return
    try:
        await _admit(ctx, found, kept_tokens=kept_tokens)
    except ApiError as error:
        if state is not None:
            state[ADMISSION] = Admission(refusal=error)
        raise
    if state is not None:
        state[ADMISSION] = Admission(
            viewer=ctx.viewer, cost=ctx.extensions.get("cost"), access_version=ctx.access_version
        )


async def confirm_admission(ctx: Context) -> None:
    """Before a request admitted with a kept viewer is handed to a road that does not check the
    access change counter: its token read afresh (and refused if it is no longer good), the
    rate limit not charged again."""
    state = _scope_state(ctx)
    recorded = state.get(ADMISSION) if state is not None else None
    if state is None or not isinstance(recorded, Admission) or recorded.access_version is None:
        return
    assert ctx.credentials is not None
    try:
        viewer = await authenticate(ctx.engine, ctx.credentials)
    except ApiError as error:
        state[ADMISSION] = Admission(refusal=error)
        return
    state[ADMISSION] = Admission(viewer=viewer, cost=recorded.cost)
    ctx.become(viewer)


class Guard(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx = execution.context
        assert isinstance(ctx, Context) and execution.graphql_document is not None
        document = execution.graphql_document
        found = measured(
            document.loc.source.body if document.loc is not None else None,
            execution.operation_name,
            execution.variables,
            lambda: measure(
                execution.schema._schema,
                document,
                operation_name=execution.operation_name,
                variables=execution.variables,
            ),
        )
        try:
            await admit(ctx, found)
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
