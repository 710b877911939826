"""Resources an organization owns and shares with others; the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import resources as reads
from schema.compiled.declare import list_of, referenced
from schema.enums import ResourceKind
from schema.field_docs import describe
from schema.relay import Connection, Info, Node, connection, list_request

if TYPE_CHECKING:
    from schema.organizations import Organization

__all__ = ["Resource", "ResourceFilter", "ResourceQuery", "ResourceShare"]

OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organizations")]


@describe(
    kind="Only resources of one of these kinds.",
    owner="Only resources this organization owns (its global ID).",
    shared_with="Only resources shared with this organization (its global ID).",
    text="Only resources whose name or description contains this text, ignoring case.",
)
@strawberry.input(description="Conditions on resources; all given conditions must hold.")
class ResourceFilter(reads.ResourceFilter):
    pass


@describe(
    field="What to sort by; the name when left out.",
    direction="Which way; ascending when left out.",
)
@strawberry.input(description="How to sort the list.")
class ResourceOrder(reads.ResourceOrder):
    pass


@strawberry.type(
    description="A lab, library, platform, online course, training base or faculty time "
    "that its owner can share."
)
class Resource(Node):
    kind: ResourceKind = strawberry.field(description="What sort of resource it is.")
    name: str = strawberry.field(description="What the owner calls the resource.")
    description: str | None = strawberry.field(
        description="What the resource offers and how to use it, in the owner's words."
    )
    is_illustrative: bool = strawberry.field(
        description="True for a row added to the demo data only to illustrate the domain "
        "(no source document describes it)."
    )
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    owner_id: strawberry.Private[int]

    owner = referenced(
        "Organization",
        "owner_id",
        description="The organization that owns the resource and decides whom it is shared with.",
    )

    shares = list_of(
        "Resource.shares",
        "ResourceShare",
        description="Who the resource is shared with, on what terms.",
    )


@strawberry.type(
    description="A resource shared with an organization, usually under an agreement. Seen by "
    "whoever sees the agreement, the resource's owner and the organization shared with."
)
class ResourceShare(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    terms: str | None = strawberry.field(
        description="On what terms the resource is shared (hours, fees, conditions), as agreed."
    )
    starts_on: date | None = strawberry.field(
        description="The first day of the share; null when open from the start."
    )
    ends_on: date | None = strawberry.field(
        description="The last day of the share; null when open-ended."
    )
    resource_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    agreement_id: strawberry.Private[int | None]

    resource = referenced("Resource", "resource_id", description="The resource shared.")

    organization = referenced(
        "Organization",
        "organization_id",
        description="The organization the resource is shared with.",
    )

    agreement = referenced(
        "Agreement",
        "agreement_id",
        description="The agreement the resource is shared under; null when there is none, or "
        "the caller may not see it.",
    )


@strawberry.type
class ResourceQuery:
    @strawberry.field(
        description="The resources of every organization (they are public profile), sorted by "
        "name unless `orderBy` says otherwise."
    )
    async def resources(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            ResourceFilter | None,
            strawberry.argument(description="Only the resources that meet these conditions."),
        ] = None,
        order_by: Annotated[
            ResourceOrder | None,
            strawberry.argument(description="The order of the list; by name when left out."),
        ] = None,
    ) -> Connection[Resource]:
        page = await reads.resources_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Resource.from_row)
