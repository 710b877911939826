"""What every mutation shares: `userErrors`, one transaction, and a declared permission.

A mutation resolver is written as `work(connection) -> payload`. `run_mutation` checks the
permission first (a refusal is a `FORBIDDEN` user error, logged, nothing changed), then runs the
work in one transaction (`resolvers.transactions.in_transaction`): any `ApiError`, including a
write the database refuses, rolls everything back and comes out as a user error with its code
and field.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers.change_actor import Actor
from resolvers.errors import ApiError, Forbidden
from resolvers.permissions import Permission
from resolvers.transactions import in_transaction
from schema.relay import Info

__all__ = ["Payload", "UserError", "run_mutation"]

log = logging.getLogger("partnergraph.access")


@strawberry.type(description="Why a mutation changed nothing: a message, a code, the input field.")
class UserError:
    message: str = strawberry.field(
        description="What is wrong and what to do, in English, for a person to read."
    )
    code: str = strawberry.field(
        description="A stable code for programs: `NOT_FOUND`, `FORBIDDEN`, `CONSENT_REQUIRED`, "
        "`STALE_VERSION`, `INVALID_VALUE`, `BAD_USER_INPUT`, ... (see the API's error codes)."
    )
    field: str | None = strawberry.field(
        default=None, description="The input field at fault, as a dotted path, if one is."
    )


class Payload(Protocol):
    user_errors: list[UserError]


P = TypeVar("P")


async def run_mutation(
    info: Info,
    *,
    permission: Permission,
    arguments: Mapping[str, Any],
    work: Callable[[AsyncConnection], Awaitable[P]],
    payload: Callable[..., P],
    name: str,
) -> P:
    """`work` in one transaction if the viewer holds `permission` for these `arguments`; else,
    or when the work fails, `payload` made with nothing but its `user_errors`."""
    ctx = info.context
    if not permission(ctx.viewer, arguments):
        log.warning("forbidden: %s may not %s (needs %s)", ctx.viewer.label, name, permission.name)
        message = f"{ctx.viewer.role.value} callers may not {name} (needs {permission.name})"
        return payload(user_errors=[UserError(message=message, code="FORBIDDEN")])
    try:
        return await in_transaction(ctx.engine, work, actor=Actor.of(ctx.viewer))
    except ApiError as error:
        if isinstance(error, Forbidden):
            log.warning("forbidden: %s may not %s: %s", ctx.viewer.label, name, error.message)
        refusal = UserError(message=error.message, code=error.code, field=error.field)
        return payload(user_errors=[refusal])
