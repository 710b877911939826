"""Admission: the one gate every road calls before it answers a caller.

GraphQL on strawberry's road (`schema.guard`), GraphQL on the fast lane
(`schema.compiled.fast_lane`), the CSV reports and the network exports (`web.access`) all call
`admit`, which in order: refuses an address that failed authentication too often; authenticates the
bearer token (a token this worker kept, where the caller checks the access change counter, else read
afresh), counting each failure against the client's address; refuses anonymous callers on a private
server; refuses introspection to callers not allowed it; and spends the request's cost points with
the rate limiter. A fix to admission is made here, once.

An HTTP request is admitted once, whichever roads it takes: how `admit` ended is kept in the
request's ASGI scope, so when the fast lane hands a request on to strawberry, the token is not
checked and the rate limit not charged a second time.

Failed authentications are counted per client address by the rate limiter (in Redis, shared by
every worker), `Settings.max_failed_authentications` a minute; past it the address is refused
with HTTP 429 and `TOO_MANY_FAILED_AUTHENTICATIONS` until the minute ends. A worker that sees
an address refused remembers it until then, so a refused address costs neither a database
statement nor a Redis call; a caller whose token is good pays nothing for the count.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any

from resolvers.calendar_tokens import calendar_viewer, is_calendar_token
from resolvers.context import Context
from resolvers.errors import (
    ApiError,
    Forbidden,
    RateLimited,
    TooManyFailedAuthentications,
    Unauthenticated,
)
from resolvers.memo import Bounded
from resolvers.tokens import authenticate, kept_token
from resolvers.viewer import Viewer
from settings import Introspection
from telemetry.facts import current, set_refusal

__all__ = ["ADMISSION", "Admission", "admit", "confirm_admission"]

log = logging.getLogger("partnergraph.access")

ADMISSION = "partnergraph.admission"
"""The key of a request's `Admission` in its ASGI scope's state."""


@dataclass(frozen=True, slots=True)
class Admission:
    """How `admit` ended for one HTTP request."""

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


_refused_until: Bounded[tuple[str, str], float] = Bounded(10_000)
"""(limiter prefix, client address) -> monotonic time its refusal ends, in this worker."""


def _refuse_if_throttled(ctx: Context) -> None:
    key = (ctx.settings.redis_prefix, ctx.client)
    until = _refused_until.get(key)
    if until is None:
        return
    left = until - time.monotonic()
    if left > 0:
        raise _too_many(ctx, int(left) + 1)


def _too_many(ctx: Context, retry_after: int) -> TooManyFailedAuthentications:
    return TooManyFailedAuthentications(
        f"over {ctx.settings.max_failed_authentications} failed authentications a minute from "
        f"this address; retry in {retry_after} s",
        retry_after=retry_after,
    )


async def _count_failure(ctx: Context) -> None:
    """Counts a failed authentication against the client's address; refuses it past the limit."""
    limit = ctx.settings.max_failed_authentications
    if limit <= 0:
        return
    spend = await ctx.limiter.spend(f"failed-authentication:{ctx.client}", 1, limit=limit)
    if not spend.allowed:
        _refused_until.put(
            (ctx.settings.redis_prefix, ctx.client), time.monotonic() + spend.retry_after
        )
        raise _too_many(ctx, spend.retry_after)


async def _authenticate(
    ctx: Context, credentials: str, *, kept_tokens: bool, calendar: bool = False
) -> None:
    _refuse_if_throttled(ctx)
    kept = kept_token(ctx.engine, credentials) if kept_tokens else None
    if kept is not None:
        ctx.become(kept.viewer, access_version=kept.access_version)
        return
    try:
        if calendar and is_calendar_token(credentials):
            viewer = await calendar_viewer(ctx.engine, credentials)
        else:
            viewer = await authenticate(ctx.engine, credentials)
    except Unauthenticated:
        await _count_failure(ctx)
        raise
    ctx.become(viewer)


async def _admit(
    ctx: Context, cost: int, *, introspection: bool, kept_tokens: bool, calendar: bool
) -> None:
    if ctx.credentials is not None:
        await _authenticate(ctx, ctx.credentials, kept_tokens=kept_tokens, calendar=calendar)
    elif ctx.settings.private:
        raise Unauthenticated("this server answers only requests with an API token")
    if introspection:
        mode = ctx.settings.introspection
        if mode is Introspection.OFF or (
            mode is Introspection.AUTHENTICATED and ctx.viewer.is_anonymous
        ):
            raise Forbidden("introspection is not available to this caller")
    caller = ctx.viewer.label if ctx.viewer.token_id is not None else f"client:{ctx.client}"
    spend = await ctx.limiter.spend(caller, max(1, cost))
    ctx.extensions["cost"] = {
        "requested": cost,
        "limit": ctx.settings.max_cost,
        "remainingThisMinute": spend.remaining,
    }
    if not spend.allowed:
        raise RateLimited(
            f"over the rate limit of {ctx.settings.rate_limit_per_minute} cost points a "
            f"minute; retry in {spend.retry_after} s",
            retry_after=spend.retry_after,
        )


def _scope_state(ctx: Context) -> dict[str, Any] | None:
    if ctx.request is None:
        return None
    state: dict[str, Any] = ctx.request.scope.setdefault("state", {})
    return state


async def admit(
    ctx: Context,
    *,
    cost: int,
    introspection: bool = False,
    kept_tokens: bool = False,
    calendar: bool = False,
) -> None:
    """Admits `ctx`'s caller for a request of `cost` points (once per request, whichever road
    answers it): `ctx` becomes its viewer; `ApiError` when refused. With `introspection` the
    request asks for the schema. With `kept_tokens` the token may be one this worker kept
    (`resolvers.token_cache`): only for a caller whose answer checks `ctx.access_version`, and
    that calls `confirm_admission` before anything else answers. With `calendar` the credentials
    may be a calendar token (`resolvers.calendar_tokens`), which only `/calendar.ics` takes."""
    state = _scope_state(ctx)
    recorded = state.get(ADMISSION) if state is not None else None
    if isinstance(recorded, Admission):
        recorded.apply(ctx)
        return
    try:
        await _admit(
            ctx, cost, introspection=introspection, kept_tokens=kept_tokens, calendar=calendar
        )
    except ApiError as error:
        log.info("refused %s: %s (%s)", ctx.viewer.label, error.code, error.message)
        set_refusal(error.code)
        if state is not None:
            state[ADMISSION] = Admission(refusal=error)
        raise
    facts = current()
    if facts is not None:
        facts.token_id = ctx.viewer.token_id
        facts.cost = cost
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
