"""Alliances and their memberships (organization, role, joined, left); the root list."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import alliances as reads
from resolvers.nodes import row_of
from schema.enums import AllianceScope, MembershipRole
from schema.relay import Connection, Info, Node, connection, list_request, related

if TYPE_CHECKING:
    from schema.activities import Activity
    from schema.agreements import HistoryEntry
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

    @strawberry.field(description="The organization that runs the alliance's secretariat.")
    async def secretariat(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.secretariat_id)

    @strawberry.field(description="Members with their roles, chair first.")
    async def memberships(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: MembershipFilter | None = None,
    ) -> Connection["Membership"]:
        loader = reads.memberships_of_alliances(
            info.context,
            filter=filter,
            request=await list_request(info, first, after, filter),
        )
        return connection(await loader.load(self.pk), Membership.from_row)

    @strawberry.field(description="Meetings and events of the alliance.")
    async def activities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Activity", strawberry.lazy("schema.activities")]]:
        from schema.activities import Activity

        return await related(
            info, "Alliance.activities", self.pk, Activity.from_row, first=first, after=after
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

    @strawberry.field
    async def alliance(self, info: Info) -> Alliance | None:
        return Alliance.from_optional(await row_of(info.context, "Alliance", self.alliance_id))

    @strawberry.field(description="Every change of this membership, oldest first.")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["HistoryEntry", strawberry.lazy("schema.agreements")]]:
        from schema.agreements import HistoryEntry

        return await related(
            info, "Membership.history", self.pk, HistoryEntry.from_row, first=first, after=after
        )

    @strawberry.field
    async def organization(self, info: Info) -> OrganizationRef | None:
        return await _organization(info, self.organization_id)


@strawberry.type
class AllianceQuery:
    @strawberry.field(description="Alliances by name; at most 100 a page.")
    async def alliances(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AllianceFilter | None = None,
        order_by: AllianceOrder | None = None,
    ) -> Connection[Alliance]:
        page = await reads.alliances_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter),
        )
        return connection(page, Alliance.from_row)
