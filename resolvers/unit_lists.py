"""An organization's nested lists that take in its units: the programs it or one of its units
(at any depth) is a partner of, and the activities it or one of its units took part in; the
organization alone with `filter: {includeUnits: false}`, as the top-level filters read it.

Each row is listed once per organization however many of its units are involved: the list is
the rows joined to the listing organization (`key`) on an EXISTS over the link rows below it
(the unit tree's closure, `resolvers.units`). Both roads (the loaders below and
`resolvers.compiled.lists`) read the statements made here, so they answer alike.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db import tables as t
from db.base import table_of
from resolvers import activities as activity_reads
from resolvers import programs as program_reads
from resolvers.context import Context
from resolvers.ordering import order_by_field
from resolvers.paging import Page, PageRequest
from resolvers.reading import Reader, narrowed
from resolvers.units import UNIT

__all__ = [
    "activities_of_organizations",
    "organization_activities",
    "organization_programs",
    "programs_of_organizations",
]

ORGANIZATION = table_of(t.Organization)
PROGRAM_LISTING = ORGANIZATION.alias("program_listing")
ACTIVITY_LISTING = ORGANIZATION.alias("activity_listing")


def _under(
    listing: sa.FromClause, link: sa.Table, organization: str, include_units: bool
) -> ColumnElement[bool]:
    """The link row's organization is the listing organization, or (with `include_units`) one
    of its units at any depth."""
    if not include_units:
        return link.c[organization] == listing.c.id
    unit = UNIT.alias(f"{link.name}_unit")
    return link.c[organization].in_(
        sa.select(unit.c.unit_id).where(unit.c.ancestor_id == listing.c.id).correlate(listing)
    )


def organization_programs(
    reader: Reader, filter: program_reads.ProgramFilter | None
) -> tuple[sa.Select[Any], ColumnElement[Any]]:
    """The rows of organizations' program lists and the column naming the organization."""
    program, partner = program_reads.PROGRAM, program_reads.PARTNER
    units = filter is None or filter.include_units
    linked = (
        sa.exists()
        .where(
            partner.c.program_id == program.c.id,
            _under(PROGRAM_LISTING, partner, "organization_id", units),
        )
        .correlate(PROGRAM_LISTING, program)
    )
    statement = reader.select(program).select_from(PROGRAM_LISTING.join(program, linked))
    return narrowed(statement, program_reads.program_conditions(filter)), PROGRAM_LISTING.c.id


def organization_activities(
    reader: Reader, filter: activity_reads.ActivityFilter | None
) -> tuple[sa.Select[Any], ColumnElement[Any]]:
    """The rows of organizations' activity lists and the column naming the organization."""
    activity, participant = activity_reads.ACTIVITY, activity_reads.PARTICIPANT
    units = filter is None or filter.include_units
    linked = (
        sa.exists()
        .where(
            participant.c.activity_id == activity.c.id,
            _under(ACTIVITY_LISTING, participant, "organization_id", units),
        )
        .correlate(ACTIVITY_LISTING, activity)
    )
    statement = reader.select(activity).select_from(ACTIVITY_LISTING.join(activity, linked))
    return narrowed(statement, activity_reads.activity_conditions(filter)), ACTIVITY_LISTING.c.id


def program_ordering(order: program_reads.ProgramOrder | None) -> list[Any]:
    return order_by_field(program_reads.PROGRAM, order or program_reads.ProgramOrder())


def activity_ordering(order: activity_reads.ActivityOrder | None) -> list[Any]:
    return order_by_field(activity_reads.ACTIVITY, order or activity_reads.ActivityOrder())


def programs_of_organizations(
    ctx: Context,
    *,
    filter: program_reads.ProgramFilter | None,
    order: program_reads.ProgramOrder | None,
    request: PageRequest,
) -> DataLoader[int, Page]:
    return ctx.loaders.children(
        program_reads.PROGRAM,
        key=PROGRAM_LISTING.c.id,
        statement=lambda: organization_programs(ctx.reader, filter)[0],
        order_by=program_ordering(order),
        request=request,
        args=("organization programs", repr(filter), repr(order)),
    )


def activities_of_organizations(
    ctx: Context,
    *,
    filter: activity_reads.ActivityFilter | None,
    order: activity_reads.ActivityOrder | None,
    request: PageRequest,
) -> DataLoader[int, Page]:
    return ctx.loaders.children(
        activity_reads.ACTIVITY,
        key=ACTIVITY_LISTING.c.id,
        statement=lambda: organization_activities(ctx.reader, filter)[0],
        order_by=activity_ordering(order),
        request=request,
        args=("organization activities", repr(filter), repr(order)),
    )
