"""What the plain HTTP endpoints (CSV reports, network exports) share with GraphQL: the caller
read from its bearer token, private mode and the rate limit, query parameters read as filters,
and refusals answered as JSON with the same codes GraphQL gives."""

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from resolvers.admission import admit as admit_caller
from resolvers.context import build_context
from resolvers.errors import (
    ApiError,
    BadUserInput,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
    excerpt,
)
from resolvers.input_checks import query_parameters_problem
from resolvers.rate_limit import RateLimiter
from resolvers.viewer import Viewer
from settings import Settings

__all__ = ["admit", "bearer_token", "query_enums", "query_values", "refusal"]

E = TypeVar("E", bound=StrEnum)

_STATUS: dict[type[ApiError], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    RateLimited: 429,
    Unavailable: 503,
}


def query_values(request: Request, name: str) -> list[str] | None:
    """A list parameter, given repeated or comma-separated; None when it carries no value."""
    found = [
        value.strip()
        for raw in request.query_params.getlist(name)
        for value in raw.split(",")
        if value.strip()
    ]
    return found or None


def query_enums(request: Request, name: str, enum: type[E]) -> list[E] | None:
    """A list parameter of enum values, written as in GraphQL or in lower case."""
    values = query_values(request, name)
    if values is None:
        return None
    found: list[E] = []
    for value in values:
        try:
            found.append(enum(value.lower()))
        except ValueError:
            allowed = ", ".join(member.name for member in enum)
            raise BadUserInput(f"{excerpt(value)} is not one of {allowed}", field=name) from None
    return found


async def admit(
    request: Request,
    *,
    engine: AsyncEngine,
    settings: Settings,
    limiter: RateLimiter,
    credentials_of: Callable[[str | None], str | None],
    cost: int,
    credentials: str | None = None,
    calendar: bool = False,
) -> Viewer:
    """The caller of `request`, admitted as GraphQL admits its callers (`resolvers.admission`)
    for `cost` points, counted on the same key as its GraphQL requests. Its query parameters are
    checked first (`resolvers.input_checks`). `credentials`, when given, stand for the header's;
    with `calendar` they may be a calendar token (`/calendar.ics`)."""
    problem = query_parameters_problem(request.query_params.multi_items(), settings)
    if problem is not None:
        raise problem
    ctx = build_context(
        engine=engine,
        viewer=Viewer.anonymous(),
        settings=settings,
        limiter=limiter,
        credentials=credentials or credentials_of(request.headers.get("authorization")),
        client=request.client.host if request.client else "unknown",
        request=request,
    )
    await admit_caller(ctx, cost=cost, calendar=calendar)
    return ctx.viewer


def refusal(error: ApiError, *, status: int | None = None) -> Response:
    """`error` as a JSON answer with its code (and field), an HTTP status that says what kind of
    refusal it is, and the headers a client needs to act on it."""
    body: dict[str, Any] = {"message": error.message, "extensions": {"code": error.code}}
    if error.field is not None:
        body["extensions"]["field"] = error.field
    if status is None:
        status = next((s for kind, s in _STATUS.items() if isinstance(error, kind)), 400)
    response = JSONResponse({"errors": [body]}, status_code=status)
    if isinstance(error, Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="partnergraph"'
    if isinstance(error, RateLimited | Unavailable):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def bearer_token(header: str | None) -> str | None:
    """The credentials of an `Authorization` header: a bearer token's text, or the whole header
    when it is not a bearer token (which then fails authentication, rather than passing as
    anonymous)."""
    if header is None or not header.strip():
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else header
