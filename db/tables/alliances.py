"""Alliances (named consortia) and their memberships, one row per role held over a period."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from db.base import Mutable, check_enum, check_order, fk
from db.enums import AllianceScope, MembershipRole
from db.tables.changes import ID_LIST

__all__ = ["Alliance", "AllianceRoleCount", "Membership"]


class Alliance(Mutable, table=True):
    __tablename__ = "alliance"
    __table_args__ = (check_enum("scope", AllianceScope),)

    name: str = Field(index=True, max_length=500, unique=True)
    local_name: str | None = Field(default=None, max_length=500)
    short_name: str | None = Field(default=None, max_length=100)
    scope: str = Field(index=True)
    secretariat_id: int | None = fk("organization.id", ondelete="SET NULL")
    founded_on: date | None = None
    founded_place: str | None = Field(default=None, max_length=200)
    website: str | None = Field(default=None, max_length=500)
    description: str | None = None
    reminder_lead_days: list[int] | None = Field(default=None, sa_type=ID_LIST)
    """Days before a deadline its reminders are sent (`resolvers.reminders`); null: the
    server's default (`PARTNERGRAPH_REMINDER_LEAD_DAYS`)."""


class Membership(Mutable, table=True):
    __tablename__ = "membership"
    __table_args__ = (
        check_enum("role", MembershipRole),
        check_order("joined_on", "left_on"),
        sa.Index(
            "uq_membership_current",
            "alliance_id",
            "organization_id",
            unique=True,
            sqlite_where=sa.text("left_on IS NULL"),
            postgresql_where=sa.text("left_on IS NULL"),
        ),
        sa.Index(
            "uq_membership_one_chair",
            "alliance_id",
            unique=True,
            sqlite_where=sa.text("role = 'chair' AND left_on IS NULL"),
            postgresql_where=sa.text("role = 'chair' AND left_on IS NULL"),
        ),
    )

    alliance_id: int = fk("alliance.id", required=True, ondelete="CASCADE")
    organization_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    role: str = Field(index=True)
    joined_on: date | None = None
    left_on: date | None = Field(default=None, index=True)


class AllianceRoleCount(Mutable, table=True):
    """How many members hold a role as the alliance's source declares it, whether or not each
    is named: the named ones are its memberships, the rest are known only as a number."""

    __tablename__ = "alliance_role_count"
    __table_args__ = (
        sa.UniqueConstraint("alliance_id", "role"),
        check_enum("role", MembershipRole),
        sa.CheckConstraint("declared >= 0", name="declared_non_negative"),
    )

    alliance_id: int = fk("alliance.id", required=True, ondelete="CASCADE")
    role: str
    declared: int
    source: str | None = Field(default=None, max_length=500)
