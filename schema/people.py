"""People (contacts, signatories, faculty) and the positions they hold; the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from typing import TYPE_CHECKING

import strawberry

from resolvers import people as reads
from schema.compiled.declare import list_of, referenced
from schema.relay import Connection, Info, Node, connection, list_request

if TYPE_CHECKING:
    pass

__all__ = ["Person", "PersonFilter", "PersonQuery", "Position"]


@strawberry.input(description="Conditions on people; all given conditions must hold.")
class PersonFilter(reads.PersonFilter):
    pass


@strawberry.input(description="How to sort the list.")
class PersonOrder(reads.PersonOrder):
    pass


@strawberry.type(description="A contact, signatory, faculty or staff member. Personal data.")
class Person(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    name: str
    local_name: str | None
    email: str | None
    phone: str | None
    is_illustrative: bool

    positions = list_of(
        "Person.positions", "Position", description="Positions held, at one or more organizations."
    )


@strawberry.type(description="A position a person holds at an organization (e.g. Deputy Dean).")
class Position(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    title: str
    started_on: date | None
    ended_on: date | None
    person_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    person = referenced("Person", "person_id")

    organization = referenced("Organization", "organization_id")


@strawberry.type
class PersonQuery:
    @strawberry.field(description="People, by name; at most 100 a page.")
    async def people(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: PersonFilter | None = None,
        order_by: PersonOrder | None = None,
    ) -> Connection[Person]:
        page = await reads.people_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Person.from_row)
