"""Reading alliances and memberships, including who held a role on a given date."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from db.base import table_of
from db.enums import AllianceScope, MembershipRole
from db.tables import Alliance, AllianceRoleCount, Membership
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
ROLE_COUNT = table_of(AllianceRoleCount)


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


@dataclass(frozen=True, slots=True)
class RoleCount:
    """Members in a role: as the alliance's source declares them (None: no count declared)
    and as named here (its current memberships in that role)."""

    role: MembershipRole
    declared: int | None
    named: int


def role_counts_of(ctx: Context) -> DataLoader[int, list[RoleCount]]:
    """The role counts of each alliance, in role order (one statement per request)."""

    async def batch(keys: Any) -> list[list[RoleCount]]:
        ids = list(keys)
        declared = sa.select(
            ROLE_COUNT.c.alliance_id, ROLE_COUNT.c.role, ROLE_COUNT.c.declared, sa.null()
        ).where(ROLE_COUNT.c.alliance_id.in_(ids))
        named = (
            sa.select(MEMBERSHIP.c.alliance_id, MEMBERSHIP.c.role, sa.null(), sa.func.count())
            .where(MEMBERSHIP.c.alliance_id.in_(ids), MEMBERSHIP.c.left_on.is_(None))
            .group_by(MEMBERSHIP.c.alliance_id, MEMBERSHIP.c.role)
        )
        found: dict[int, dict[MembershipRole, list[int | None]]] = {k: {} for k in ids}
        async with ctx.engine.connect() as connection:
            rows = await connection.execute(sa.union_all(declared, named))
            for alliance_id, role, count, members in rows.all():
                entry = found[alliance_id].setdefault(MembershipRole(role), [None, 0])
                if count is not None:
                    entry[0] = int(count)
                if members is not None:
                    entry[1] = int(members)
        order = list(MembershipRole)
        return [
            [
                RoleCount(role, declared_count, int(named_count or 0))
                for role, (declared_count, named_count) in sorted(
                    found[k].items(), key=lambda item: order.index(item[0])
                )
            ]
            for k in ids
        ]

    loader: DataLoader[int, list[RoleCount]] = ctx.loaders.lists("alliance_role_counts", batch)
    return loader
