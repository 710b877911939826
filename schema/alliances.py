"""Alliances and their memberships (organization, role, joined, left); the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import alliances as reads
from resolvers.compiled import lists
from resolvers.nodes import row_of
from schema.compiled.declare import child_list, list_of, referenced
from schema.enums import AllianceScope, MembershipRole
from schema.relay import Connection, Info, Node, connection, list_request

if TYPE_CHECKING:
    from schema.network import AllianceNetwork, NetworkFilter
    from schema.organizations import Organization

__all__ = ["Alliance", "AllianceFilter", "AllianceQuery", "Membership", "MembershipFilter"]

OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organizations")]


async def _organization(info: Info, key: int | None) -> "Organization | None":
    from schema.organizations import Organization

    return Organization.from_optional(await row_of(info.context, "Organization", key))


@strawberry.input(description="Conditions on alliances.")
class AllianceFilter(reads.AllianceFilter):
    pass


@strawberry.input(description="How to sort the list.")
class AllianceOrder(reads.AllianceOrder):
    pass


@strawberry.input(
    description="Conditions on memberships: `on` keeps those held on that date (who was "
    "vice-chair then), `current` those not yet left."
)
class MembershipFilter(reads.MembershipFilter):
    pass


@strawberry.type(description="A named consortium: provincial, national or international.")
class Alliance(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    name: str
    local_name: str | None
    short_name: str | None
    scope: AllianceScope
    founded_on: date | None
    founded_place: str | None
    website: str | None
    description: str | None
    secretariat_id: strawberry.Private[int | None]

    secretariat = referenced(
        "Organization",
        "secretariat_id",
        description="The organization that runs the alliance's secretariat.",
    )

    @strawberry.field(
        description="Members with their roles, chair first.",
        metadata=child_list(lists.MEMBERSHIPS_OF_ALLIANCES),
    )
    async def memberships(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: MembershipFilter | None = None,
    ) -> Connection["Membership"]:
        loader = reads.memberships_of_alliances(
            info.context,
            filter=filter,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(await loader.load(self.pk), Membership.from_row)

    activities = list_of(
        "Alliance.activities", "Activity", description="Meetings and events of the alliance."
    )

    @strawberry.field(
        description="The members as a network: who has no agreement with another member, who "
        "works together only through third parties, and the density over time.",
        metadata={"cost": 500},
    )
    async def network(
        self,
        info: Info,
        filter: Annotated["NetworkFilter", strawberry.lazy("schema.network")] | None = None,
    ) -> Annotated["AllianceNetwork", strawberry.lazy("schema.network")]:
        from schema.network import alliance_network

        return await alliance_network(info, self.pk, filter)


@strawberry.type(description="An organization's role in an alliance over a period.")
class Membership(Node):
    role: MembershipRole
    joined_on: date | None
    left_on: date | None
    version: int
    alliance_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    alliance = referenced("Alliance", "alliance_id")

    history = list_of(
        "Membership.history",
        "HistoryEntry",
        description="Every change of this membership, oldest first.",
    )

    organization = referenced("Organization", "organization_id")


@strawberry.type
class AllianceQuery:
    @strawberry.field(
        description="Alliances by name; at most 100 a page.",
        metadata=child_list(lists.ALLIANCES),
    )
    async def alliances(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AllianceFilter | None = None,
        order_by: AllianceOrder | None = None,
    ) -> Connection[Alliance]:
        page = await reads.alliances_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Alliance.from_row)
