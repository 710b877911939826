"""Organizations: the type, its filter and order inputs, and the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import agreements as agreement_reads
from resolvers import organizations as reads
from resolvers import unit_lists
from resolvers.compiled import lists
from resolvers.network import check_depth
from schema.compiled.declare import child_list, list_of, localized_field, referenced
from schema.enums import OrganizationKind, OrganizationStatus
from schema.field_docs import describe
from schema.limits import CHECKS
from schema.names import names_field
from schema.relay import Connection, Info, Node, connection, list_request
from schema.wording import ENGLISH_NAME, ILLUSTRATIVE, IN_LANGUAGE, VERSION

if TYPE_CHECKING:
    from schema.activities import Activity, ActivityFilter, ActivityOrder
    from schema.agreements import Agreement, AgreementFilter, AgreementOrder
    from schema.network import NetworkFilter, Partner
    from schema.programs import Program, ProgramFilter, ProgramOrder

__all__ = ["Organization", "OrganizationFilter", "OrganizationOrder", "OrganizationQuery"]

_agreements = "schema.agreements"
_programs = "schema.programs"
_activities = "schema.activities"


@describe(
    kind="Only organizations of one of these kinds.",
    status="Only organizations in one of these states.",
    country="Only organizations in one of these countries: ISO 3166-1 alpha-2 codes, in "
    "any case (`CN`, `gb`).",
    region="Only organizations in one of these provinces, states or regions, spelled "
    "exactly as stored (`Jiangxi`).",
    parent="Only the direct units (schools, departments) of this organization.",
    alliance="Only the current members of this alliance (those that have not left).",
    text="Only organizations whose English, local or short name contains this text, ignoring case.",
    ror_id="Only the organization with this ROR ID, written as a URL "
    "(`https://ror.org/042v6xz23`).",
)
@strawberry.input(description="Conditions on organizations; all given conditions must hold.")
class OrganizationFilter(reads.OrganizationFilter):
    pass


@describe(
    field="What to sort by (the English name unless said); ties keep the order the "
    "records were made in.",
    direction="Ascending (A to Z, oldest first) unless said.",
)
@strawberry.input(description="How to sort organizations.")
class OrganizationOrder(reads.OrganizationOrder):
    pass


@strawberry.type(
    description="A university, research institute, business, government body, international "
    "organization, or one of their units (school, department, college). Its profile is "
    "public: every caller sees it."
)
class Organization(Node):
    version: int = strawberry.field(description=VERSION)
    kind: OrganizationKind = strawberry.field(
        description="University, research institute, business, government body, international "
        "organization or other."
    )
    name: strawberry.Private[str]
    name_field = localized_field("Organization", "name", description=ENGLISH_NAME + IN_LANGUAGE)
    local_name: str | None = strawberry.field(
        description="The name in the local language and script (`南昌大学`), where known."
    )
    short_name: strawberry.Private[str | None]
    short_name_field = localized_field(
        "Organization",
        "short_name",
        description="The abbreviation in common use (`NCU`, `JUFE`), where there is one."
        + IN_LANGUAGE,
        nullable=True,
    )
    names = names_field("Organization")
    country: str | None = strawberry.field(
        description="Where it is based: an ISO 3166-1 alpha-2 code in upper case (`CN`)."
    )
    region: str | None = strawberry.field(
        description="The province, state or region it is based in (`Jiangxi`)."
    )
    city: str | None = strawberry.field(description="The city it is based in (`Nanchang`).")
    website: str | None = strawberry.field(description="The URL of its home page.")
    reminder_lead_days: list[int] | None = strawberry.field(
        description="Days before a deadline (an agreement's end or notice deadline, a "
        "commitment's due date) that reminders go out for its agreements, e.g. [90, 30, 7]; "
        "null: the server's default (`PARTNERGRAPH_REMINDER_LEAD_DAYS`). An agreement gets "
        "the lead times of all its parties and of their alliances (docs/changes.md)."
    )
    ror_id: str | None = strawberry.field(
        description="Its Research Organization Registry ID, as a URL "
        "(`https://ror.org/042v6xz23`), where known."
    )
    latitude: float | None = strawberry.field(
        description="WGS 84 latitude in degrees, from a registry."
    )
    longitude: float | None = strawberry.field(
        description="WGS 84 longitude in degrees, from a registry."
    )
    description: str | None = strawberry.field(
        description="Free text about the organization, in English."
    )
    status: OrganizationStatus = strawberry.field(
        description="Whether it still operates: ACTIVE, INACTIVE or WITHDRAWN (ROR's states, "
        "for an organization loaded from it)."
    )
    is_illustrative: bool = strawberry.field(description=ILLUSTRATIVE)
    parent_id: strawberry.Private[int | None]

    parent = referenced(
        "Organization",
        "parent_id",
        description="The organization this one is a unit of (`Jiangsu Open University` for "
        "its School of Art); null for a top-level organization.",
    )

    @strawberry.field(
        description="The direct units of this organization (schools, departments, colleges), "
        "by name unless `orderBy` says otherwise; their own units are on each unit.",
        metadata=child_list(lists.UNITS),
    )
    async def units(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            OrganizationFilter | None,
            strawberry.argument(description="Only the units meeting every condition given."),
        ] = None,
        order_by: Annotated[
            OrganizationOrder | None,
            strawberry.argument(description="How to sort the units; by name when not given."),
        ] = None,
    ) -> Connection["Organization"]:
        loader = reads.units_of(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(await loader.load(self.pk), Organization.from_row)

    @strawberry.field(
        description="Agreements this organization or one of its units (at any depth) is a "
        "party to, each once (the organization's own with `filter: {includeUnits: false}`), "
        "newest first unless `orderBy` says otherwise. Only those the caller may "
        "see: its own organization's, its alliance members' for a secretariat, all for an "
        "admin; none for reporters and anonymous callers.",
        metadata=child_list(lists.AGREEMENTS_OF_ORGANIZATIONS),
    )
    async def agreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            Annotated["AgreementFilter", strawberry.lazy(_agreements)] | None,
            strawberry.argument(description="Only the agreements meeting every condition given."),
        ] = None,
        order_by: Annotated[
            Annotated["AgreementOrder", strawberry.lazy(_agreements)] | None,
            strawberry.argument(
                description="How to sort the agreements; newest record first when not given."
            ),
        ] = None,
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
        description="This organization's part in each agreement it is a party to: its role, "
        "signatory and signing date; only for agreements the caller may see.",
    )

    approvals = list_of(
        "Organization.approvals",
        "Approval",
        description="Approvals of this organization itself (its establishment), by decision date.",
    )

    approvals_given = list_of(
        "Organization.approvalsGiven",
        "Approval",
        description="Decisions this organization made as an approver, by decision date; only "
        "those the caller may see.",
    )

    memberships = list_of(
        "Organization.memberships",
        "Membership",
        description="Its alliance memberships, past and present, each with a role and "
        "period; by joining date.",
    )

    positions = list_of(
        "Organization.positions",
        "Position",
        description="Positions held at this organization, by title. Personal data: seen "
        "only by this organization (or one it belongs to) and admins.",
    )

    people = list_of(
        "Organization.people",
        "Person",
        description="People holding or having held a position here, each once, by name. "
        "Personal data: seen only by this organization (or one it belongs to) and admins.",
    )

    program_partners = list_of(
        "Organization.programPartners",
        "ProgramPartner",
        description="This organization's part in each shared program: its role.",
    )

    @strawberry.field(
        description="Programs this organization or one of its units (at any depth) is a "
        "partner of, each once (the organization's own with `filter: {includeUnits: false}`), "
        "by name unless `orderBy` says otherwise.",
        metadata=child_list(lists.PROGRAMS_OF_ORGANIZATIONS),
    )
    async def programs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            Annotated["ProgramFilter", strawberry.lazy(_programs)] | None,
            strawberry.argument(description="Only the programs meeting every condition given."),
        ] = None,
        order_by: Annotated[
            Annotated["ProgramOrder", strawberry.lazy(_programs)] | None,
            strawberry.argument(description="How to sort the programs; by name when not given."),
        ] = None,
    ) -> Connection[Annotated["Program", strawberry.lazy(_programs)]]:
        from schema.programs import Program

        loader = unit_lists.programs_of_organizations(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(await loader.load(self.pk), Program.from_row)

    courses = list_of(
        "Organization.courses",
        "Course",
        description="Courses this organization offers, by title.",
    )

    resources = list_of(
        "Organization.resources",
        "Resource",
        description="Labs, equipment, libraries and other resources this organization owns, "
        "by name.",
    )

    resource_shares = list_of(
        "Organization.resourceShares",
        "ResourceShare",
        description="Shares of other organizations' resources with this one, by start "
        "date; seen by whoever sees the agreement they fall under, the owner and this "
        "organization.",
    )

    funding_given = list_of(
        "Organization.fundingGiven",
        "Funding",
        description="Grants and special funds this organization has awarded, by award date; "
        "seen by whoever sees the agreement funded, the funded program's partners and the "
        "funder.",
    )

    @strawberry.field(
        description="Meetings, visits, conferences and ceremonies this organization or one of "
        "its units (at any depth) took part in, each once (the organization's own with "
        "`filter: {includeUnits: false}`), latest first unless `orderBy` says otherwise; only "
        "those the caller may see.",
        metadata=child_list(lists.ACTIVITIES_OF_ORGANIZATIONS),
    )
    async def activities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            Annotated["ActivityFilter", strawberry.lazy(_activities)] | None,
            strawberry.argument(description="Only the activities meeting every condition given."),
        ] = None,
        order_by: Annotated[
            Annotated["ActivityOrder", strawberry.lazy(_activities)] | None,
            strawberry.argument(
                description="How to sort the activities; latest first when not given."
            ),
        ] = None,
    ) -> Connection[Annotated["Activity", strawberry.lazy(_activities)]]:
        from schema.activities import Activity

        loader = unit_lists.activities_of_organizations(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(await loader.load(self.pk), Activity.from_row)

    @strawberry.field(
        description="Organizations within `depth` hops (1 to 4) in the cooperation network, "
        "nearest first, with the edges that reach them.",
        metadata={"cost": 50, CHECKS: {"depth": check_depth}},
    )
    async def partners(
        self,
        info: Info,
        depth: Annotated[
            int,
            strawberry.argument(
                description="How many hops away: 1 for direct partners (the default) up to 4."
            ),
        ] = 1,
        filter: Annotated[
            Annotated["NetworkFilter", strawberry.lazy("schema.network")] | None,
            strawberry.argument(
                description="Which ties make edges, and as of which date; every tie, as of "
                "today, when not given."
            ),
        ] = None,
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
        "Organization.learners",
        "Learner",
        description="Learners whose home organization this is, by name. Personal data: seen "
        "only by this organization (or one it belongs to) and admins.",
    )


@strawberry.type
class OrganizationQuery:
    @strawberry.field(
        description="Organizations and their units, filtered and sorted (by English name "
        "unless said); public profiles, so every caller sees all of them.",
        metadata=child_list(lists.ORGANIZATIONS),
    )
    async def organizations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            OrganizationFilter | None,
            strawberry.argument(description="Only organizations meeting every condition given."),
        ] = None,
        order_by: Annotated[
            OrganizationOrder | None,
            strawberry.argument(description="How to sort; by English name when not given."),
        ] = None,
    ) -> Connection[Organization]:
        page = await reads.organizations_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Organization.from_row)
