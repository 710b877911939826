"""Reading alliances and memberships, including who held a role on a given date."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db.base import table_of
from db.enums import AllianceScope, MembershipRole
from db.tables import Alliance, Membership
from resolvers.context import Context
from resolvers.modified import Modified, modifiable
from resolvers.ordering import SortDirection, order_by_field
from resolvers.paging import Page, PageRequest
from resolvers.text_search import text_matches

__all__ = [
    "ALLIANCE",
    "MEMBERSHIP",
    "MEMBERSHIP_ORDER",
    "AllianceFilter",
    "AllianceOrder",
    "AllianceOrderField",
    "MembershipFilter",
    "alliance_conditions",
    "alliances_page",
    "membership_conditions",
    "memberships_of_alliances",
]

ALLIANCE = table_of(Alliance)
MEMBERSHIP = table_of(Membership)


@dataclass
class AllianceFilter(Modified):
    scope: list[AllianceScope] | None = None
    text: str | None = None


@dataclass
class MembershipFilter(Modified):
    role: list[MembershipRole] | None = None
    on: date | None = None
    current: bool | None = None


class AllianceOrderField(StrEnum):
    NAME = "name"
    FOUNDED_ON = "founded_on"
    CREATED_AT = "created_at"


@dataclass
class AllianceOrder:
    field: AllianceOrderField = AllianceOrderField.NAME
    direction: SortDirection = SortDirection.ASC


@modifiable(ALLIANCE)
def alliance_conditions(f: AllianceFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if f.scope:
        conditions.append(ALLIANCE.c.scope.in_([s.value for s in f.scope]))
    if f.text:
        conditions.append(text_matches(ALLIANCE, ("name", "local_name", "short_name"), f.text))
    return conditions


@modifiable(MEMBERSHIP)
def membership_conditions(f: MembershipFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    m = MEMBERSHIP.c
    conditions: list[ColumnElement[bool]] = []
    if f.role:
        conditions.append(m.role.in_([r.value for r in f.role]))
    if f.on is not None:
        conditions.append(sa.or_(m.joined_on.is_(None), m.joined_on <= f.on))
        conditions.append(sa.or_(m.left_on.is_(None), m.left_on > f.on))
    if f.current is True:
        conditions.append(m.left_on.is_(None))
    elif f.current is False:
        conditions.append(m.left_on.is_not(None))
    return conditions


async def alliances_page(
    ctx: Context,
    *,
    filter: AllianceFilter | None,
    order: AllianceOrder | None,
    request: PageRequest,
) -> Page:
    return await ctx.reader.page(
        ALLIANCE,
        where=alliance_conditions(filter),
        order_by=order_by_field(ALLIANCE, order or AllianceOrder()),
        request=request,
    )


ROLE_RANK = sa.case(
    {role.value: rank for rank, role in enumerate(MembershipRole)}, value=MEMBERSHIP.c.role
)
MEMBERSHIP_ORDER = (ROLE_RANK, MEMBERSHIP.c.joined_on)
"""An alliance's members: chair first, then by role and joining date."""


def memberships_of_alliances(
    ctx: Context, *, filter: MembershipFilter | None, request: PageRequest
) -> DataLoader[int, Page]:
    """Pages of each alliance's memberships, chair first, then by role and joining date."""
    return ctx.loaders.children(
        MEMBERSHIP,
        key=MEMBERSHIP.c.alliance_id,
        where=membership_conditions(filter),
        order_by=MEMBERSHIP_ORDER,
        request=request,
        args=repr(filter),
    )
