"""Who is asking: the caller of a request, as resolved from its credentials."""

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Role", "Viewer"]


class Role(StrEnum):
    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    EDITOR = "editor"
    VIEWER = "viewer"
    REPORTER = "reporter"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Viewer:
    """A caller. `scope` is its organization and every unit below it (empty without one)."""

    role: Role
    organization_id: int | None = None
    alliance_id: int | None = None
    token_id: int | None = None
    scope: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def anonymous(cls) -> "Viewer":
        return cls(role=Role.ANONYMOUS)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_anonymous(self) -> bool:
        return self.role is Role.ANONYMOUS

    @property
    def sees_records(self) -> bool:
        """Whether the caller may see anything beyond public profiles (reporters and anonymous
        callers may not)."""
        return self.role in {Role.ADMIN, Role.SECRETARIAT, Role.EDITOR, Role.VIEWER}

    @property
    def label(self) -> str:
        """How the caller appears in logs and rate-limit keys (never the secret)."""
        return f"token:{self.token_id}" if self.token_id is not None else self.role.value
