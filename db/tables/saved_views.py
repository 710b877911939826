"""Saved views: named GraphQL queries a portal registers, one row per version.

A view's name is one namespace for the whole server (`GET /views/<name>` must mean the same
view to every caller, anonymous ones included); the organization that saved version 1 owns the
name (none: an admins' view), and every later version keeps it. Saving again adds a row with
the next `version`; old versions stay readable. `sha256` is the hex SHA-256 of `document`, the
hash an Automatic Persisted Query names it by.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import UTCDateTime, fk, utcnow

__all__ = ["SavedView"]


class SavedView(SQLModel, table=True):
    __tablename__ = "saved_view"
    __table_args__ = (
        sa.UniqueConstraint("name", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    version: int = Field(sa_column_kwargs={"nullable": False})
    organization_id: int | None = fk("organization.id", ondelete="CASCADE")
    document: str
    operation_name: str | None = Field(default=None, max_length=200)
    sha256: str = Field(max_length=64, index=True)
    cost: int
    saved_by: str = Field(max_length=200)
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
