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
from schema.relay import Before, Connection, Info, Last, Node, connection, list_request

if TYPE_CHECKING:
    from schema.organizations import Organization

__all__ = ["Resource", "ResourceFilter", "ResourceQuery", "ResourceShare"]

OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organizations")]


@strawberry.input(description="Conditions on resources; all given conditions must hold.")
class ResourceFilter(reads.ResourceFilter):
    pass


@strawberry.input(description="How to sort the list.")
class ResourceOrder(reads.ResourceOrder):
    pass


@strawberry.type(
    description="A lab, library, platform, online course, training base or faculty time "
    "that its owner can share."
)
class Resource(Node):
    kind: ResourceKind
    name: str
    description: str | None
    is_illustrative: bool
    version: int
    owner_id: strawberry.Private[int]

    owner = referenced("Organization", "owner_id")

    shares = list_of(
        "Resource.shares",
        "ResourceShare",
        description="Who the resource is shared with, on what terms.",
    )


@strawberry.type(description="A resource shared with an organization, under an agreement.")
class ResourceShare(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    terms: str | None
    starts_on: date | None
    ends_on: date | None
    resource_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    agreement_id: strawberry.Private[int | None]

    resource = referenced("Resource", "resource_id")

    organization = referenced(
        "Organization",
        "organization_id",
        description="The organization the resource is shared with.",
    )

    agreement = referenced("Agreement", "agreement_id")


@strawberry.type
class ResourceQuery:
    @strawberry.field(description="Resources by name, filtered; at most 100 a page.")
    async def resources(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: Last = None,
        before: Before = None,
        filter: ResourceFilter | None = None,
        order_by: ResourceOrder | None = None,
    ) -> Connection[Resource]:
        page = await reads.resources_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Resource.from_row)
