"""API tokens: who may call, in which role, over which organization or alliance.

Only a hash of each token's secret is stored; the secret is shown once, when it is made.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from db.base import Mutable, check_enum, fk, stamp
from db.enums import TokenRole

__all__ = ["ApiToken"]


class ApiToken(Mutable, table=True):
    __tablename__ = "api_token"
    __table_args__ = (
        check_enum("role", TokenRole),
        sa.CheckConstraint(
            "role NOT IN ('editor', 'viewer') OR organization_id IS NOT NULL",
            name="organization_roles_have_organization",
        ),
        sa.CheckConstraint(
            "role <> 'secretariat' OR alliance_id IS NOT NULL",
            name="secretariat_has_alliance",
        ),
    )

    name: str = Field(max_length=200)
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    role: str = Field(index=True)
    organization_id: int | None = fk("organization.id", ondelete="CASCADE")
    alliance_id: int | None = fk("alliance.id", ondelete="CASCADE")
    expires_at: datetime | None = stamp()
    revoked_at: datetime | None = stamp()
