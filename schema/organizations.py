"""Organizations: the type, its filter and order inputs, and the root list."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import agreements as agreement_reads
from resolvers import organizations as reads
from resolvers.network import check_depth
from resolvers.nodes import row_of
from schema.enums import OrganizationKind, OrganizationStatus
from schema.limits import CHECKS
from schema.relay import Connection, Info, Node, connection, list_request, related

if TYPE_CHECKING:
    from schema.activities import Activity
    from schema.agreements import Agreement, AgreementFilter, AgreementOrder, AgreementParty
    from schema.alliances import Membership
    from schema.credits import Learner
    from schema.funding import Funding
    from schema.network import NetworkFilter, Partner
    from schema.people import Person, Position
    from schema.programs import Course, Program, ProgramPartner
    from schema.resources import Resource, ResourceShare

__all__ = ["Organization", "OrganizationFilter", "OrganizationOrder", "OrganizationQuery"]

_agreements = "schema.agreements"


@strawberry.input(description="Conditions on organizations; all given conditions must hold.")
class OrganizationFilter(reads.OrganizationFilter):
    pass


@strawberry.input(description="How to sort organizations.")
class OrganizationOrder(reads.OrganizationOrder):
    pass


@strawberry.type(
    description="A university, research institute, business, government body, international "
    "organization, or one of their units (school, department, college)."
)
class Organization(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    kind: OrganizationKind
    name: str = strawberry.field(description="The English name.")
    local_name: str | None = strawberry.field(description="The name in the local language.")
    short_name: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    region: str | None = strawberry.field(description="Province, state or region.")
    city: str | None
    website: str | None
    ror_id: str | None = strawberry.field(description="Research Organization Registry ID.")
    latitude: float | None = strawberry.field(description="WGS 84 latitude, from a registry.")
    longitude: float | None = strawberry.field(description="WGS 84 longitude, from a registry.")
    description: str | None
    status: OrganizationStatus
    is_illustrative: bool = strawberry.field(
        description="True when the record was added for illustration, not taken from a source."
    )
    parent_id: strawberry.Private[int | None]

    @strawberry.field(description="The organization this one is a unit of.")
    async def parent(self, info: Info) -> "Organization | None":
        return Organization.from_optional(
            await row_of(info.context, "Organization", self.parent_id)
        )

    @strawberry.field(description="Schools, departments and colleges of this organization.")
    async def units(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: OrganizationFilter | None = None,
        order_by: OrganizationOrder | None = None,
    ) -> Connection["Organization"]:
        loader = reads.units_of(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter),
        )
        return connection(await loader.load(self.pk), Organization.from_row)

    @strawberry.field(description="Agreements this organization is a party to.")
    async def agreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: Annotated["AgreementFilter", strawberry.lazy(_agreements)] | None = None,
        order_by: Annotated["AgreementOrder", strawberry.lazy(_agreements)] | None = None,
    ) -> Connection[Annotated["Agreement", strawberry.lazy(_agreements)]]:
        from schema.agreements import Agreement

        loader = agreement_reads.agreements_of_organizations(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter),
        )
        return connection(await loader.load(self.pk), Agreement.from_row)

    @strawberry.field(description="This organization's part in each agreement: role, signatory.")
    async def agreement_parties(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["AgreementParty", strawberry.lazy(_agreements)]]:
        from schema.agreements import AgreementParty

        return await related(
            info,
            "Organization.agreementParties",
            self.pk,
            AgreementParty.from_row,
            first=first,
            after=after,
        )

    @strawberry.field(description="Alliance memberships, past and present, with roles.")
    async def memberships(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Membership", strawberry.lazy("schema.alliances")]]:
        from schema.alliances import Membership

        return await related(
            info,
            "Organization.memberships",
            self.pk,
            Membership.from_row,
            first=first,
            after=after,
        )

    @strawberry.field(description="Positions held at this organization (its people).")
    async def positions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Position", strawberry.lazy("schema.people")]]:
        from schema.people import Position

        return await related(
            info, "Organization.positions", self.pk, Position.from_row, first=first, after=after
        )

    @strawberry.field(description="People holding or having held a position here, each once.")
    async def people(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Person", strawberry.lazy("schema.people")]]:
        from schema.people import Person

        return await related(
            info, "Organization.people", self.pk, Person.from_row, first=first, after=after
        )

    @strawberry.field(description="This organization's part in shared programs.")
    async def program_partners(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["ProgramPartner", strawberry.lazy("schema.programs")]]:
        from schema.programs import ProgramPartner

        return await related(
            info,
            "Organization.programPartners",
            self.pk,
            ProgramPartner.from_row,
            first=first,
            after=after,
        )

    @strawberry.field(description="Programs this organization runs with partners.")
    async def programs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Program", strawberry.lazy("schema.programs")]]:
        from schema.programs import Program

        return await related(
            info, "Organization.programs", self.pk, Program.from_row, first=first, after=after
        )

    @strawberry.field(description="Courses offered by this organization.")
    async def courses(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Course", strawberry.lazy("schema.programs")]]:
        from schema.programs import Course

        return await related(
            info, "Organization.courses", self.pk, Course.from_row, first=first, after=after
        )

    @strawberry.field(description="Resources this organization owns.")
    async def resources(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Resource", strawberry.lazy("schema.resources")]]:
        from schema.resources import Resource

        return await related(
            info, "Organization.resources", self.pk, Resource.from_row, first=first, after=after
        )

    @strawberry.field(description="Resources of others shared with this organization.")
    async def resource_shares(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["ResourceShare", strawberry.lazy("schema.resources")]]:
        from schema.resources import ResourceShare

        return await related(
            info,
            "Organization.resourceShares",
            self.pk,
            ResourceShare.from_row,
            first=first,
            after=after,
        )

    @strawberry.field(description="Grants and funds this organization gives.")
    async def funding_given(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Funding", strawberry.lazy("schema.funding")]]:
        from schema.funding import Funding

        return await related(
            info, "Organization.fundingGiven", self.pk, Funding.from_row, first=first, after=after
        )

    @strawberry.field(
        description="Meetings, visits and conferences this organization took part in."
    )
    async def activities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Activity", strawberry.lazy("schema.activities")]]:
        from schema.activities import Activity

        return await related(
            info, "Organization.activities", self.pk, Activity.from_row, first=first, after=after
        )

    @strawberry.field(
        description="Organizations within `depth` hops (1 to 4) in the cooperation network, "
        "nearest first, with the edges that reach them.",
        metadata={"cost": 50, CHECKS: {"depth": check_depth}},
    )
    async def partners(
        self,
        info: Info,
        depth: int = 1,
        filter: Annotated["NetworkFilter", strawberry.lazy("schema.network")] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated["Partner", strawberry.lazy("schema.network")]]:
        from schema.network import organization_partners

        return await organization_partners(
            info, self.pk, depth=depth, filter=filter, first=first, after=after
        )

    @strawberry.field(description="Learners whose home organization this is.")
    async def learners(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Learner", strawberry.lazy("schema.credits")]]:
        from schema.credits import Learner

        return await related(
            info, "Organization.learners", self.pk, Learner.from_row, first=first, after=after
        )


@strawberry.type
class OrganizationQuery:
    @strawberry.field(description="Organizations, filtered and sorted; at most 100 a page.")
    async def organizations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: OrganizationFilter | None = None,
        order_by: OrganizationOrder | None = None,
    ) -> Connection[Organization]:
        page = await reads.organizations_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter),
        )
        return connection(page, Organization.from_row)
