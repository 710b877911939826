"""What every mutation shares: `userErrors`, one transaction, and a declared permission.

A mutation resolver is written as `work(connection, arguments) -> payload`. `run_mutation`
checks the permission first (a refusal is a `FORBIDDEN` user error, logged, nothing changed),
then runs the work in one transaction: any `ApiError` rolls everything back and comes out as
a user error with its code and field, as does a value the database refuses (`data_error`).
A transaction that commits also raises the network change counter
(`resolvers.network_changes`), so cached networks on every worker are rebuilt.
"""

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers.errors import ApiError, Forbidden
from resolvers.network_changes import note_change
from resolvers.permissions import Permission
from schema.relay import Info

__all__ = ["Payload", "UserError", "run_mutation"]

log = logging.getLogger("partnergraph.access")


@strawberry.type(description="Why a mutation changed nothing: a message, a code, the input field.")
class UserError:
    message: str
    code: str
    field: str | None = strawberry.field(
        default=None, description="The input field at fault, as a dotted path, if one is."
    )


class Payload(Protocol):
    user_errors: list[UserError]


P = TypeVar("P")

_CONSTRAINT = re.compile(r'constraint(?: failed)?:? "?([a-z0-9_.]+)"?', re.IGNORECASE)


def constraint_error(error: sa.exc.IntegrityError) -> tuple[str, str]:
    """A code and a readable message for a violated database rule (the last line of defence:
    the mutations check their rules first, with better messages)."""
    text = str(error.orig)
    cause = getattr(error.orig, "__cause__", None)
    name = getattr(cause, "constraint_name", None)
    if name is None:
        found = _CONSTRAINT.search(text)
        name = found.group(1) if found else "a database rule"
    lowered = text.lower()
    if "unique" in lowered or "duplicate key" in lowered:
        return "ALREADY_EXISTS", f"this would duplicate an existing record ({name})"
    if "foreign key" in lowered:
        return "STILL_REFERENCED", f"other records still refer to this one ({name})"
    if "not null" in lowered or "null value" in lowered:
        return "BAD_USER_INPUT", f"a required value is missing ({name})"
    return "INVALID_VALUE", f"the change breaks the rule {name}"


_DATA_ERRORS = {
    "22003": "a number is too large for its field",
    "22001": "a text is too long for its field",
    "22008": "a date or time is out of range",
    "22007": "a date or time is not valid",
}


def data_error(error: sa.exc.DBAPIError) -> str | None:
    """A readable message when the database refused a value (SQLSTATE class 22, data
    exception: a number over a column's precision, say), else `None`. The last line of defence,
    like `constraint_error`: the scalars and the mutations check what they can first."""
    state = getattr(getattr(error.orig, "__cause__", None), "sqlstate", None)
    state = state or getattr(error.orig, "sqlstate", None)
    if not isinstance(state, str) or not state.startswith("22"):
        return None
    return _DATA_ERRORS.get(state, "a value cannot be stored as given")


async def run_mutation(
    info: Info,
    *,
    permission: Permission,
    arguments: Mapping[str, Any],
    work: Callable[[AsyncConnection], Awaitable[P]],
    refused: Callable[[list[UserError]], P],
    name: str,
) -> P:
    """`work` in one transaction if the viewer holds `permission` for these `arguments`."""
    ctx = info.context
    if not permission(ctx.viewer, arguments):
        log.warning("forbidden: %s may not %s (needs %s)", ctx.viewer.label, name, permission.name)
        message = f"{ctx.viewer.role.value} callers may not {name} (needs {permission.name})"
        return refused([UserError(message=message, code="FORBIDDEN")])
    try:
        async with ctx.engine.begin() as connection:
            payload = await work(connection)
            await note_change(connection)
            return payload
    except ApiError as error:
        if isinstance(error, Forbidden):
            log.warning("forbidden: %s may not %s: %s", ctx.viewer.label, name, error.message)
        return refused([UserError(message=error.message, code=error.code, field=error.field)])
    except sa.exc.IntegrityError as error:
        code, message = constraint_error(error)
        return refused([UserError(message=message, code=code)])
    except sa.exc.DBAPIError as error:
        found = data_error(error)
        if found is None:
            raise
        return refused([UserError(message=found, code="INVALID_VALUE")])
