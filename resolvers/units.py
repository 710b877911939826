"""Units rolled up into their organizations: the SQL every filter by organization uses.

An organization's units (schools, departments, colleges, at any depth) are read from the unit
tree's closure, `organization_unit` (db/tables/organizations.py), kept by triggers as
`parent_id` changes: "the organization and everything below it" is one index range
(`ancestor_id = :id`), and "the top-level institution of each organization" one join. A filter
asks for the roll-up by default and for the organization alone with `includeUnits: false`.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.base import table_of

__all__ = [
    "UNIT",
    "creates_cycle",
    "in_organization",
    "in_organizations",
    "top_level",
    "units_of",
]

UNIT = table_of(t.OrganizationUnit)
ORGANIZATION = table_of(t.Organization)


def units_of(organization_id: int) -> sa.Select[tuple[int]]:
    """The organization and every unit below it, at any depth."""
    return sa.select(UNIT.c.unit_id).where(UNIT.c.ancestor_id == organization_id).correlate(None)


def in_organization(
    column: ColumnElement[Any], organization_id: int, include_units: bool
) -> ColumnElement[bool]:
    """`column` names the organization, or (with `include_units`) one of its units."""
    if not include_units:
        return column == organization_id
    return column.in_(units_of(organization_id))


def in_organizations(
    column: ColumnElement[Any], organizations: sa.Select[Any], include_units: bool
) -> ColumnElement[bool]:
    """`column` names one of `organizations` (a one-column select), or one of their units."""
    if not include_units:
        return column.in_(organizations)
    below = sa.select(UNIT.c.unit_id).where(UNIT.c.ancestor_id.in_(organizations)).correlate(None)
    return column.in_(below)


def top_level() -> sa.Subquery:
    """Each organization (`unit_id`) with the top-level organization it belongs to
    (`institution_id`: itself when it has no parent)."""
    root = ORGANIZATION.alias("institution")
    return (
        sa.select(UNIT.c.unit_id, UNIT.c.ancestor_id.label("institution_id"))
        .join(root, root.c.id == UNIT.c.ancestor_id)
        .where(root.c.parent_id.is_(None))
        .subquery("top_level")
    )


async def creates_cycle(connection: AsyncConnection, organization_id: int, parent_id: int) -> bool:
    """Whether making `parent_id` the parent of `organization_id` closes a loop: the parent is
    the organization itself or one of its units."""
    found = await connection.scalar(
        sa.select(UNIT.c.unit_id).where(
            UNIT.c.ancestor_id == organization_id, UNIT.c.unit_id == parent_id
        )
    )
    return found is not None
