"""Reading people: by name or by the organization they hold a position at."""

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
import strawberry
from sqlalchemy.sql.elements import ColumnElement

from db.base import table_of
from db.tables import Person, Position
from resolvers.context import Context
from resolvers.ids import decode_id_of, reference_to
from resolvers.modified import Modified, modifiable
from resolvers.ordering import SortDirection, order_by_field
from resolvers.paging import Page, PageRequest
from resolvers.text_search import like_text

__all__ = ["PersonFilter", "PersonOrder", "PersonOrderField", "people_page", "person_conditions"]

PERSON = table_of(Person)
POSITION = table_of(Position)


@dataclass
class PersonFilter(Modified):
    organization: strawberry.ID | None = reference_to("Organization")
    text: str | None = None


class PersonOrderField(StrEnum):
    NAME = "name"
    CREATED_AT = "created_at"


@dataclass
class PersonOrder:
    field: PersonOrderField = PersonOrderField.NAME
    direction: SortDirection = SortDirection.ASC


@modifiable(PERSON)
def person_conditions(f: PersonFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if f.organization is not None:
        org_id = decode_id_of(f.organization, "Organization", field="filter.organization")
        conditions.append(
            PERSON.c.id.in_(
                sa.select(POSITION.c.person_id).where(POSITION.c.organization_id == org_id)
            )
        )
    if f.text:
        pattern = like_text(f.text)
        conditions.append(
            sa.or_(
                PERSON.c.name.ilike(pattern, escape="\\"),
                PERSON.c.local_name.ilike(pattern, escape="\\"),
            )
        )
    return conditions


async def people_page(
    ctx: Context,
    *,
    filter: PersonFilter | None,
    order: PersonOrder | None,
    request: PageRequest,
) -> Page:
    return await ctx.reader.page(
        PERSON,
        where=person_conditions(filter),
        order_by=order_by_field(PERSON, order or PersonOrder()),
        request=request,
    )
