"""Who may change what, declared next to each mutation (`schema.mutations.permitted`).

A permission is a named predicate over the viewer and the mutation's decoded arguments; the
mutation itself never checks. Rules: admins everything; an editor changes its own
organization's records (its scope: the organization and its units) and signs for it; a
secretariat manages its own alliance's memberships and activities; viewers and reporters
change nothing.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from resolvers.viewer import Role, Viewer

__all__ = [
    "ADMIN",
    "Permission",
    "edits_organization",
    "manages_alliance",
]


@dataclass(frozen=True, slots=True)
class Permission:
    name: str
    allows: Callable[[Viewer, Mapping[str, Any]], bool]

    def __call__(self, viewer: Viewer, arguments: Mapping[str, Any]) -> bool:
        return viewer.is_admin or self.allows(viewer, arguments)


ADMIN = Permission("admin", lambda viewer, arguments: False)


def edits_organization(argument: str) -> Permission:
    """Editors of the organization (database key) in `arguments[argument]`, or above it."""
    return Permission(
        f"editor of {argument}",
        lambda viewer, arguments: (
            viewer.role is Role.EDITOR and arguments.get(argument) in viewer.scope
        ),
    )


def manages_alliance(argument: str) -> Permission:
    """The secretariat of the alliance (database key) in `arguments[argument]`."""
    return Permission(
        f"secretariat of {argument}",
        lambda viewer, arguments: (
            viewer.role is Role.SECRETARIAT and viewer.alliance_id == arguments.get(argument)
        ),
    )
