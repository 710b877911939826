"""`modifiedSince` on every list filter: the records changed at or after a time.

Every filter of a list of entities inherits `Modified`, and its conditions function is wrapped
by `modifiable(table)`, which adds `updated_at >= modifiedSince` when it is given, so the root
lists, the nested ones and the compiled road (all built from the same conditions functions)
filter alike. `updated_at` is set on every write (`db.base.updated_stamp`). The bound is
inclusive, so a mirror that asks again from the time of its last read misses nothing written
in the same instant; what it reads twice it simply writes again (docs/changes.md).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["MODIFIED_SINCE", "Modified", "modifiable"]

P = ParamSpec("P")

MODIFIED_SINCE = (
    "Only records created or changed at or after this time (their `updatedAt`): ask again "
    "with the time of your last read to mirror a list (see the change feed, `changes`)."
)


@dataclass
class Modified:
    modified_since: datetime | None = None


def modifiable(
    table: sa.Table,
) -> Callable[[Callable[P, list[ColumnElement[bool]]]], Callable[P, list[ColumnElement[bool]]]]:
    """Adds `table.updated_at >= modified_since` to the conditions of the `Modified` filter
    among the arguments of the wrapped function."""

    def decorate(
        conditions: Callable[P, list[ColumnElement[bool]]],
    ) -> Callable[P, list[ColumnElement[bool]]]:
        @functools.wraps(conditions)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> list[ColumnElement[bool]]:
            found = conditions(*args, **kwargs)
            given: Any = next((a for a in args if isinstance(a, Modified)), None)
            if given is None or given.modified_since is None:
                return found
            return [*found, table.c.updated_at >= given.modified_since]

        return wrapped

    return decorate
