"""Organizations, their units and their identifiers in external registries."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import Mutable, check_enum, fk, trigram_index
from db.enums import OrganizationKind, OrganizationStatus
from db.tables.changes import ID_LIST

__all__ = ["Organization", "OrganizationIdentifier", "OrganizationRelation", "OrganizationUnit"]


class Organization(Mutable, table=True):
    __tablename__ = "organization"
    __table_args__ = (
        check_enum("kind", OrganizationKind),
        check_enum("status", OrganizationStatus),
        sa.CheckConstraint("length(country) = 2 AND upper(country) = country", name="country_iso"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.Index("ix_organization_country_kind", "country", "kind"),
        *(trigram_index("organization", c) for c in ("name", "local_name", "short_name")),
    )

    kind: str = Field(index=True)
    name: str = Field(index=True, max_length=500)
    local_name: str | None = Field(default=None, max_length=500)
    short_name: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=2, index=True)
    region: str | None = Field(default=None, max_length=200, index=True)
    city: str | None = Field(default=None, max_length=200)
    website: str | None = Field(default=None, max_length=500)
    ror_id: str | None = Field(default=None, max_length=50, unique=True)
    description: str | None = None
    status: str = Field(default=OrganizationStatus.ACTIVE.value, index=True)
    parent_id: int | None = fk("organization.id", ondelete="SET NULL")
    is_illustrative: bool = Field(default=False)
    latitude: float | None = None
    longitude: float | None = None
    reminder_lead_days: list[int] | None = Field(default=None, sa_type=ID_LIST)
    """Days before a deadline its reminders are sent (`resolvers.reminders`); null: the
    server's default (`PARTNERGRAPH_REMINDER_LEAD_DAYS`)."""
    source: str | None = Field(default=None, max_length=20)
    """The registry that owns the row's fields (`ror`, `cordis`, `universities`), or none when
    the row was made by hand; see `db.loaders.merge`."""


class OrganizationIdentifier(SQLModel, table=True):
    """An identifier of an organization in another registry (ROR, GRID, ISNI, a web domain...)."""

    __tablename__ = "organization_identifier"
    __table_args__ = (sa.UniqueConstraint("scheme", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    scheme: str = Field(max_length=40)
    value: str = Field(max_length=300)


class OrganizationRelation(SQLModel, table=True):
    """A link a registry states between two organizations (ROR: parent, child, related,
    successor, predecessor), kept even when the other organization is not loaded."""

    __tablename__ = "organization_relation"
    __table_args__ = (sa.UniqueConstraint("organization_id", "kind", "related_ror_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    related_ror_id: str = Field(max_length=50)
    related_id: int | None = fk("organization.id", ondelete="SET NULL")
    label: str | None = Field(default=None, max_length=500)


class OrganizationUnit(SQLModel, table=True):
    """The unit tree's closure: one row per organization and each organization at or below it
    (its own row at depth 0, its units at 1, theirs at 2...).

    Kept by triggers on `organization` (migration 0008_units), so every write of `parent_id`,
    from the API, a registry load or a bulk COPY, keeps it current; a parent that would make a
    cycle fails on its primary key. Reads that roll units up into their organization
    (`resolvers.units`) probe it by `ancestor_id`: measured against a recursive walk of
    `parent_id` in docs/institutions.md."""

    __tablename__ = "organization_unit"

    ancestor_id: int = Field(foreign_key="organization.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(
        foreign_key="organization.id", primary_key=True, ondelete="CASCADE", index=True
    )
    depth: int = Field(sa_column_kwargs={"nullable": False})
