"""Reading organizations: filters, ordering, the root list and the lists hanging off one."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db.base import table_of
from db.enums import OrganizationKind, OrganizationStatus
from db.tables import Membership, Organization, Position
from resolvers.context import Context
from resolvers.ids import decode_id_of, reference_to
from resolvers.modified import Modified, modifiable
from resolvers.ordering import SortDirection, ordered
from resolvers.paging import Page, PageRequest
from resolvers.text_search import text_matches

__all__ = [
    "ORGANIZATION",
    "OrganizationFilter",
    "OrganizationOrder",
    "OrganizationOrderField",
    "organization_conditions",
    "organization_ordering",
    "organizations_page",
    "units_of",
]

ORGANIZATION = table_of(Organization)
MEMBERSHIP = table_of(Membership)
POSITION = table_of(Position)


@dataclass
class OrganizationFilter(Modified):
    kind: list[OrganizationKind] | None = None
    status: list[OrganizationStatus] | None = None
    country: list[str] | None = None
    region: list[str] | None = None
    parent: strawberry.ID | None = reference_to("Organization")
    alliance: strawberry.ID | None = reference_to("Alliance")
    text: str | None = None
    ror_id: str | None = None


class OrganizationOrderField(StrEnum):
    NAME = "name"
    COUNTRY = "country"
    KIND = "kind"
    CREATED_AT = "created_at"


@dataclass
class OrganizationOrder:
    field: OrganizationOrderField = OrganizationOrderField.NAME
    direction: SortDirection = SortDirection.ASC


@modifiable(ORGANIZATION)
def organization_conditions(
    f: OrganizationFilter | None, *, field: str = "filter"
) -> list[ColumnElement[bool]]:
    """The SQL conditions of an organization filter (they compose with AND)."""
    if f is None:
        return []
    t = ORGANIZATION.c
    conditions: list[ColumnElement[bool]] = []
    if f.kind:
        conditions.append(t.kind.in_([k.value for k in f.kind]))
    if f.status:
        conditions.append(t.status.in_([s.value for s in f.status]))
    if f.country:
        conditions.append(t.country.in_([c.upper() for c in f.country]))
    if f.region:
        conditions.append(t.region.in_(f.region))
    if f.parent is not None:
        conditions.append(t.parent_id == decode_id_of(f.parent, "Organization", field=field))
    if f.alliance is not None:
        alliance_id = decode_id_of(f.alliance, "Alliance", field=field)
        m = MEMBERSHIP.c
        conditions.append(
            t.id.in_(
                sa.select(m.organization_id).where(
                    m.alliance_id == alliance_id, m.left_on.is_(None)
                )
            )
        )
    if f.text:
        conditions.append(text_matches(ORGANIZATION, ("name", "local_name", "short_name"), f.text))
    if f.ror_id:
        conditions.append(t.ror_id == f.ror_id)
    return conditions


def organization_ordering(order: OrganizationOrder | None) -> list[Any]:
    order = order or OrganizationOrder()
    return ordered([ORGANIZATION.c[order.field.value]], order.direction)


async def organizations_page(
    ctx: Context,
    *,
    filter: OrganizationFilter | None,
    order: OrganizationOrder | None,
    request: PageRequest,
) -> Page:
    return await ctx.reader.page(
        ORGANIZATION,
        where=organization_conditions(filter),
        order_by=organization_ordering(order),
        request=request,
    )


def units_of(
    ctx: Context,
    *,
    filter: OrganizationFilter | None,
    order: OrganizationOrder | None,
    request: PageRequest,
) -> DataLoader[int, Page]:
    """Pages of the units (schools, departments, colleges) of each parent organization."""
    return ctx.loaders.children(
        ORGANIZATION,
        key=ORGANIZATION.c.parent_id,
        where=organization_conditions(filter),
        order_by=organization_ordering(order),
        request=request,
        args=(repr(filter), repr(order)),
    )
