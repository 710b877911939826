"""Who may change what, declared next to each mutation (`schema.mutations.permitted`).

A permission is a named predicate over the viewer and the mutation's decoded arguments; the
mutation itself never checks. Rules: admins everything; an editor changes its own
organization's records (its scope: the organization and its units) and signs for it; a
secretariat manages its own alliance's memberships and activities; viewers and reporters
change nothing.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from resolvers.errors import Forbidden
from resolvers.viewer import Role, Viewer

__all__ = [
    "ADMIN",
    "Permission",
    "edits_organization",
    "manages_alliance",
    "require_editor",
    "require_secretariat",
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


def require_editor(viewer: Viewer, organizations: Iterable[int | None], *, doing: str) -> None:
    """Admins, or an editor whose scope holds one of `organizations`; else `Forbidden`."""
    if viewer.is_admin:
        return
    if viewer.role is Role.EDITOR and viewer.scope & {o for o in organizations if o is not None}:
        return
    raise Forbidden(
        f"{viewer.role.value} callers may not {doing} (needs an editor of an organization "
        "concerned, or an admin)"
    )


def require_secretariat(viewer: Viewer, alliance_id: int, *, doing: str) -> None:
    if viewer.is_admin:
        return
    if viewer.role is Role.SECRETARIAT and viewer.alliance_id == alliance_id:
        return
    raise Forbidden(
        f"{viewer.role.value} callers may not {doing} (needs the alliance's secretariat, or an "
        "admin)"
    )
