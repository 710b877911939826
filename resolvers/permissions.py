"""A role check a mutation can make before it opens a transaction (`schema.mutations`).

Only the admins-only mutations (API tokens) are decided here: `ADMIN`. Every other mutation
needs the records it names to decide (whose parties, which alliance, who owns a row), so it
passes `ANYONE` and calls the one declared write rule, `resolvers.write_scope`, inside its
transaction.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from resolvers.viewer import Viewer

__all__ = ["ADMIN", "ANYONE", "Permission"]


@dataclass(frozen=True, slots=True)
class Permission:
    name: str
    allows: Callable[[Viewer, Mapping[str, Any]], bool]

    def __call__(self, viewer: Viewer, arguments: Mapping[str, Any]) -> bool:
        return viewer.is_admin or self.allows(viewer, arguments)


ADMIN = Permission("admin", lambda viewer, arguments: False)
ANYONE = Permission("the write scope of the records it names", lambda viewer, arguments: True)
"""Decided on the records, inside the transaction (`resolvers.write_scope`)."""
