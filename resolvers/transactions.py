"""One transaction per write, and what the database refuses told as an `ApiError`.

`in_transaction` runs a write's work on one connection and commits it, raising the network
change counter (`resolvers.network_changes`) as its last statement; any exception rolls
everything back. The feed's subscribers are woken after the commit, in a transaction of its
own (`resolvers.change_wakeup.announce_committed`). It first tells the database who is
writing (`resolvers.change_actor`), so the change events the triggers write in the same
transaction name the caller's token.

A violated database rule (`constraint_error`) or a value the database cannot
store (`data_error`) comes out as `RefusedByDatabase`: the last line of defence, since the
services and the scalars check what they can first, with better messages.
"""

import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from resolvers.change_actor import Actor, acting, done_acting
from resolvers.change_wakeup import announce_committed, committed
from resolvers.errors import ApiError
from resolvers.network_changes import note_change

__all__ = ["TEXT_TOO_LONG", "RefusedByDatabase", "constraint_error", "data_error", "in_transaction"]

T = TypeVar("T")

_CONSTRAINT = re.compile(r'constraint(?: failed)?:? "?([a-z0-9_.]+)"?', re.IGNORECASE)

TEXT_TOO_LONG = "a text is too long for its field"

_DATA_ERRORS = {
    "22003": "a number is too large for its field",
    "22001": TEXT_TOO_LONG,
    "22008": "a date or time is out of range",
    "22007": "a date or time is not valid",
}


class RefusedByDatabase(ApiError):
    """The database refused a write: a rule broken or a value it cannot store."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def constraint_error(error: sa.exc.IntegrityError) -> tuple[str, str]:
    """A code and a readable message for a violated database rule."""
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


def data_error(error: sa.exc.DBAPIError) -> str | None:
    """A readable message when the database refused a value (SQLSTATE class 22, data
    exception: a number over a column's precision, say), else `None`."""
    state = getattr(getattr(error.orig, "__cause__", None), "sqlstate", None)
    state = state or getattr(error.orig, "sqlstate", None)
    if not isinstance(state, str) or not state.startswith("22"):
        return None
    return _DATA_ERRORS.get(state, "a value cannot be stored as given")


async def in_transaction(
    engine: AsyncEngine,
    work: Callable[[AsyncConnection], Awaitable[T]],
    *,
    actor: Actor | None = None,
) -> T:
    """`work` in one transaction, its change events naming `actor`, that, if it commits, also
    raises the network change counter and wakes the feed's subscribers
    (`resolvers.change_wakeup`); `RefusedByDatabase` when the database refuses the
    write, any other error as it came."""
    try:
        async with engine.connect() as connection:
            async with connection.begin():
                if actor is not None:
                    await acting(connection, actor)
                result = await work(connection)
                await note_change(connection)
                if actor is not None:
                    await done_acting(connection)
            await announce_committed(connection)
        committed(engine)
        return result
    except sa.exc.IntegrityError as error:
        code, message = constraint_error(error)
        raise RefusedByDatabase(message, code=code) from error
    except sa.exc.DBAPIError as error:
        found = data_error(error)
        if found is None:
            raise
        raise RefusedByDatabase(found, code="INVALID_VALUE") from error
