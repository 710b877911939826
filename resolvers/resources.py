"""Reading resources: by kind, owner, the organization they are shared with, or text."""

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
import strawberry
from sqlalchemy.sql.elements import ColumnElement

from db.base import table_of
from db.enums import ResourceKind
from db.tables import Resource, ResourceShare
from resolvers.context import Context
from resolvers.ids import decode_id_of, reference_to
from resolvers.modified import Modified, modifiable
from resolvers.ordering import SortDirection, order_by_field
from resolvers.paging import Page, PageRequest
from resolvers.text_search import like_text

__all__ = [
    "ResourceFilter",
    "ResourceOrder",
    "ResourceOrderField",
    "resource_conditions",
    "resources_page",
]

RESOURCE = table_of(Resource)
SHARE = table_of(ResourceShare)


@dataclass
class ResourceFilter(Modified):
    kind: list[ResourceKind] | None = None
    owner: strawberry.ID | None = reference_to("Organization")
    shared_with: strawberry.ID | None = reference_to("Organization")
    text: str | None = None


class ResourceOrderField(StrEnum):
    NAME = "name"
    KIND = "kind"
    CREATED_AT = "created_at"


@dataclass
class ResourceOrder:
    field: ResourceOrderField = ResourceOrderField.NAME
    direction: SortDirection = SortDirection.ASC


@modifiable(RESOURCE)
def resource_conditions(
    f: ResourceFilter | None, *, field: str = "filter"
) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if f.kind:
        conditions.append(RESOURCE.c.kind.in_([k.value for k in f.kind]))
    if f.owner is not None:
        owner_id = decode_id_of(f.owner, "Organization", field=f"{field}.owner")
        conditions.append(RESOURCE.c.owner_id == owner_id)
    if f.shared_with is not None:
        org_id = decode_id_of(f.shared_with, "Organization", field=f"{field}.sharedWith")
        conditions.append(
            RESOURCE.c.id.in_(
                sa.select(SHARE.c.resource_id).where(SHARE.c.organization_id == org_id)
            )
        )
    if f.text:
        pattern = like_text(f.text)
        conditions.append(
            sa.or_(
                RESOURCE.c.name.ilike(pattern, escape="\\"),
                RESOURCE.c.description.ilike(pattern, escape="\\"),
            )
        )
    return conditions


async def resources_page(
    ctx: Context,
    *,
    filter: ResourceFilter | None,
    order: ResourceOrder | None,
    request: PageRequest,
) -> Page:
    return await ctx.reader.page(
        RESOURCE,
        where=resource_conditions(filter),
        order_by=order_by_field(RESOURCE, order or ResourceOrder()),
        request=request,
    )
