"""API tokens: who may call, in which role, over which organization or alliance.

Only a hash of each token's secret is stored; the secret is shown once, when it is made.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, check_enum, fk, stamp
from db.enums import TokenRole

__all__ = ["AccessChange", "ApiToken"]


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


class AccessChange(SQLModel, table=True):
    """One row whose value moves, in the same transaction, with every change that can alter
    what a token admits: a token changed or removed, an organization added or removed or moved
    under another. Triggers move it on PostgreSQL (migration 0006), whoever writes, so a
    worker that kept a token's viewer can ask, inside the statement that reads for it, whether
    the viewer is still the one the database would give (`resolvers.token_cache`)."""

    __tablename__ = "access_change"

    id: int = Field(primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"nullable": False})
