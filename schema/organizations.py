"""Organizations: the type, its filter and order inputs, and the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import agreements as agreement_reads
from resolvers import organizations as reads
from resolvers.compiled import lists
from resolvers.network import check_depth
from schema.compiled.declare import child_list, list_of, referenced
from schema.enums import OrganizationKind, OrganizationStatus
from schema.limits import CHECKS
from schema.relay import Connection, Info, Node, connection, list_request

if TYPE_CHECKING:
    from schema.agreements import Agreement, AgreementFilter, AgreementOrder
    from schema.network import NetworkFilter, Partner

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

    parent = referenced(
        "Organization", "parent_id", description="The organization this one is a unit of."
    )

    @strawberry.field(
        description="Schools, departments and colleges of this organization.",
        metadata=child_list(lists.UNITS),
    )
    async def units(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: OrganizationFilter | None = None,
        order_by: OrganizationOrder | None = None,
    ) -> Connection["Organization"]:
        loader = reads.units_of(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(await loader.load(self.pk), Organization.from_row)

    @strawberry.field(
        description="Agreements this organization is a party to.",
        metadata=child_list(lists.AGREEMENTS_OF_ORGANIZATIONS),
    )
    async def agreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated["AgreementFilter", strawberry.lazy(_agreements)] | None = None,
        order_by: Annotated["AgreementOrder", strawberry.lazy(_agreements)] | None = None,
    ) -> Connection[Annotated["Agreement", strawberry.lazy(_agreements)]]:
        from schema.agreements import Agreement

        loader = agreement_reads.agreements_of_organizations(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(await loader.load(self.pk), Agreement.from_row)

    agreement_parties = list_of(
        "Organization.agreementParties",
        "AgreementParty",
        description="This organization's part in each agreement: role, signatory.",
    )

    memberships = list_of(
        "Organization.memberships",
        "Membership",
        description="Alliance memberships, past and present, with roles.",
    )

    positions = list_of(
        "Organization.positions",
        "Position",
        description="Positions held at this organization (its people).",
    )

    people = list_of(
        "Organization.people",
        "Person",
        description="People holding or having held a position here, each once.",
    )

    program_partners = list_of(
        "Organization.programPartners",
        "ProgramPartner",
        description="This organization's part in shared programs.",
    )

    programs = list_of(
        "Organization.programs",
        "Program",
        description="Programs this organization runs with partners.",
    )

    courses = list_of(
        "Organization.courses", "Course", description="Courses offered by this organization."
    )

    resources = list_of(
        "Organization.resources", "Resource", description="Resources this organization owns."
    )

    resource_shares = list_of(
        "Organization.resourceShares",
        "ResourceShare",
        description="Resources of others shared with this organization.",
    )

    funding_given = list_of(
        "Organization.fundingGiven",
        "Funding",
        description="Grants and funds this organization gives.",
    )

    activities = list_of(
        "Organization.activities",
        "Activity",
        description="Meetings, visits and conferences this organization took part in.",
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
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated["Partner", strawberry.lazy("schema.network")]]:
        from schema.network import organization_partners

        return await organization_partners(
            info,
            self.pk,
            depth=depth,
            filter=filter,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    learners = list_of(
        "Organization.learners", "Learner", description="Learners whose home organization this is."
    )


@strawberry.type
class OrganizationQuery:
    @strawberry.field(
        description="Organizations, filtered and sorted; at most 100 a page.",
        metadata=child_list(lists.ORGANIZATIONS),
    )
    async def organizations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: OrganizationFilter | None = None,
        order_by: OrganizationOrder | None = None,
    ) -> Connection[Organization]:
        page = await reads.organizations_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Organization.from_row)
