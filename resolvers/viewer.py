"""Who is asking: the caller of a request, as resolved from its credentials."""

from dataclasses import dataclass
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
    role: Role
    organization_id: int | None = None
    alliance_id: int | None = None
    token_id: int | None = None

    @classmethod
    def anonymous(cls) -> "Viewer":
        return cls(role=Role.ANONYMOUS)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
